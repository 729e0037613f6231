"""A lean path for the hottest REST reads: the same endpoint functions, without FastAPI's
per-request machinery around them.

For a GET of a route registered here (`LeanRoute`), this plain-ASGI front, placed inside the
response cache, compression, body and rate limits, does what FastAPI would do around the
endpoint, in less: the query string is validated by the very fields FastAPI built from the
endpoint's signature (once, at start-up, not per request), the endpoint runs with its session
in one hop to a worker thread, rows of JSON-native views are encoded straight from the
service's dicts (`plain_json`), and an error goes through the application's own exception
handlers. What this path does not answer identically it hands to FastAPI untouched: a HEAD,
any parameter FastAPI would refuse (its 400 is FastAPI's own), an unknown query name, text no
database stores, another format than JSON, reads that need a token. tests/rest/test_lean.py
compares this path's bytes with FastAPI's for many requests.
"""

import inspect
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import anyio
from fastapi import FastAPI, Request, Response
from fastapi._compat import ModelField
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant, request_params_to_args
from sqlalchemy.pool import QueuePool
from sqlmodel import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from api.http.cancel import CancelOnDisconnect, canceller_of
from api.rest.common import opened_session, plain_json
from api.rest.query_names import declared_query_names
from api.services.unstorable import text_refusal

Handler = Callable[[Request, Any], Response | Awaitable[Response]]
DEFAULT_READS = 4
"""Reads at once on an engine without a sized pool (one connection per thread, say)."""
LeanAnswer = Callable[[Request, Session, dict[str, Any]], Response]
"""Runs in a worker thread: the endpoint, called with the validated parameters (by their
Python names; path parameters among them) and the request's session."""


@dataclass(frozen=True)
class LeanRoute:
    """One GET route on the lean path. `path` is the route's path as FastAPI declares it
    (`{key}` for its parameters); `match` tells whether a request's path is this route's
    (and not a route's FastAPI would try first) and gives its path parameters; `endpoint`
    is the FastAPI endpoint, whose signature gives the query parameters as FastAPI reads
    them; `answers` whether this path answers a request so validated (else FastAPI does)."""

    path: str
    match: Callable[[str], dict[str, str] | None]
    endpoint: Callable[..., Any]
    answer: LeanAnswer
    answers: Callable[[Request, dict[str, Any]], bool] = lambda _request, _values: True


def _query_fields(dependant: Dependant) -> list[ModelField]:
    """The query parameters of an endpoint and of its dependencies, in FastAPI's order."""
    fields = list(dependant.query_params)
    for dependency in dependant.dependencies:
        fields += _query_fields(dependency)
    return fields


class LeanReads:
    """The front answering `routes` (for `app`); everything else goes on to `inner`."""

    def __init__(self, inner: ASGIApp, app: FastAPI, routes: list[LeanRoute]) -> None:
        self.inner = inner
        self.app = app
        self.routes = routes
        # Read once, here: what FastAPI reads from the signatures on every request.
        dependants = {
            id(route): get_dependant(path=route.path, call=route.endpoint) for route in routes
        }
        self.names = {key: declared_query_names(found) for key, found in dependants.items()}
        self.fields = {key: _query_fields(found) for key, found in dependants.items()}
        self.cancelling = CancelOnDisconnect(self._answer, prefix="/")
        self._limiter: anyio.CapacityLimiter | None = None

    def limiter(self) -> anyio.CapacityLimiter:
        """As many reads at once as the engine's pool keeps connections. More would wait in
        the pool for one (every waiter contending for its lock), and past the pool's size
        its overflow connections are opened and closed per request: with 32 clients, most of
        the CPU went there. Made at the first request, in the event loop's thread."""
        if self._limiter is None:
            pool = self.app.state.engine.pool
            size = pool.size() if isinstance(pool, QueuePool) else DEFAULT_READS
            self._limiter = anyio.CapacityLimiter(max(1, size))
        return self._limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.inner(scope, receive, send)
            return
        for route in self.routes:
            path_params = route.match(scope["path"])
            if path_params is None:
                continue
            lean_scope = {**scope, "app": self.app, "path_params": path_params}
            values = self._validated(route, Request(lean_scope), path_params)
            if values is None:
                break
            lean_scope["infergraph.lean"] = (route, values)
            await self.cancelling(lean_scope, receive, send)
            return
        await self.inner(scope, receive, send)

    def _validated(
        self, route: LeanRoute, request: Request, path_params: Mapping[str, str]
    ) -> dict[str, Any] | None:
        """The query parameters as FastAPI reads them, or None where FastAPI must answer."""
        if self.app.state.settings.read_requires_token:
            return None
        query = request.query_params
        known = self.names[id(route)]
        for name, value in query.multi_items():
            if name not in known or text_refusal(name) or text_refusal(value):
                return None
        if any(text_refusal(value) for value in path_params.values()):
            return None
        values, errors = request_params_to_args(self.fields[id(route)], query)
        if errors:
            return None
        values.update(path_params)
        return values if route.answers(request, values) else None

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        route, values = scope["infergraph.lean"]
        request = Request(scope, receive)
        try:
            response = await anyio.to_thread.run_sync(
                self._run, route, request, values, limiter=self.limiter()
            )
        except Exception as error:
            handler, unexpected = self._handler(error)
            if handler is None:
                raise
            answer = handler(request, error)
            await (await answer if inspect.isawaitable(answer) else answer)(scope, receive, send)
            if unexpected:
                raise  # as Starlette does after its 500: the server logs it too
            return
        await response(scope, receive, send)

    def _run(self, route: LeanRoute, request: Request, values: dict[str, Any]) -> Response:
        engine = self.app.state.engine
        opened: AbstractContextManager[Session] = opened_session(engine, values.get("as_of"))
        canceller = canceller_of(request)
        assert canceller is not None, "every lean read runs inside CancelOnDisconnect"
        with opened as session, plain_json(), canceller.watching(session):
            return route.answer(request, session, values)

    def _handler(self, error: Exception) -> tuple[Handler | None, bool]:
        """The application's handler for `error`, as Starlette looks one up (that of the
        nearest of its classes), and whether it is the handler of last resort (a 500)."""
        handlers = self.app.exception_handlers
        for kind in type(error).__mro__:
            if kind in handlers:
                handler: Handler = handlers[kind]
                return handler, kind is Exception
        return None, False
