"""Pages for people: server-rendered HTML over the same service functions REST calls, and
the browser assets (GraphiQL, Swagger UI, ReDoc, our own CSS and scripts) served from this
package, so every page works with no network (docs/web.md)."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web.catalog import router as catalog_router
from api.web.charts import router as charts_router
from api.web.compare import router as compare_router
from api.web.home import graphiql_page
from api.web.home import router as home_router
from api.web.matrices import router as matrices_router
from api.web.rendering import STATIC_DIR, STATIC_PREFIX

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


def install(app: FastAPI) -> None:
    """The pages, `/docs` and `/redoc` (the app is built with FastAPI's own turned off), and
    the static files under `/static`."""
    for router in (
        home_router,
        catalog_router,
        matrices_router,
        compare_router,
        charts_router,
    ):
        app.include_router(router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="static")
