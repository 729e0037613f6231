"""Write routes: ingest arXiv entries and BibTeX files, review suggested technique links."""

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from api.db import as_utc
from api.errors import InvalidInputError, NotFoundError, Problem
from api.rest.auth import AUTH_ERRORS, WriteAccess
from api.rest.common import SessionDep, cursor_param, rest_words
from api.rest.schemas import STORABLE_TEXT, ErrorResponse, PageMeta, RequestBody, Slug
from api.services import paper_merges
from api.services.ingest import (
    IngestReport,
    LinkStatus,
    SuggestionView,
    ingest_arxiv,
    ingest_bibtex,
    list_suggestions,
    review,
    review_suggestion,
)
from api.services.ingest.readers.arxiv_client import ArxivClient
from api.services.ingest.readers.identifiers import ARXIV_ID_PATTERN
from api.services.pagination import PageRequest, page_request
from models.ingest import ConflictStatus, EntryOutcome, IngestStatus

router = APIRouter(tags=["curation"])

BIBTEX_EXAMPLE = """@comment{One paper of the survey, as BibTeX.}
@inproceedings{leviathan2023fast,
  title = {Fast Inference from Transformers via Speculative Decoding},
  author = {Leviathan, Yaniv and Kalman, Matan and Matias, Yossi},
  booktitle = {International Conference on Machine Learning},
  year = {2023},
  eprint = {2211.17192},
  archiveprefix = {arXiv}
}
"""

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    # PostgreSQL refuses NUL in text (a 500 if it got that far); none belongs in a query.
    if _CONTROL_CHARACTERS.search(value):
        raise ValueError("control characters (NUL, line breaks, …) are not allowed")
    return value


SearchText = Annotated[str, AfterValidator(_no_control_characters)]


class ArxivIngestRequest(RequestBody):
    """arXiv ids or a search query: exactly one of the two."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["ids"],
                    "properties": {"ids": {"minItems": 1}, "query": {"type": "null"}},
                },
                {
                    "required": ["query"],
                    "properties": {
                        "query": {"type": "string", "minLength": 1},
                        "ids": {"maxItems": 0},
                    },
                },
            ]
        },
    )

    ids: list[Annotated[str, Field(max_length=40, pattern=ARXIV_ID_PATTERN)]] = Field(
        default_factory=list, max_length=1000, description="arXiv ids, old or new style."
    )
    query: SearchText | None = Field(
        default=None,
        max_length=1000,
        description='arXiv search, e.g. `cat:cs.DC AND abs:"speculative decoding"`.',
        # What `_no_control_characters` refuses, said in the document.
        json_schema_extra={"pattern": "^[^\\u0000-\\u001f\\u007f]*$"},
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


class EntryOut(BaseModel):
    position: int = Field(description="Order of the entry in the input, from 0.")
    location: str = Field(description="The arXiv id, or `file:line`.")
    outcome: EntryOutcome
    entry_key: str | None = Field(description="The cite key the file gave the entry.")
    paper_key: str | None = Field(description="The paper it is now part of.")
    fields: list[str] = Field(description="Columns an updated or merged entry changed.")
    evidence: str | None = Field(
        description="What identified the stored paper it joined: `doi`, `arxiv id`, "
        "`title, authors and year` or `cite key`."
    )
    message: str | None = Field(description="Why it failed, or what the conflict is.")
    conflict_id: int | None = Field(description="The conflict recorded for it.")


ENTRIES_IN_ANSWER = 500
"""Entries an ingest's answer carries; the rest are paged from `entries_next`."""


class IngestReportOut(BaseModel):
    run_id: int
    kind: str
    locator: str
    added: int
    updated: int
    merged: int
    unchanged: int
    conflicts: int = Field(description="Entries that met a paper conflict (see `entries`).")
    failed: int
    failures: list[ProblemOut] = Field(
        description="Each failed entry: where (id or file:line) and why."
    )
    suggestions: int = Field(description="Technique links newly suggested for review.")
    links: int = Field(description="Explicit technique links made.")
    aborted: bool
    entries: list[EntryOut] = Field(
        description=f"Each entry's outcome in input order, the first {ENTRIES_IN_ANSWER}."
    )
    entries_next: str | None = Field(
        description="Where the run's further entries are paged (`/ingest-runs/{id}/entries`)."
    )


class RunOut(BaseModel):
    id: int
    kind: str
    locator: str
    status: IngestStatus
    started_at: datetime
    finished_at: datetime | None
    outcomes: dict[str, int] = Field(description="Entries per outcome.")
    failures: list[ProblemOut]
    entries: str = Field(description="Where its entries are paged.")


class EntryPage(BaseModel):
    results: list[EntryOut]
    meta: PageMeta


