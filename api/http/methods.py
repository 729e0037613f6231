"""HEAD and OPTIONS on every route, and an `Allow` header that lists every method of a path.

Starlette matches one route per method, so a path served by two routes (`GET` and `POST
/api/v1/tokens`) answered `Allow: GET` — the first route's methods only — and neither HEAD nor
OPTIONS was routed at all (405 on every GET route). Here, as plain ASGI in front of the
router:

* HEAD runs as GET and its body is dropped (headers, `Content-Length` included, are GET's);
* OPTIONS on a known path answers 204 with `Allow`, on an unknown one it goes on to the 404;
* every 405 carries the `Allow` of all routes of the path.
"""

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class MethodsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "HEAD":
            sending = _without_body(_with_allow(send, scope))
            await self.app({**scope, "method": "GET"}, receive, sending)
            return
        if method == "OPTIONS" and (allowed := _allowed(scope)):
            await send({"type": "http.response.start", "status": 204, "headers": [_allow(allowed)]})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, _with_allow(send, scope))


_PROBED = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _allowed(scope: Scope) -> list[str]:
    """Every method some route serves at this path, plus HEAD (with GET) and OPTIONS.

    Found by asking the router's own matching for each method: FastAPI nests included
    routers, so a flat list of routes and their methods is not there to read."""
    routes: list[BaseRoute] = scope["app"].router.routes
    methods = {
        method
        for method in _PROBED
        if any(route.matches({**scope, "method": method})[0] == Match.FULL for route in routes)
    }
    if not methods:
        return []
    return sorted(methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set()))


def _allow(methods: list[str]) -> tuple[bytes, bytes]:
    return b"allow", ", ".join(methods).encode()


def _without_body(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b""}
        await send(message)

    return sending


def _with_allow(send: Send, scope: Scope) -> Send:
    # The routes are walked only for a 405, not for every request.
    async def sending(message: Message) -> None:
        if (
            message["type"] == "http.response.start"
            and message["status"] == 405
            and (allowed := _allowed(scope))
        ):
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
            message = {**message, "headers": [*headers, _allow(allowed)]}
        await send(message)

    return sending
