"""Write route: plan (and apply) a sync of the survey's facts with a newer list README."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.rest.auth import AUTH_ERRORS, WriteAccess
from api.rest.schemas import ErrorResponse
from api.services.survey_sync import decode_readme, sync_survey

router = APIRouter(tags=["curation"])

README_EXAMPLE = """## 📌 Optimization Coverage Matrix

| Framework | Dynamic Batching | Continuous Batching |
|-----------|------------------|---------------------|
| Ollama    | ✅               | ❌                  |
"""


class ChangeOut(BaseModel):
    id: str
    kind: str
    table: str
    row: str | None
    column: str | None
    old: str | None
    new: str | None
    line: int | None
    held: bool
    reason: str


class UnparsedOut(BaseModel):
    line: int
    text: str
    reason: str


class SectionOut(BaseModel):
    heading: str
    line: int
    level: int


class CountsOut(BaseModel):
    changes: int
    applicable: int
    held: int
    unparsed: int
    new_sections: int


class SyncPlanOut(BaseModel):
    dry_run: bool
    applied: list[str]
    complete: bool
    empty: bool
    counts: CountsOut
    changes: list[ChangeOut]
    unparsed: list[UnparsedOut]
    new_sections: list[SectionOut]


@router.post(
    "/sync/survey",
    responses={
        **AUTH_ERRORS,
        409: {"model": ErrorResponse, "description": "`accept` names changes not writable now."},
        413: {"model": ErrorResponse, "description": "File too large."},
    },
    response_model=SyncPlanOut,
    summary="Sync the survey's facts with a newer list README",
    description="The request body is the README (any text content type). With `dry_run` (the "
    "default) the plan is returned and nothing is written; with `dry_run=false` the changes "
    "not held for review are written in one transaction, and only if every line was "
    "understood (or `skip_unparsed`). See docs/sync.md.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/markdown": {"schema": {"type": "string"}, "example": README_EXAMPLE}},
        }
    },
)
async def post_sync_survey(
    request: Request,
    _: WriteAccess,
    dry_run: Annotated[bool, Query(description="Plan only (default); false writes.")] = True,
    skip_unparsed: Annotated[
        bool, Query(description="Write even if some lines were not understood.")
    ] = False,
    file_name: Annotated[str, Query(max_length=200, pattern=r"^[^/\\\x00]+$")] = "README.md",
    accept: Annotated[
        list[Annotated[str, Field(max_length=700)]] | None,
        Query(max_length=100, description="Held changes (ids) to write too."),
    ] = None,
) -> Any:
    from starlette.concurrency import run_in_threadpool

    # `BodySizeLimit` bounds the body (INFERGRAPH_MAX_INGEST_BYTES) before it is read whole.
    text = decode_readme(await request.body(), file_name)

    def run() -> dict[str, Any]:
        with Session(request.app.state.engine) as session:
            result = sync_survey(
                session,
                text,
                file=file_name,
                apply=not dry_run,
                skip_unparsed=skip_unparsed,
                accept=accept or (),
            )
            return result.to_json()

    if dry_run:
        return await run_in_threadpool(run)
    # One writer at a time, like the ingests: a sync is a bulk write.
    with request.app.state.ingest_slots.held():
        return await run_in_threadpool(run)