class ConflictOut(BaseModel):
    id: int
    paper: str = Field(description="Key of the paper the incoming entry was stored as.")
    paper_title: str | None
    other: str = Field(description="Key of the stored paper the weaker evidence pointed at.")
    other_title: str | None
    evidence: str = Field(description="What the two share, e.g. `arXiv id 2309.06180`.")
    fields: dict[str, Any] = Field(
        description="Each field that disagrees: {field: [value of paper, value of other]}."
    )
    location: str | None
    run_id: int | None
    status: ConflictStatus
    note: str | None
    created_at: datetime
    decided_at: datetime | None


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

    @field_validator("created_at", "decided_at")
    @classmethod
    def _in_utc(cls, moment: datetime | None) -> datetime | None:
        # SQLite gives the stored UTC time back without its zone; RFC 3339 (`date-time` in
        # the document) needs one.
        return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


class ReviewRequest(RequestBody):
    note: str | None = Field(default=None, max_length=2000, json_schema_extra=STORABLE_TEXT)


def _report(request: Request, report: IngestReport) -> IngestReportOut:
    data = report.as_dict()
    data["entries"] = data["entries"][:ENTRIES_IN_ANSWER]
    more = len(report.entries) > ENTRIES_IN_ANSWER
    data["entries_next"] = (
        str(
            request.url_for("ingest_run_entries", run_id=report.run_id).include_query_params(
                after_position=ENTRIES_IN_ANSWER - 1
            )
        )
        if more
        else None
    )
    return IngestReportOut.model_validate(data)


def _entry(entry: Any) -> EntryOut:
    return EntryOut(
        position=entry.position,
        location=entry.location,
        outcome=entry.outcome,
        entry_key=entry.entry_key,
        paper_key=entry.paper_key,
        fields=list(entry.fields),
        evidence=entry.evidence,
        message=entry.message,
        conflict_id=entry.conflict_id,
    )


def _conflict(view: review.ConflictView) -> ConflictOut:
    return ConflictOut(
        id=view.id,
        paper=view.paper_key,
        paper_title=view.paper_title,
        other=view.other_key,
        other_title=view.other_title,
        evidence=view.evidence,
        fields=view.fields,
        location=view.location,
        run_id=view.run_id,
        status=view.status,
        note=view.note,
        created_at=view.created_at,
        decided_at=view.decided_at,
    )


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
    return _report(request, report)


BIBTEX_TEXT = {
    "type": "string",
    "description": "A BibTeX file: text that holds at least one block (`@article{…}`, "
    "`@comment{…}`, …); a file with none is refused, unusable entries are failures in the "
    "report.",
    # What is sure to hold a block the reader counts (checked by drawing texts from it in
    # tests/rest/test_documented_grammars.py): no block before it, then a comment or an
    # entry with a plain key; anything after. No NUL anywhere (the reader refuses it).
    "pattern": "^[^\\u0000@]*@(?:comment\\{[^{}@\\\\\\u0000]*\\}"
    "|[A-Za-z]{1,20}\\{[A-Za-z0-9:_.-]{1,50},?\\})[^\\u0000]*$",
}


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
                # `text/plain` too, first and with the example: clients (and schemathesis)
                # that know no BibTeX media type send the same file as plain text; the route
                # reads any text type alike.
                "text/plain": {"schema": BIBTEX_TEXT, "example": BIBTEX_EXAMPLE},
                "application/x-bibtex": {"schema": BIBTEX_TEXT},
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
    return _report(request, report)


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


RunId = Annotated[str, Path(max_length=20, description="The number it was given.")]


def _number(text: str, what: str) -> int:
    """Ids are numbers; anything else names nothing (a 404, like every unknown key)."""
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**31:
        raise NotFoundError(
            f"no {what} with id {text}", [Problem("not found", field="id", value=text)]
        )
    return int(text)


