"""The change feed of survey facts: JSON, or Atom for feed readers."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import Session

import models as m
from api.db import as_utc
from api.errors import InvalidInputError, Problem
from api.rest import schemas as s
from api.rest.common import PerPage, cursor_param, rest_words
from api.services.changes import FEED_ORDER, fact_changes
from api.services.exports.atom import MEDIA_TYPE as ATOM
from api.services.exports.atom import atom_feed
from api.services.history import version_page
from api.services.pagination import PageRequest, table_keys

router = APIRouter(tags=["history"])
# Where the feed resumes: a cursor of the feed's one order (its grammar in the document).
SinceParam = cursor_param([FEED_ORDER])
VersionsCursor = cursor_param([table_keys(m.SourceVersion, "id")])


class FactChangeOut(BaseModel):
    id: int = Field(description="The change's number; changes are numbered in commit order.")
    action: str = Field(description="`added`, `changed` or `retired`.")
    table: str = Field(description="The fact's table, e.g. `feature_support`.")
    row_id: int = Field(description="The fact's row id in its table.")
    source: str | None = Field(description="The fact's source (slug); null for entity rows.")
    source_version: str = Field(description="The source version the change belongs to.")
    released_on: date = Field(description="That version's date.")
    changed_at: datetime = Field(description="When the change was written.")
    values: dict[str, Any] = Field(description="The fact's values (before retirement, if so).")
    changed: dict[str, tuple[Any, Any]] = Field(
        description="For `changed`: each column that changed, `[old, new]`."
    )


class ChangesMeta(BaseModel):
    per_page: int = Field(description="Page size used.")
    has_next: bool = Field(description="Whether more changes follow now.")
    resume_cursor: str | None = Field(
        description="Pass as `since` for the changes after this page, now or later (the "
        "given `since` when the page is empty)."
    )
    next: str | None = Field(description="URL of the next page while `has_next`.")


class ChangesOut(BaseModel):
    results: list[FactChangeOut]
    meta: ChangesMeta


class SourceVersionOut(BaseModel):
    name: str = Field(description="The version's name, what `as_of` takes.")
    released_on: date = Field(description="The document's date.")
    synced_at: datetime = Field(description="When the graph took it in.")
    file: str | None = Field(description="The file synced (none for the seed).")
    digest: str | None = Field(description="SHA-256 of that file, hex.")


class SourceVersionsOut(BaseModel):
    results: list[SourceVersionOut]
    meta: s.PageMeta


FeedFormat = Annotated[
    str | None,
    Query(
        alias="format",
        pattern="^(json|atom)$",
        description="`json` (default) or `atom` (Atom 1.0); also chosen by the Accept header.",
    ),
]


@router.get(
    "/changes",
    response_model=ChangesOut,
    summary="Survey facts added, changed and retired, oldest first",
    description="Resumable: keep `meta.resume_cursor` and pass it as `since` later. "
    "See docs/sync.md.",
    responses={200: {"content": {ATOM: {"schema": {"type": "string"}}}}},
)
def get_changes(
    request: Request,
    per_page: PerPage,
    since: SinceParam = None,  # type: ignore[valid-type]
    output_format: FeedFormat = None,
) -> Any:
    # Not the as-of session of the other reads: the feed is the history, not a version of it.
    with Session(request.app.state.engine) as session, _since_words():
        page = fact_changes(session, PageRequest(first=per_page, after=since))
    resume = page.end_cursor or since
    next_url = (
        str(request.url.include_query_params(since=page.end_cursor)) if page.has_next else None
    )
    if _wants_atom(request, output_format):
        document = atom_feed(page.items, self_url=str(request.url), next_url=next_url)
        return Response(document, media_type=f"{ATOM}; charset=utf-8")
    body = ChangesOut(
        results=[FactChangeOut.model_validate(entry, from_attributes=True) for entry in page.items],
        meta=ChangesMeta(
            per_page=per_page, has_next=page.has_next, resume_cursor=resume, next=next_url
        ),
    )
    return Response(body.model_dump_json(), media_type="application/json")


@contextmanager
def _since_words() -> Iterator[None]:
    """A bad cursor is named as the caller sent it: `since`."""
    try:
        yield
    except InvalidInputError as error:
        error.problems[:] = [
            Problem(p.message, "query", "since", p.value) if p.field == "after" else p
            for p in error.problems
        ]
        raise


def _wants_atom(request: Request, output_format: str | None) -> bool:
    if output_format is not None:
        return output_format == "atom"
    return ATOM in request.headers.get("accept", "")


@router.get(
    "/source-versions",
    response_model=SourceVersionsOut,
    summary="The survey versions the graph has held, oldest first",
    description="Each is a value of `as_of`. See docs/sync.md.",
)
def get_source_versions(
    request: Request,
    per_page: PerPage,
    cursor: VersionsCursor = None,  # type: ignore[valid-type]
) -> Any:
    with Session(request.app.state.engine) as session, rest_words():
        page = version_page(session, PageRequest(first=per_page, after=cursor))
        count = page.count()
    next_cursor = page.end_cursor if page.has_next else None
    next_url = str(request.url.include_query_params(cursor=next_cursor)) if next_cursor else None
    body = SourceVersionsOut(
        results=[
            SourceVersionOut(
                name=v.name,
                released_on=v.released_on,
                synced_at=as_utc(v.synced_at),
                file=v.file,
                digest=v.digest,
            )
            for v in page.items
        ],
        meta=s.PageMeta(count=count, per_page=per_page, next_cursor=next_cursor, next=next_url),
    )
    return Response(body.model_dump_json(), media_type="application/json")
