"""Request-body bounds for every route, as pure ASGI middleware: a size and a read deadline.

A declared `Content-Length` over the limit is refused with 413 before a byte of the body is
read. A body without a length (chunked), or longer than it declared, is counted as it streams
in and refused the moment it passes the limit: whatever the route was doing with it is
dropped and the 413 is sent instead, as long as the route had not started answering.

A client that sends its body slowly (a byte every few seconds holds a connection and a route
open indefinitely: uvicorn has no body timeout) gets a 408 once the whole body has not arrived
within the read deadline, counted from the request's start, and its connection is closed.
"""

import asyncio
import logging
import time
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


@dataclass(frozen=True)
class ReadDeadline:
    seconds: float
    setting: str
    """The environment variable that sets it, named in the refusal."""


class _BodyRefusedError(Exception):
    """Raised into the route from `receive`; never leaves the middleware."""


class BodySizeLimit:
    def __init__(
        self,
        app: ASGIApp,
        *,
        default: BodyLimit,
        deadline: ReadDeadline,
        per_path: Mapping[str, BodyLimit] | None = None,
    ) -> None:
        self.app = app
        self.default = default
        self.deadline = deadline
        self.per_path = dict(per_path or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(scope["path"], self.default)
        declared = _content_length(scope)
        if declared is not None and declared > limit.max_bytes:
            await send_error(send, _too_large(limit, declared), _CLOSE)
            return
        await _BoundedRequest(self.app, limit, self.deadline).run(scope, receive, send)


_CLOSE = [(b"connection", b"close")]
"""The rest of a refused body may still be on its way; the connection is not reused."""


class _BoundedRequest:
    """One request whose body is counted, and timed, as the route reads it."""

    def __init__(self, app: ASGIApp, limit: BodyLimit, deadline: ReadDeadline) -> None:
        self.app = app
        self.limit = limit
        self.deadline = deadline
        self.received = 0
        self.body_complete = False
        self.refusal: InferGraphError | None = None
        self.response_started = False

    async def run(self, scope: Scope, receive: Receive, send: Send) -> None:
        ends_at = time.monotonic() + self.deadline.seconds

        async def bounded_receive() -> Message:
            if self.refusal is not None:
                raise _BodyRefusedError
            if self.body_complete:
                # Only the disconnect is left to wait for; that wait is the route's business.
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(ends_at - time.monotonic(), 0))
            except TimeoutError:
                self.refusal = _too_slow(self.deadline, self.received)
                raise _BodyRefusedError from None
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                self.body_complete = not message.get("more_body", False)
                if self.received > self.limit.max_bytes:
                    self.refusal = _too_large(self.limit, None)
                    raise _BodyRefusedError
            return message

        async def guarded_send(message: Message) -> None:
            # The route may turn our exception into an answer of its own (a 400 for an
            # unreadable body, say); once the body was refused only the refusal goes out.
            if self.refusal is not None and not self.response_started:
                return
            if message["type"] == "http.response.start":
                self.response_started = True
            await send(message)

        try:
            await self.app(scope, bounded_receive, guarded_send)
        except Exception:
            if self.refusal is None:
                raise
            if self.response_started:
                logger.warning("request body refused after the answer had begun: %s", self.refusal)
                return
        if self.refusal is not None and not self.response_started:
            await send_error(send, self.refusal, _CLOSE)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            # A malformed length is the server's to reject; counting still protects us.
            return int(text) if text.isdigit() else None
    return None


def _too_large(limit: BodyLimit, declared: int | None) -> InferGraphError:
    return InferGraphError(
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


def _too_slow(deadline: ReadDeadline, received: int) -> InferGraphError:
    return InferGraphError(
        f"request body not received within {deadline.seconds:g} s",
        [
            Problem(
                f"send the whole body within {deadline.seconds:g} s (set by {deadline.setting});"
                f" {received} bytes had arrived",
                location="body",
            )
        ],
        code="request_timeout",
        status=408,
    )
