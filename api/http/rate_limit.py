"""Optional per-client rate limits, in front of everything else (the response cache too).

A client is its API token when it sends a valid one, else its address. Each client has a window of
`window` seconds that starts with its first request; within it, `requests` are allowed and
the next ones answered 429 with `Retry-After` until the window ends. Every answer carries the
IETF draft's headers (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy` names the
quota (`"default";q=100;w=60`) and `RateLimit` what is left of it (`"default";r=42;t=17`:
remaining requests, seconds until the window ends).

A token counts only once `token_digest` (one indexed read) has found it valid: made-up tokens
would otherwise buy a fresh quota each. Behind a reverse proxy every client has the proxy's
address: limit there, or by token.
"""

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import InferGraphError
from api.http.send_error import send_error

POLICY = "default"
UNLIMITED_PATHS = frozenset({"/health"})
"""Monitors poll these; a limit on them would report an outage that is not one."""
MAX_TRACKED_CLIENTS = 100_000
"""Clients remembered at once; beyond, those whose window ended, then the oldest, are
forgotten, so many addresses cannot grow the table without bound."""


@dataclass(frozen=True)
class RatePolicy:
    requests: int
    window: int
    """Seconds."""


@dataclass
class _Window:
    start: float
    used: int


class ClientRateLimit:
    def __init__(
        self,
        app: ASGIApp,
        policy: RatePolicy,
        token_digest: Callable[[str], Awaitable[str | None]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.policy = policy
        self.token_digest = token_digest
        self.clock = clock
        self.windows: dict[str, _Window] = {}
        self.policy_header = f'"{POLICY}";q={policy.requests};w={policy.window}'.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        # The ASGI app runs on one event loop thread: no lock is needed around the table.
        key = await self._client_key(scope)
        now = self.clock()
        window = self._window(key, now)
        window.used += 1
        reset = max(1, math.ceil(self.policy.window - (now - window.start)))
        remaining = max(0, self.policy.requests - window.used)
        headers = [
            (b"ratelimit-policy", self.policy_header),
            (b"ratelimit", f'"{POLICY}";r={remaining};t={reset}'.encode()),
        ]
        if window.used > self.policy.requests:
            await _refuse(send, headers, reset, self.policy)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _window(self, key: str, now: float) -> _Window:
        window = self.windows.get(key)
        if window is None or now >= window.start + self.policy.window:
            if window is None and len(self.windows) >= MAX_TRACKED_CLIENTS:
                self._forget(now)
            window = self.windows[key] = _Window(now, 0)
        return window

    def _forget(self, now: float) -> None:
        self.windows = {
            key: w for key, w in self.windows.items() if now < w.start + self.policy.window
        }
        while len(self.windows) >= MAX_TRACKED_CLIENTS:
            del self.windows[next(iter(self.windows))]

    async def _client_key(self, scope: Scope) -> str:
        for name, value in scope.get("headers", []):
            if name == b"authorization" and value:
                # A digest, so the table never holds a usable token.
                found = await self.token_digest(value.decode("latin-1"))
                if found is not None:
                    return "token:" + found
        client = scope.get("client")
        return "address:" + (client[0] if client else "unknown")


async def _refuse(
    send: Send, headers: list[tuple[bytes, bytes]], reset: int, policy: RatePolicy
) -> None:
    error = InferGraphError(
        f"more than {policy.requests} requests in {policy.window} s; try again in {reset} s",
        code="rate_limited",
        status=429,
        headers={"Retry-After": str(reset)},
    )
    await send_error(send, error, headers)
