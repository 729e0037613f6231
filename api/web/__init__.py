"""Pages for people: server-rendered HTML over the same service functions REST calls, and
the browser assets (GraphiQL, Swagger UI, ReDoc, our own CSS and scripts) served from this
package, so every page works with no network (docs/web.md)."""

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response

from api.errors import InferGraphError
from api.web.catalog import router as catalog_router
from api.web.charts import router as charts_router
from api.web.compare import router as compare_router
from api.web.home import graphiql_page
from api.web.home import router as home_router
from api.web.matrices import router as matrices_router
from api.web.rendering import STATIC_DIR, STATIC_PREFIX, error_page
from api.web.sessions import page_version

__all__ = ["graphiql_page", "install", "is_page"]

SECTIONS = frozenset(
    {
        "search",
        "engines",
        "organizations",
        "techniques",
        "categories",
        "papers",
        "platforms",
        "precisions",
        "benchmark-runs",
        "model-prices",
        "device-prices",
        "prices",
        "sources",
        "matrices",
        "compare",
        "requirements",
        "charts",
    }
)
"""First path segments of the pages that read the graph (the response cache keeps them)."""


def is_page(path: str) -> bool:
    return path == "/" or path.split("/", 2)[1] in SECTIONS


HttpErrorHandler = Callable[[Request, Any], Response | Awaitable[Response]]
"""As Starlette keeps exception handlers."""
MACHINE_PREFIXES = ("/api/", "/graphql", "/mcp", "/health", "/openapi.json", STATIC_PREFIX)
"""Paths machines read: their errors stay in the JSON error shape whoever asks."""


def install(app: FastAPI, machine_errors: HttpErrorHandler | None = None) -> None:
    """The pages, `/docs` and `/redoc` (the app is built with FastAPI's own turned off), and
    the static files under `/static`. With `machine_errors` (REST's handler of HTTP errors),
    a browser asking for a path nobody serves gets an error page; machines keep that JSON."""
    for router in (
        home_router,
        catalog_router,
        matrices_router,
        compare_router,
        charts_router,
    ):
        app.include_router(router, dependencies=[Depends(page_version)])
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="static")
    if machine_errors is not None:
        app.add_exception_handler(HTTPException, _pages_for_browsers(machine_errors))


def _pages_for_browsers(machine_errors: HttpErrorHandler) -> HttpErrorHandler:
    async def handle(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)  # registered for HTTPException only
        path = request.url.path
        browser = "text/html" in request.headers.get("accept", "")
        if not browser or path.startswith(MACHINE_PREFIXES) or error.status_code != 404:
            answer = machine_errors(request, error)
            return await answer if inspect.isawaitable(answer) else answer
        missing = InferGraphError("no page here", code="not_found", status=404)
        return error_page(request, missing)

    return handle
