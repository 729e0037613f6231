"""A request-body size limit for every route, as pure ASGI middleware.

A declared `Content-Length` over the limit is refused with 413 before a byte of the body is
read. A body without a length (chunked), or longer than it declared, is counted as it streams
in and refused the moment it passes the limit: whatever the route was doing with it is
dropped and the 413 is sent instead, as long as the route had not started answering.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import InferGraphError, Problem
from api.http.send_error import send_error

logger = logging.getLogger("infergraph.http")


@dataclass(frozen=True)
class BodyLimit:
    max_bytes: int
    setting: str
    """The environment variable that sets it, named in the refusal."""


class _BodyTooLargeError(Exception):
    """Raised into the route from `receive`; never leaves the middleware."""


class BodySizeLimit:
    def __init__(
        self, app: ASGIApp, *, default: BodyLimit, per_path: Mapping[str, BodyLimit] | None = None
    ) -> None:
        self.app = app
        self.default = default
        self.per_path = dict(per_path or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(scope["path"], self.default)
        declared = _content_length(scope)
        if declared is not None and declared > limit.max_bytes:
            await _refuse(send, limit, declared)
            return
        await _LimitedRequest(self.app, limit).run(scope, receive, send)


class _LimitedRequest:
    """One request whose body is counted as the route reads it."""

    def __init__(self, app: ASGIApp, limit: BodyLimit) -> None:
        self.app = app
        self.limit = limit
        self.received = 0
        self.overflowed = False
        self.response_started = False

    async def run(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted_receive() -> Message:
            if self.overflowed:
                raise _BodyTooLargeError
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.limit.max_bytes:
                    self.overflowed = True
                    raise _BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            # The route may turn our exception into an answer of its own (a 400 for an
            # unreadable body, say); once the body overflowed only the 413 goes out.
            if self.overflowed and not self.response_started:
                return
            if message["type"] == "http.response.start":
                self.response_started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not self.overflowed:
                raise
            if self.response_started:
                logger.warning("request body passed the limit after the answer had begun")
                return
        if self.overflowed and not self.response_started:
            await _refuse(send, self.limit, None)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            # A malformed length is the server's to reject; counting still protects us.
            return int(text) if text.isdigit() else None
    return None


async def _refuse(send: Send, limit: BodyLimit, declared: int | None) -> None:
    error = InferGraphError(
        f"request body larger than {limit.max_bytes} bytes",
        [
            Problem(
                f"at most {limit.max_bytes} bytes (set by {limit.setting})",
                location="body",
                value=declared,
            )
        ],
        code="too_large",
        status=413,
    )
    # The rest of the body may still be on its way; do not read it to reuse the connection.
    await send_error(send, error, [(b"connection", b"close")])
