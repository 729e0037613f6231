"""A FastAPI application with an optional plain-ASGI front.

FastAPI checks its telemetry settings on every request before the middleware stack runs; a
front sees the request before that, so a response cache hit costs about what a bare
Starlette route does. Without a front the class behaves exactly as FastAPI.
"""

from collections.abc import Callable
from functools import partial

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send


class FrontedFastAPI(FastAPI):
    front: ASGIApp | None = None

    def set_front(self, wrap: Callable[[ASGIApp], ASGIApp]) -> None:
        """`wrap(inner)` becomes the front; `inner` is the front set before, or this
        application as FastAPI runs it."""
        self.front = wrap(self.front or partial(FastAPI.__call__, self))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.front is None:
            await super().__call__(scope, receive, send)
        else:
            await self.front(scope, receive, send)