@router.get("/ingest-runs", response_model=list[RunOut], summary="Ingest runs, newest first")
def get_ingest_runs(
    request: Request, session: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> Any:
    return [_run(request, session, run) for run in review.list_runs(session, limit)]


@router.get("/ingest-runs/{run_id}", response_model=RunOut, summary="One ingest run")
def get_ingest_run(request: Request, run_id: RunId, session: SessionDep) -> Any:
    return _run(request, session, review.get_run(session, _number(run_id, "ingest run")))


def _run(request: Request, session: Any, run: Any) -> RunOut:
    return RunOut(
        id=run.id,
        kind=str(run.kind),
        locator=run.locator,
        status=run.status,
        started_at=as_utc(run.started_at),
        finished_at=as_utc(run.finished_at) if run.finished_at else None,
        outcomes=review.run_outcomes(session, run.id),
        failures=[ProblemOut.model_validate(f) for f in run.failures or []],
        entries=str(request.url_for("ingest_run_entries", run_id=run.id)),
    )


EntryCursor = cursor_param([review.ENTRY_KEYS])


@router.get(
    "/ingest-runs/{run_id}/entries",
    response_model=EntryPage,
    summary="Each entry of an ingest run and its outcome",
    name="ingest_run_entries",
)
def get_ingest_run_entries(
    request: Request,
    run_id: RunId,
    session: SessionDep,
    outcome: Annotated[list[EntryOutcome] | None, Query(max_length=6)] = None,
    per_page: Annotated[int | None, Query(ge=0)] = None,
    cursor: EntryCursor = None,  # type: ignore[valid-type]
    after_position: Annotated[
        int | None, Query(ge=-1, le=2**31 - 1, description="Start after this position.")
    ] = None,
) -> Any:
    size = per_page if per_page is not None else ENTRIES_IN_ANSWER
    page = page_request(size, cursor, request.app.state.settings.max_page_size, "per_page")
    # The cursor is checked before the run is looked up: a forged one is a 400 whatever
    # the path names. A path that is no number names no run (id 0 never exists).
    number = run_id.isascii() and run_id.isdigit() and 0 < int(run_id) < 2**31
    try:
        with rest_words():
            found = review.run_entries(
                session,
                int(run_id) if number else 0,
                outcome or (),
                PageRequest(page.first, page.after),
                after_position,
            )
    except NotFoundError:
        _number(run_id, "ingest run")
        raise
    next_cursor = found.end_cursor if found.has_next else None
    next_url = (
        str(
            request.url.remove_query_params("after_position").include_query_params(
                cursor=next_cursor
            )
        )
        if next_cursor
        else None
    )
    meta = PageMeta(
        count=found.count(), per_page=page.first, next_cursor=next_cursor, next=next_url
    )
    return EntryPage(results=[_entry(e) for e in found.items], meta=meta)


@router.get(
    "/paper-conflicts",
    response_model=list[ConflictOut],
    summary="Paper conflicts for review",
    description="Papers some evidence calls one and stronger evidence calls two: both papers, "
    "what they share and each field that disagrees.",
)
def get_paper_conflicts(
    session: SessionDep,
    status: Annotated[
        ConflictStatus | None, Query(description="Default: open.")
    ] = ConflictStatus.OPEN,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    return [_conflict(v) for v in review.list_conflicts(session, status, limit)]


@router.get("/paper-conflicts/{conflict_id}", response_model=ConflictOut, summary="One conflict")
def get_paper_conflict(conflict_id: RunId, session: SessionDep) -> Any:
    return _conflict(review.get_conflict(session, _number(conflict_id, "paper conflict")))


@router.post(
    "/paper-conflicts/{conflict_id}/distinct",
    responses=AUTH_ERRORS,
    response_model=ConflictOut,
    summary="Confirm two conflicting papers are different",
)
def post_conflict_distinct(
    conflict_id: RunId, request: Request, _: WriteAccess, body: ReviewRequest | None = None
) -> Any:
    view = review.mark_distinct(
        request.app.state.engine,
        _number(conflict_id, "paper conflict"),
        note=body.note if body else None,
    )
    return _conflict(view)


class MergeRequest(RequestBody):
    survivor: str = Field(
        max_length=300, description="Key of the paper that stays.", json_schema_extra=STORABLE_TEXT
    )
    absorbed: str = Field(
        max_length=300,
        description="Key of the paper merged into it.",
        json_schema_extra=STORABLE_TEXT,
    )
    note: str | None = Field(
        default=None, max_length=2000, description="Why.", json_schema_extra=STORABLE_TEXT
    )


class AliasOut(BaseModel):
    kind: str = Field(description="`key`, `doi` or `arxiv`.")
    value: str


class MergeOut(BaseModel):
    id: int
    survivor: str = Field(description="Key of the paper that absorbed the other.")
    absorbed: str = Field(description="The absorbed paper's key; it now resolves to `survivor`.")
    aliases: list[AliasOut] = Field(description="Identifiers that now name the survivor.")
    merged_at: datetime
    undone_at: datetime | None
    note: str | None


def _merge(view: paper_merges.MergeView) -> MergeOut:
    return MergeOut(
        id=view.id,
        survivor=view.survivor_key,
        absorbed=view.absorbed_key,
        aliases=[AliasOut(kind=kind, value=value) for kind, value in view.aliases],
        merged_at=view.merged_at,
        undone_at=view.undone_at,
        note=view.note,
    )


@router.post(
    "/paper-merges",
    responses=AUTH_ERRORS,
    response_model=MergeOut,
    summary="Merge two papers that are one work",
    description="The absorbed paper's citations, links and identifiers move to the survivor; "
    "its key, DOI and arXiv id keep resolving (REST: 301 to the survivor). Undo with "
    "`/paper-merges/{id}/undo`.",
)
def post_paper_merge(body: MergeRequest, request: Request, _: WriteAccess) -> Any:
    view = paper_merges.merge_papers(
        request.app.state.engine, body.survivor, body.absorbed, note=body.note
    )
    return _merge(view)


@router.get("/paper-merges/{merge_id}", response_model=MergeOut, summary="One paper merge")
def get_paper_merge(merge_id: RunId, request: Request) -> Any:
    return _merge(paper_merges.get_merge(request.app.state.engine, _number(merge_id, "merge")))


@router.post(
    "/paper-merges/{merge_id}/undo",
    responses=AUTH_ERRORS,
    response_model=MergeOut,
    summary="Undo a paper merge",
    description="The absorbed paper comes back with its own id, key, identifiers and rows.",
)
def post_paper_merge_undo(merge_id: RunId, request: Request, _: WriteAccess) -> Any:
    view = paper_merges.undo_merge(request.app.state.engine, _number(merge_id, "merge"))
    return _merge(view)
