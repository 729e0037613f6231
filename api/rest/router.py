"""/api/v1: every REST route, with the error responses OpenAPI should document."""

from fastapi import APIRouter, Depends

from api.rest import (
    benchmarks,
    changes,
    charts,
    engines,
    graph,
    hardware,
    ingest,
    market,
    papers,
    profile,
    provenance,
    run_imports,
    search,
    sync,
    techniques,
    tokens,
)
from api.rest.auth import authorize_read
from api.rest.nul import refuse_unstorable_input
from api.rest.query_names import refuse_unknown_query_names
from api.rest.schemas import ErrorResponse

ERRORS = {
    400: {"model": ErrorResponse, "description": "Invalid filter, cursor or parameter."},
    404: {"model": ErrorResponse, "description": "Unknown slug or key, with suggestions."},
}

router = APIRouter(
    prefix="/api/v1",
    responses=ERRORS,  # type: ignore[arg-type]
    # NUL first: it needs no database, and a NUL must never reach one.
    dependencies=[
        Depends(refuse_unstorable_input),
        Depends(refuse_unknown_query_names),
        Depends(authorize_read),
    ],
)
for domain in (
    engines,
    techniques,
    papers,
    hardware,
    market,
    benchmarks,
    profile,
    charts,
    provenance,
    search,
    graph,
    ingest,
    run_imports,
    sync,
    changes,
    tokens,
):
    router.include_router(domain.router)
