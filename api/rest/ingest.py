"""Write routes: ingest arXiv entries and BibTeX files, review suggested technique links."""

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import AfterValidator, BaseModel, Field

from api.errors import InvalidInputError, Problem
from api.rest.auth import AUTH_ERRORS, WriteAccess
from api.rest.common import SessionDep
from api.rest.schemas import ErrorResponse
from api.services.ingest import (
    IngestReport,
    LinkStatus,
    SuggestionView,
    ingest_arxiv,
    ingest_bibtex,
    list_suggestions,
    review_suggestion,
)
from api.services.ingest.readers.arxiv_client import ArxivClient

router = APIRouter(tags=["curation"])

BIBTEX_EXAMPLE = """@inproceedings{leviathan2023fast,
  title = {Fast Inference from Transformers via Speculative Decoding},
  author = {Leviathan, Yaniv and Kalman, Matan and Matias, Yossi},
  booktitle = {International Conference on Machine Learning},
  year = {2023},
  eprint = {2211.17192},
  archiveprefix = {arXiv}
}
"""

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$", max_length=120)]
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    # PostgreSQL refuses NUL in text (a 500 if it got that far); none belongs in a query.
    if _CONTROL_CHARACTERS.search(value):
        raise ValueError("control characters (NUL, line breaks, …) are not allowed")
    return value


SearchText = Annotated[str, AfterValidator(_no_control_characters)]


class ArxivIngestRequest(BaseModel):
    ids: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=1000, description="arXiv ids, old or new style."
    )
    query: SearchText | None = Field(
        default=None,
        max_length=1000,
        description='arXiv search, e.g. `cat:cs.DC AND abs:"speculative decoding"`.',
    )
    max_results: int = Field(default=100, ge=1, le=10_000)
    techniques: list[Slug] = Field(
        default_factory=list, max_length=50, description="Link every paper to these techniques."
    )


class ProblemOut(BaseModel):
    message: str
    location: str | None = None
    field: str | None = None
    value: str | int | float | None = None


class IngestReportOut(BaseModel):
    run_id: int
    kind: str
    locator: str
    added: int
    updated: int
    merged: int
    unchanged: int
    failed: int
    failures: list[ProblemOut] = Field(
        description="Each failed entry: where (id or file:line) and why."
    )
    suggestions: int = Field(description="Technique links newly suggested for review.")
    links: int = Field(description="Explicit technique links made.")
    aborted: bool


class SuggestionOut(BaseModel):
    id: int
    paper: str = Field(description="Paper key.")
    paper_title: str | None
    technique: str
    technique_name: str
    origin: str
    status: LinkStatus
    score: float
    matched: list[str] = Field(description="The words that matched.")
    note: str | None
    created_at: datetime
    decided_at: datetime | None


class ReviewRequest(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


def _report(report: IngestReport) -> IngestReportOut:
    return IngestReportOut.model_validate(report.as_dict())


def _suggestion(view: SuggestionView) -> SuggestionOut:
    return SuggestionOut(
        id=view.id,
        paper=view.paper_key,
        paper_title=view.paper_title,
        technique=view.technique_slug,
        technique_name=view.technique_name,
        origin=str(view.origin),
        status=view.status,
        score=view.score,
        matched=list(view.matched),
        note=view.note,
        created_at=view.created_at,
        decided_at=view.decided_at,
    )


@router.post(
    "/ingest/arxiv",
    responses=AUTH_ERRORS,
    response_model=IngestReportOut,
    summary="Ingest arXiv entries",
    description="By `ids` or by a search `query` (one of the two). Entries are matched to stored "
    "papers (arXiv id, DOI, title + first author + year) and never duplicated.",
)
def post_ingest_arxiv(body: ArxivIngestRequest, request: Request, _: WriteAccess) -> Any:
    if bool(body.ids) == bool(body.query):
        raise InvalidInputError(
            "give ids or query, not both and not neither",
            [Problem("choose one", field="body")],
        )
    with request.app.state.ingest_slots.held():
        report = ingest_arxiv(
            request.app.state.engine,
            ids=body.ids,
            query=body.query,
            max_results=body.max_results,
            client=ArxivClient.from_settings(request.app.state.settings),
            techniques=body.techniques,
        )
    return _report(report)


@router.post(
    "/ingest/bibtex",
    responses={**AUTH_ERRORS, 413: {"model": ErrorResponse, "description": "File too large."}},
    response_model=IngestReportOut,
    summary="Ingest a BibTeX file",
    description="The request body is the file (any text content type). Each entry is written "
    "whole or not at all; failures name their line.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-bibtex": {"schema": {"type": "string"}, "example": BIBTEX_EXAMPLE}
            },
        }
    },
)
async def post_ingest_bibtex(
    request: Request,
    _: WriteAccess,
    file_name: Annotated[str, Query(max_length=200, pattern=r"^[^/\\\x00]+$")] = "upload.bib",
    technique: Annotated[list[Slug] | None, Query(max_length=50)] = None,
) -> Any:
    from starlette.concurrency import run_in_threadpool

    # `BodySizeLimit` (api/http/body_limit.py) refuses a file over INFERGRAPH_MAX_INGEST_BYTES
    # with 413 before or while it arrives, so reading it whole here is bounded.
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{file_name} is not UTF-8 text",
            [Problem(str(error), location=file_name)],
        ) from error
    with request.app.state.ingest_slots.held():
        report = await run_in_threadpool(
            ingest_bibtex,
            request.app.state.engine,
            text,
            file_name=file_name,
            techniques=technique or (),
        )
    return _report(report)


@router.get(
    "/suggestions", response_model=list[SuggestionOut], summary="Technique links for review"
)
def get_suggestions(
    session: SessionDep,
    status: Annotated[
        LinkStatus | None, Query(description="Default: suggested.")
    ] = LinkStatus.SUGGESTED,
    technique: Annotated[str | None, Query(max_length=120)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    return [
        _suggestion(v) for v in list_suggestions(session, status, technique=technique, limit=limit)
    ]


@router.post(
    "/suggestions/{suggestion_id}/accept",
    responses=AUTH_ERRORS,
    response_model=SuggestionOut,
    summary="Accept a suggested link",
)
def accept_suggestion(
    suggestion_id: Annotated[int, Field(ge=1, le=2**31 - 1)],
    request: Request,
    _: WriteAccess,
    body: ReviewRequest | None = None,
) -> Any:
    view = review_suggestion(
        request.app.state.engine, suggestion_id, accept=True, note=body.note if body else None
    )
    return _suggestion(view)


@router.post(
    "/suggestions/{suggestion_id}/reject",
    responses=AUTH_ERRORS,
    response_model=SuggestionOut,
    summary="Reject a suggested link",
)
def reject_suggestion(
    suggestion_id: Annotated[int, Field(ge=1, le=2**31 - 1)],
    request: Request,
    _: WriteAccess,
    body: ReviewRequest | None = None,
) -> Any:
    view = review_suggestion(
        request.app.state.engine, suggestion_id, accept=False, note=body.note if body else None
    )
    return _suggestion(view)
