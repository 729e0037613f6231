"""A response cache in front of the whole application, as plain ASGI.

Successful reads (REST GETs under /api/v1, GraphQL queries over GET or POST) are kept per data
version (api/cache/version.py): the first write committed after them, by anyone, retires them
all. A hit is answered here without entering FastAPI, which is what makes it cheap.

Every cacheable 200 carries a strong ETag made of the data version and the request's key, so a
client's `If-None-Match` is answered 304 while nothing was written, even when the entry itself
was evicted or never kept. `Cache-Control: no-cache` lets clients and proxies keep a copy but
makes them revalidate each time: a write must be visible to the very next read.
"""

import hashlib
from collections.abc import Awaitable, Callable, Hashable

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.cache.store import CachedResponse, ResponseStore
from api.cache.version import DataVersion, VersionSource, VersionUnavailableError
from api.http.cacheable import CACHEABLE_SCOPE_KEY, watching_reads
from api.http.scope import header

ReadCheck = Callable[[str | None], Awaitable[bool]]
"""Whether an `Authorization` header may read (when reads need a token)."""

REST_PREFIX = "/api/v1/"
GRAPHQL_PATH = "/graphql"
MAX_KEY_BODY_BYTES = 64 * 1024
"""A GraphQL POST body larger than this is served without the cache."""

_ETAG = b"etag"
_SORTED = orjson.OPT_SORT_KEYS
_SKIPPED_HEADERS = frozenset({b"content-length", b"transfer-encoding", b"etag"})


class ResponseCacheMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        store: ResponseStore,
        versions: VersionSource,
        read_check: ReadCheck | None = None,
        pages: Callable[[str], bool] | None = None,
    ) -> None:
        self.app = app
        self.pages = pages or _no_pages
        """Which other GET paths are pages to keep like REST reads (the web interface's)."""
        self.store = store
        self.versions = versions
        self.read_check = read_check
        visibility = b"private" if read_check else b"public"
        self._policy_headers = [
            (b"cache-control", visibility + b", no-cache"),
            (b"vary", b"Accept, Authorization" if read_check else b"Accept"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, _closing_on_shutdown(send, self.versions))
            return
        if scope["type"] != "http" or not self._eligible(scope):
            await self.app(scope, receive, send)
            return
        body = b""
        if scope["method"] == "POST":
            body, complete = await _read_body(receive)
            receive = _replaying(body, complete, receive)
            if not complete:
                await self.app(scope, receive, send)
                return
        key = request_key(scope, body)
        if key is None:
            await self.app(scope, receive, send)
            return
        try:
            version = await self.versions.read()
        except VersionUnavailableError:
            await self.app(scope, receive, send)
            return
        if self.read_check is not None and not await self.read_check(
            header(scope, b"authorization")
        ):
            await self.app(scope, receive, send)  # the application answers 401 / 403
            return
        if_none_match = header(scope, b"if-none-match")
        entry = self.store.get(version, key)
        etag = entry.etag if entry is not None else make_etag(version, key)
        # `*` matches any current representation (RFC 9110 13.1.2): only a kept 200 proves one
        # exists before the application has run; a 404, a 400 or an unknown route has none.
        exists = entry is not None
        if if_none_match is not None and etag_matches(if_none_match, etag, exists=exists):
            await self._not_modified(send, etag)
        elif entry is not None:
            await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
            await send({"type": "http.response.body", "body": entry.body})
        else:
            path = scope["path"]
            scope[CACHEABLE_SCOPE_KEY] = path.startswith(REST_PREFIX) or self.pages(path)
            await self._fill(scope, receive, send, version, key, etag)

    def _eligible(self, scope: Scope) -> bool:
        path: str = scope["path"]
        method: str = scope["method"]
        if method == "GET":
            if not (path.startswith(REST_PREFIX) or path == GRAPHQL_PATH or self.pages(path)):
                return False
        elif method != "POST" or path != GRAPHQL_PATH:
            return False
        # With public reads, a request with credentials is not an ordinary read: pass it on.
        return self.read_check is not None or header(scope, b"authorization") is None

    async def _not_modified(self, send: Send, etag: bytes) -> None:
        headers = [(_ETAG, etag), *self._policy_headers]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def _fill(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        version: DataVersion,
        key: Hashable,
        etag: bytes,
    ) -> None:
        """Run the application; keep its response if it is a cacheable 200 that fits and
        read only content (api/http/cacheable.py)."""
        limit = self.store.max_entry_bytes
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False

        async def capture(message: Message) -> None:
            nonlocal start, size, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                if (
                    message["status"] != 200
                    or not scope.get(CACHEABLE_SCOPE_KEY)
                    or reads.not_content
                ):
                    passing = True
                    await send(message)
                else:
                    start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunk: bytes = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                # Too large to keep: send what is held and stream the rest as it comes.
                passing = True
                await send(start)
                await send(
                    {"type": "http.response.body", "body": b"".join(chunks), "more_body": True}
                )
                chunks.clear()
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            if reads.not_content:  # read while its body streamed, after the headers
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            entry = CachedResponse(self._headers(start, etag, len(body)), body, etag)
            self.store.put(version, key, entry)
            if_none_match = header(scope, b"if-none-match")
            if if_none_match is not None and etag_matches(if_none_match, etag, exists=True):
                await self._not_modified(send, etag)
                return
            await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
            await send({"type": "http.response.body", "body": body})

        with watching_reads() as reads:
            await self.app(scope, receive, capture)

    def _headers(self, start: Message, etag: bytes, length: int) -> list[tuple[bytes, bytes]]:
        kept = [
            (name, value)
            for name, value in start.get("headers", [])
            if name.lower() not in _SKIPPED_HEADERS
            and name.lower() not in (b"cache-control", b"vary")
        ]
        return [
            *kept,
            (b"content-length", str(length).encode()),
            (_ETAG, etag),
            *self._policy_headers,
        ]


def _no_pages(_path: str) -> bool:
    return False


def request_key(scope: Scope, body: bytes) -> Hashable | None:
    """Everything the response depends on, or None when the request cannot be keyed.

    Query strings are kept as sent: `next` links repeat them in their order, and GraphQL
    validates each parameter. A GraphQL POST body is keyed as the whole parsed JSON object
    with sorted keys (variable order does not matter, any other field does: `extensions`
    of the wrong type is a 400).
    """
    common = (
        scope["method"],
        scope["path"],
        scope.get("scheme", "http"),
        header(scope, b"host"),
        header(scope, b"accept"),
        scope["query_string"],
    )
    if scope["method"] == "GET":
        return common
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(parsed, dict):
        return None
    return (*common, header(scope, b"content-type"), orjson.dumps(parsed, option=_SORTED))


def make_etag(version: DataVersion, key: Hashable) -> bytes:
    digest = hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()
    return f'"{version.tag}.{digest}"'.encode()


def etag_matches(if_none_match: str, etag: bytes, *, exists: bool) -> bool:
    """If-None-Match uses the weak comparison: `W/` prefixes do not matter (RFC 9110 13.1.2).
    `*` matches only when a current representation `exists`."""
    wanted = etag.decode()
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if (tag == "*" and exists) or tag.removeprefix("W/") == wanted:
            return True
    return False


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body, up to the key limit; False when more is left (or the client left)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk: bytes = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > MAX_KEY_BODY_BYTES:
            return b"".join(chunks), False


def _replaying(body: bytes, complete: bool, receive: Receive) -> Receive:
    """A receive that hands the application the body read so far, then the rest."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replay


def _closing_on_shutdown(send: Send, versions: VersionSource) -> Send:
    async def closing(message: Message) -> None:
        if message["type"].startswith("lifespan.shutdown"):
            versions.close()
        await send(message)

    return closing
