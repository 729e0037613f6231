"""Write route: plan (and apply) a sync of the survey's facts with a newer list README."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.errors import InvalidInputError, Problem
from api.rest.auth import AUTH_ERRORS, WriteAccess
from api.rest.readme_schema import README_BODY
from api.rest.schemas import ErrorResponse
from api.services.history import AS_OF_PATTERN
from api.services.survey_sync import decode_readme, list_reviews, sync_survey

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
    review: str | None = Field(
        description="`accepted` or `rejected` when a stored decision covers it."
    )
    reviewed_by: str | None
    reviewed_at: str | None


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
    rejected: int
    accepted: int
    unparsed: int
    new_sections: int


class ReferenceOut(BaseModel):
    url: str
    label: str
    paper: str | None = Field(description="The paper's cite key.")
    outcome: str = Field(description="`joined`, `added from arXiv` or `added from the README`.")
    message: str


class SyncPlanOut(BaseModel):
    dry_run: bool
    applied: list[str]
    rejected: list[str]
    references: list[ReferenceOut]
    source_version: str | None
    withheld: str | None = Field(
        description="Why nothing was written with `dry_run=false`: lines not understood "
        "(`unparsed`) and no `skip_unparsed`."
    )
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
        409: {
            "model": ErrorResponse,
            "description": "`accept` names changes not writable now, or `source_version` / "
            "`source_date` come before the newest version.",
        },
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
            "content": {"text/markdown": {"schema": README_BODY, "example": README_EXAMPLE}},
        }
    },
)
async def post_sync_survey(
    request: Request,
    token: WriteAccess,
    dry_run: Annotated[bool, Query(description="Plan only (default); false writes.")] = True,
    skip_unparsed: Annotated[
        bool, Query(description="Write even if some lines were not understood.")
    ] = False,
    file_name: Annotated[str, Query(max_length=200, pattern=r"^[^/\\\x00]+$")] = "README.md",
    accept: Annotated[
        list[Annotated[str, Field(max_length=700)]] | None,
        Query(max_length=100, description="Held changes (ids) to write too."),
    ] = None,
    reject: Annotated[
        list[Annotated[str, Field(max_length=700)]] | None,
        Query(max_length=100, description="Held changes (ids) to reject: kept out of later plans."),
    ] = None,
    source_version: Annotated[
        str | None,
        Query(
            max_length=60,
            pattern=AS_OF_PATTERN,
            description="The source version the changes are written into (default: its date); "
            "an older version than the newest is a 409.",
        ),
    ] = None,
    source_date: Annotated[
        str | None,
        Query(
            pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            json_schema_extra={"format": "date"},
            description="The README's date, YYYY-MM-DD (default: the version's name if a date, "
            "or today).",
        ),
    ] = None,
) -> Any:
    from starlette.concurrency import run_in_threadpool

    released_on = _date(source_date)
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
                reject=reject or (),
                reviewer=f"token {token.name}",
                source_version=source_version,
                source_date=released_on,
                refuse_incomplete=False,
            )
            return result.to_json()

    if dry_run:
        return await run_in_threadpool(run)
    # One writer at a time, like the ingests: a sync is a bulk write.
    with request.app.state.ingest_slots.held():
        return await run_in_threadpool(run)


class ReviewOut(BaseModel):
    change_id: str
    kind: str
    old: str | None
    new: str | None
    decision: str
    decided_by: str
    decided_at: str


@router.get(
    "/sync/reviews",
    responses=AUTH_ERRORS,
    response_model=list[ReviewOut],
    summary="Decisions on held changes of the survey sync",
    description="Every accepted and rejected held change, newest first. A decision covers a "
    "change while the README says what it said when decided (docs/sync.md).",
)
def get_sync_reviews(request: Request, _: WriteAccess) -> Any:
    with Session(request.app.state.engine) as session:
        return list_reviews(session)


def _date(text: str | None) -> date | None:
    """The calendar date `text` names (the pattern lets 2026-02-30 through; this does not)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(
            "source_date is not a date",
            [Problem("not a calendar date", location="query", field="source_date", value=text)],
        ) from None
