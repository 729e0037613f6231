"""The start page, search, and the API explorers (Swagger UI, ReDoc, GraphiQL) served from
our own pinned copies."""

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from api.services.search import MAX_QUERY_LENGTH, search
from api.services.stats import data_version, graph_counts
from api.web.rendering import STATIC_PREFIX, PageRoute, render, single, templates, twin
from api.web.sessions import SessionDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)
VENDOR = f"{STATIC_PREFIX}/vendor"
FAVICON = f"{STATIC_PREFIX}/favicon.svg"
SEARCH_LIMIT = 50

_SHOWN_COUNTS = (
    ("engines", "engines", "/engines"),
    ("techniques", "techniques", "/techniques"),
    ("technique categories", "technique categories", "/categories"),
    ("papers", "papers", "/papers"),
    ("organizations", "organizations", "/organizations"),
    ("platforms", "platforms", "/platforms"),
    ("precisions", "precisions", "/precisions"),
    ("feature support facts", "optimization-matrix facts", "/matrices/optimization"),
    ("platform support facts", "hardware-matrix facts", "/matrices/hardware"),
    ("precision support facts", "precision-matrix facts", "/matrices/precision"),
    ("benchmark runs", "benchmark runs", "/benchmark-runs"),
    ("model prices", "model prices", "/model-prices"),
    ("device prices", "device prices", "/device-prices"),
)


@router.get("/")
def landing(request: Request, session: SessionDep) -> HTMLResponse:
    counts = graph_counts(session, [name for name, _label, _href in _SHOWN_COUNTS])
    return render(
        request,
        "home.html",
        title="InferGraph",
        counts=[(label, counts[name], href) for name, label, href in _SHOWN_COUNTS],
        version=data_version(session),
        twins=[("OpenAPI", "/openapi.json"), ("survey tables JSON", "/api/v1/tables")],
    )


@router.get("/search")
def search_page(request: Request, session: SessionDep) -> HTMLResponse:
    query = single(request.query_params, "q", max_length=MAX_QUERY_LENGTH) or ""
    # An empty box submitted is a person who has not typed yet: the form, not an error.
    hits = search(session, query, SEARCH_LIMIT) if query.strip() else []
    paths = {"engine": "/engines/", "technique": "/techniques/", "paper": "/papers/"}
    return render(
        request,
        "search.html",
        title=f"Search: {query}" if query.strip() else "Search",
        query=query,
        hits=[(hit.kind, hit.title or hit.key, paths[hit.kind] + hit.key) for hit in hits],
        twins=[("JSON", twin(request, "/api/v1/search"))],
    )


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="InferGraph REST API",
        swagger_js_url=f"{VENDOR}/swagger-ui-dist/swagger-ui-bundle.js",
        swagger_css_url=f"{VENDOR}/swagger-ui-dist/swagger-ui.css",
        swagger_favicon_url=FAVICON,
        # The validator badge would send the document to an outside service.
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return get_redoc_html(
        openapi_url="/openapi.json",
        title="InferGraph REST API reference",
        redoc_js_url=f"{VENDOR}/redoc/redoc.standalone.js",
        redoc_favicon_url=FAVICON,
        with_google_fonts=False,
    )


def graphiql_page() -> str:
    """GraphiQL from the vendored React and GraphiQL builds; `/graphql` answers a browser's
    GET with it."""
    return templates.get_template("graphiql.html").render()
