"""The FastAPI application."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.routing import Route
from starlette.types import ASGIApp

from api.cache import FrontedFastAPI, install_response_cache
from api.config import Settings, get_settings
from api.db import create_db_engine, read_route
from api.graphql.executor import PlannedExecutor
from api.graphql.http import GraphQLEndpoint
from api.graphql.limits import Limits
from api.graphql.schema import graphql_schema, schema
from api.http.body_limit import BodyLimit, BodySizeLimit, ReadDeadline
from api.http.cacheable import access_check
from api.http.cancel import CancelOnDisconnect
from api.http.compression import Compression, CompressionPolicy, EncodedCopies
from api.http.methods import MethodsMiddleware
from api.http.rate_limit import ClientRateLimit, RatePolicy
from api.mcp.lazy import LazyMCP
from api.rest import errors as rest_errors
from api.rest.lean import LeanReads
from api.rest.openapi_limits import with_page_size_bounds
from api.rest.openapi_text import with_storable_text
from api.rest.papers import LEAN_ROUTES
from api.rest.router import router as rest_router
from api.services.ingest.slots import IngestSlots
from api.services.stats import schema_revision
from api.services.tokens import authenticate, token_digest
from api.web import graphiql_page, is_page
from api.web import install as install_pages
from models.access import TokenScope

if TYPE_CHECKING:
    from api.mcp.server import InferGraphMCP


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = create_db_engine(settings.resolved_database_url, settings.statement_timeout)
    replica = None
    if settings.read_database_url:
        # Imported only with a replica configured: it loads the PostgreSQL driver, which a
        # SQLite server never needs (part of the cold start otherwise).
        from api.replica import attach_read_replica

        replica = attach_read_replica(engine, settings)
    graphql = graphql_endpoint(engine, settings)

    def build_mcp() -> tuple[ASGIApp, Callable[[], AbstractAsyncContextManager[Any]]]:
        assistants = mcp_server(engine, settings, graphql)
        # Stateless: every MCP request stands alone (the tools only read), so any worker can
        # answer it and no session outlives its request.
        mcp_http = assistants.streamable_http_app(
            streamable_http_path="/mcp", stateless_http=True, json_response=True, host=settings.host
        )
        return mcp_http, assistants.session_manager.run

    mcp_route = LazyMCP(build_mcp)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with mcp_route.running():
            yield
        if replica is not None:
            replica.close()

    app = FrontedFastAPI(
        title="InferGraph",
        summary="A knowledge graph of LLM inference engines, techniques, papers and hardware.",
        version="0.1.0",
        lifespan=lifespan,
        # Served by api/web from vendored copies instead: FastAPI's load from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.ingest_slots = IngestSlots(settings.max_concurrent_ingests)
    rest_errors.install(app)
    app.add_middleware(MethodsMiddleware)
    # REST reads stop their statement when the client leaves (GraphQL watches on its own).
    app.add_middleware(CancelOnDisconnect, prefix="/api/v1/")
    # Before the REST routes: FastAPI builds each route's context (its parameters' and
    # response's pydantic schemas, ~0.6 s for all of them) on the first request that walks
    # past it, so a first GraphQL query placed after them paid for every REST route.
    app.add_route("/graphql", graphql.handle, methods=["GET", "POST"], include_in_schema=False)
    app.include_router(rest_router)
    documented = with_storable_text(app.openapi)
    bounded = with_page_size_bounds(documented, settings.max_page_size, settings.max_list_values)
    app.openapi = bounded  # type: ignore[method-assign]
    install_pages(app, app.exception_handlers[HTTPException])

    # A route, not a mount: mounted, it would answer only `/mcp/`. Built on first use.
    app.router.routes.append(Route("/mcp", mcp_route))

    @app.get(
        "/health",
        tags=["meta"],
        summary="Liveness and database reachability",
        description="503 `database_unavailable`, with `Retry-After`, while the database "
        "cannot be reached. With a read replica, `read_replica` tells whether reads go to it "
        "(a replica that is down or behind only sends them to the primary: still 200).",
    )
    def health() -> dict[str, Any]:
        with Session(engine) as session:
            revision = schema_revision(session.connection())
        answer: dict[str, Any] = {
            "status": "ok",
            "database": engine.dialect.name,
            "schema_revision": revision,
        }
        if (route := read_route(engine)) is not None:
            answer["read_replica"] = route.health()
        return answer

    if settings.lean_reads:
        # Innermost of the fronts: the cache, compression and the limits see its requests
        # as they see every other.
        app.set_front(lambda inner: LeanReads(inner, app, LEAN_ROUTES))
    install_response_cache(app, engine, settings, pages=is_page)
    # In front of the cache, which reads GraphQL bodies for its key: no reader of ours waits
    # on a body longer, or for more bytes, than the bounds allow.
    app.set_front(
        lambda inner: BodySizeLimit(
            inner,
            default=BodyLimit(settings.max_body_bytes, "INFERGRAPH_MAX_BODY_BYTES"),
            deadline=ReadDeadline(settings.body_read_timeout, "INFERGRAPH_BODY_READ_TIMEOUT"),
            per_path={
                path: BodyLimit(settings.max_ingest_bytes, "INFERGRAPH_MAX_INGEST_BYTES")
                for path in ("/api/v1/ingest/bibtex", "/api/v1/ingest/runs", "/api/v1/sync/survey")
            },
        )
    )
    if settings.compression:
        # Outside the cache: it keeps one plain copy and every encoding is made from it.
        copies = EncodedCopies(settings.response_cache_bytes // 4)
        compression_policy = CompressionPolicy(settings.compression_min_bytes, copies)
        app.set_front(lambda inner: Compression(inner, compression_policy))
    if settings.rate_limit_requests > 0:
        # In front of the cache: a cached answer is still a request the client made.
        policy = RatePolicy(settings.rate_limit_requests, settings.rate_limit_window)
        app.set_front(lambda inner: ClientRateLimit(inner, policy, _token_digest(engine)))
    return app


def graphql_endpoint(engine: sa.Engine, settings: Settings) -> GraphQLEndpoint:
    limits = Limits(
        max_document_bytes=settings.graphql_max_document_bytes,
        max_tokens=settings.graphql_max_tokens,
        max_depth=settings.graphql_max_depth,
        max_aliases=settings.graphql_max_aliases,
        max_page_size=settings.max_page_size,
        max_list_values=settings.max_list_values,
        max_cost=settings.graphql_max_cost,
        max_response_bytes=settings.graphql_max_response_bytes,
    )
    return GraphQLEndpoint(
        graphql_schema,
        engine,
        limits,
        PlannedExecutor(schema),
        authorize=_read_check(engine) if settings.read_requires_token else None,
        ide_page=graphiql_page(),
    )


def mcp_server(
    engine: sa.Engine, settings: Settings, graphql: GraphQLEndpoint | None = None
) -> "InferGraphMCP":
    """The MCP server over `engine`; its GraphQL tool runs requests as `/graphql` would."""
    # Imported here: the SDK is slow to import and only /mcp and `infergraph mcp` need it.
    from api.mcp.passthrough import GraphQLPort
    from api.mcp.server import build_server

    endpoint = graphql or graphql_endpoint(engine, settings)
    return build_server(engine, settings, GraphQLPort(endpoint.run_read, schema.as_str()))


def _token_digest(engine: sa.Engine) -> Callable[[str], Awaitable[str | None]]:
    async def valid(authorization: str) -> str | None:
        try:
            return await run_in_threadpool(token_digest, engine, authorization)
        except sa.exc.SQLAlchemyError:  # no database: the client is its address meanwhile
            return None

    return valid


def _read_check(engine: sa.Engine) -> Callable[[Request], None]:
    def check(request: Request) -> None:
        with access_check():
            authenticate(engine, request.headers.get("authorization"), TokenScope.READ)

    return check
