"""Response compression (brotli or gzip) for every answer and download, as plain ASGI.

The encoding follows the client's `Accept-Encoding` (q-values honoured, brotli preferred at
equal weight). Streams stay streams: every body chunk the app sends is compressed and flushed
on its own, so a client sees the first rows of a large download as soon as they are written.

Each encoding is its own representation, with its own ETag: `"v.k"` becomes `"v.k-br"` or
`"v.k-gzip"` (the suffix scheme of Apache's mod_deflate). A conditional request carrying the
tag of the encoding this request will get is handed to the app with the suffix removed, so the
cache behind us compares it with the tag it knows and answers 304, which goes out with the
suffixed tag again. A tag of another encoding does not match and gets the full answer.

Small answers (under `min_bytes`), HEAD requests, event streams and anything already encoded
pass through unchanged, with `Vary: Accept-Encoding` wherever the answer could have differed.

A strong ETag names exactly one body (the response cache makes it from the data version and
the request), so the compressed copy of a whole body is kept under its tag and encoding: a
cache hit is then not compressed again on every request.
"""

import gzip
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import brotli
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.scope import header

BROTLI_QUALITY = 4
"""Brotli's fast range: on large JSON smaller and faster than gzip -6 (bench/compression.py)."""
GZIP_LEVEL = 6

_COMPRESSIBLE_TYPES = (
    "json",
    "xml",
    "javascript",
    "text/",
    "x-bibtex",
    "x-research-info-systems",
    "csl+json",
    "svg",
)
_SUPPORTED = ("br", "gzip")


class EncodedCopies:
    """Compressed whole bodies by (strong ETag, encoding), least recently used evicted first."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._copies: OrderedDict[tuple[str, str], bytes] = OrderedDict()

    def __len__(self) -> int:
        return len(self._copies)

    def get(self, etag: str, encoding: str) -> bytes | None:
        copy = self._copies.get((etag, encoding))
        if copy is not None:
            self._copies.move_to_end((etag, encoding))
        return copy

    def put(self, etag: str, encoding: str, body: bytes) -> None:
        if len(body) > self.max_bytes // 4 or (etag, encoding) in self._copies:
            return
        self._copies[(etag, encoding)] = body
        self.bytes += len(body)
        while self.bytes > self.max_bytes:
            _, evicted = self._copies.popitem(last=False)
            self.bytes -= len(evicted)


@dataclass(frozen=True)
class CompressionPolicy:
    min_bytes: int
    """Answers whose first chunk is final and shorter than this go out as they are."""
    copies: EncodedCopies = field(default_factory=lambda: EncodedCopies(0))


def chosen_encoding(accept_encoding: str | None) -> str | None:
    """The best of our encodings the client accepts, by its q-values; None for identity."""
    if not accept_encoding:
        return None
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name.strip().lower()] = weight
    wildcard = weights.get("*", 0.0)
    ranked = [(weights.get(name, wildcard), -index, name) for index, name in enumerate(_SUPPORTED)]
    weight, _, best = max(ranked)
    return best if weight > 0 else None


def _compressible(content_type: str) -> bool:
    lowered = content_type.lower()
    if lowered.startswith("text/event-stream"):
        return False  # each event must reach the client as sent
    return any(marker in lowered for marker in _COMPRESSIBLE_TYPES)


class _Compressor:
    """Compresses a stream chunk by chunk; every chunk is flushed so it can be sent at once."""

    def __init__(self, encoding: str) -> None:
        self._finish: Callable[[], bytes]
        if encoding == "br":
            engine = brotli.Compressor(quality=BROTLI_QUALITY)
            self._step: Callable[[bytes], bytes] = lambda data: (
                engine.process(data) + engine.flush()
            )
            self._finish = engine.finish
        else:
            deflate = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            self._step = lambda data: deflate.compress(data) + deflate.flush(zlib.Z_SYNC_FLUSH)
            self._finish = deflate.flush

    def chunk(self, data: bytes) -> bytes:
        return self._step(data) if data else b""

    def finish(self) -> bytes:
        return self._finish()


def compress_whole(data: bytes, encoding: str) -> bytes:
    """One complete body in one call (smaller than a flushed stream)."""
    if encoding == "br":
        return bytes(brotli.compress(data, quality=BROTLI_QUALITY))
    return gzip.compress(data, GZIP_LEVEL, mtime=0)


def _suffixed(etag: str, encoding: str) -> str:
    if etag.endswith('"'):
        return f'{etag[:-1]}-{encoding}"'
    return etag


class Compression:
    def __init__(self, app: ASGIApp, policy: CompressionPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        encoding = chosen_encoding(header(scope, b"accept-encoding"))
        if encoding is None or scope["method"] == "HEAD":
            await self.app(scope, receive, _varying(send))
            return
        inner_scope, revalidating = _without_our_suffix(scope, encoding)
        response = _CompressedResponse(self.app, encoding, self.policy, revalidating)
        await response.run(inner_scope, receive, send)


class _CompressedResponse:
    def __init__(
        self, app: ASGIApp, encoding: str, policy: CompressionPolicy, revalidating: bool
    ) -> None:
        self.app = app
        self.encoding = encoding
        self.policy = policy
        self.revalidating = revalidating
        """The client's tag was one of ours in this encoding (a 304 keeps that suffix)."""
        self.start: Message | None = None
        self.compressor: _Compressor | None = None
        self.passthrough = False

    async def run(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def compressing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._begin(message)
                if self.passthrough and self.start is not None:
                    start, self.start = self.start, None
                    await send(start)
                return
            if message["type"] != "http.response.body" or self.passthrough:
                await send(message)
                return
            await self._body(message, send)

        await self.app(scope, receive, compressing_send)

    def _begin(self, start: Message) -> None:
        headers = MutableHeaders(raw=list(start["headers"]))
        _add_vary(headers)
        etag = headers.get("etag")
        if start["status"] == 304 and etag is not None and self.revalidating:
            # A plain tag that matched belongs to an answer too small to compress; it stays.
            headers["etag"] = _suffixed(etag, self.encoding)
        eligible = (
            start["status"] not in (204, 206, 304)
            and "content-encoding" not in headers
            and _compressible(headers.get("content-type", ""))
        )
        self.passthrough = not eligible
        self.start = {**start, "headers": headers.raw}

    async def _body(self, message: Message, send: Send) -> None:
        data: bytes = message.get("body", b"")
        more = message.get("more_body", False)
        if self.start is not None:
            start, self.start = self.start, None
            if not more and len(data) < self.policy.min_bytes:
                await send(start)
                await send(message)
                self.passthrough = True
                return
            headers = MutableHeaders(raw=start["headers"])
            del headers["content-length"]
            headers["content-encoding"] = self.encoding
            etag = headers.get("etag")
            if etag is not None:
                headers["etag"] = _suffixed(etag, self.encoding)
            if not more:
                # A body sent whole is compressed whole and keeps an exact length.
                body = self._compressed_whole(data, etag)
                headers["content-length"] = str(len(body))
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            self.compressor = _Compressor(self.encoding)
            await send(start)
        assert self.compressor is not None
        chunk = self.compressor.chunk(data)
        if more:
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            return
        await send({"type": "http.response.body", "body": chunk + self.compressor.finish()})

    def _compressed_whole(self, data: bytes, etag: str | None) -> bytes:
        if etag is None or not etag.startswith('"'):  # no tag, or a weak one: not one body
            return compress_whole(data, self.encoding)
        copy = self.policy.copies.get(etag, self.encoding)
        if copy is None:
            copy = compress_whole(data, self.encoding)
            self.policy.copies.put(etag, self.encoding, copy)
        return copy


def _varying(send: Send) -> Send:
    async def varied(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(raw=list(message["headers"]))
            _add_vary(headers)
            message = {**message, "headers": headers.raw}
        await send(message)

    return varied


def _add_vary(headers: MutableHeaders) -> None:
    present = [part.strip().lower() for part in headers.get("vary", "").split(",") if part.strip()]
    if "accept-encoding" not in present and "*" not in present:
        headers.add_vary_header("Accept-Encoding")


def _without_our_suffix(scope: Scope, encoding: str) -> tuple[Scope, bool]:
    """The request as the app behind us should see it: If-None-Match tags of this encoding
    without their suffix; tags of other encodings stay as they are and will not match.
    True when a suffix was removed."""
    suffix = f'-{encoding}"'
    headers = []
    changed = False
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            tags = []
            for tag in value.decode("latin-1").split(","):
                stripped = tag.strip()
                if stripped.endswith(suffix):
                    stripped = stripped[: -len(suffix)] + '"'
                    changed = True
                tags.append(stripped)
            value = ", ".join(tags).encode("latin-1")
        headers.append((name, value))
    return ({**scope, "headers": headers}, True) if changed else (scope, False)
