"""What every REST route shares: sessions, paging, formats, lookups that 404 helpfully."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from typing import Annotated, Any, TypeVar, get_args, get_origin

from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel
from sqlmodel import Session, col, select

from api.errors import InvalidInputError, Problem
from api.rest import schemas as s
from api.rest.export_limit import NARROW_LIST, check_export_size
from api.services.exports import MEDIA_TYPES, csv_stream
from api.services.lookup import not_found
from api.services.pagination import Page, PageRequest, all_items

T = TypeVar("T")


_TEXT = {"schema": {"type": "string"}}
CSV_DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": _TEXT}, "description": "JSON, or the whole list as CSV."}
}
PAPER_DOWNLOADS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": _TEXT,
            "application/x-bibtex": _TEXT,
            "application/vnd.citationstyles.csl+json": {"schema": {"type": "array"}},
            "application/ld+json": {"schema": {"type": "object"}},
        },
        "description": "JSON, or the papers as CSV, BibTeX, CSL-JSON or JSON-LD.",
    }
}
JSONLD: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/ld+json": {"schema": {"type": "object"}}},
        "description": "JSON, or JSON-LD (schema.org) with `format=jsonld`.",
    }
}


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
FilterParam = Annotated[
    str | None,
    Query(
        description="Filters as `key:value,key:value`; `key:a|b` means any of; a key given "
        "twice means all of. Keys depend on the list.",
        max_length=2000,
        examples=["technique:paged-attention,platform:amd-instinct"],
    ),
]
CursorParam = Annotated[
    str | None,
    Query(description="`meta.next_cursor` of the previous page.", max_length=1000),
]
FormatParam = Annotated[
    str | None,
    Query(
        alias="format",
        description="`json` (default) or `csv` (the whole filtered list as a download); "
        "also chosen by the Accept header.",
        pattern="^(json|csv)$",
    ),
]


def per_page_param(request: Request) -> int:
    maximum: int = request.app.state.settings.max_page_size
    raw = request.query_params.get("per_page")
    if raw is None:
        return min(50, maximum)
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise InvalidInputError(
            "per_page out of range",
            [Problem(f"a whole number from 1 to {maximum}", field="per_page", value=raw[:50])],
        )
    return int(raw)


PerPage = Annotated[int, Depends(per_page_param)]


def wants_csv(request: Request, output_format: str | None) -> bool:
    if output_format is not None:
        return output_format == "csv"
    return "text/csv" in request.headers.get("accept", "")


def list_response(
    request: Request,
    session: Session,
    fetch: Callable[[PageRequest], Page[Any]],
    present: Callable[[Session, Sequence[Any]], Sequence[BaseModel]],
    *,
    per_page: int,
    cursor: str | None,
    output_format: str | None,
    filename: str,
) -> Any:
    """A page as JSON with a `next` link, or the whole list as CSV."""
    if wants_csv(request, output_format):
        rows = fetch(PageRequest(first=0)).count()
        check_export_size(request, rows, narrow=NARROW_LIST)
        return csv_download(_all_presented(session, fetch, present), filename)
    page = fetch(PageRequest(first=per_page, after=cursor))
    next_cursor = page.end_cursor if page.has_next else None
    next_url = str(request.url.include_query_params(cursor=next_cursor)) if next_cursor else None
    return {
        "results": present(session, page.items),
        "meta": s.PageMeta(
            count=page.count(), per_page=per_page, next_cursor=next_cursor, next=next_url
        ),
    }


def _all_presented(
    session: Session,
    fetch: Callable[[PageRequest], Page[Any]],
    present: Callable[[Session, Sequence[Any]], Sequence[BaseModel]],
) -> Iterator[BaseModel]:
    batch: list[Any] = []
    for item in all_items(fetch):
        batch.append(item)
        if len(batch) == 500:
            yield from present(session, batch)
            batch = []
    if batch:
        yield from present(session, batch)


def csv_download(items: Iterable[BaseModel], filename: str) -> StreamingResponse:
    return StreamingResponse(
        _csv_chunks(items),
        media_type=MEDIA_TYPES["csv"][0],
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def _csv_chunks(items: Iterable[BaseModel]) -> Iterator[str]:
    iterator = iter(items)
    first = next(iterator, None)
    if first is None:
        return
    # Columns come from the model, not the first row, so every row has the same ones.
    header = _columns(type(first))
    # `chain`, never `(first, *iterator)`: unpacking would hold the whole list in memory.
    rows = (
        [flat.get(name) for name in header]
        for flat in (_flatten(item.model_dump(mode="json")) for item in chain([first], iterator))
    )
    yield from csv_stream(header, rows)


NodeFormatParam = Annotated[
    str | None,
    Query(
        alias="format",
        description="`json` (default) or `jsonld` (schema.org); "
        "also `Accept: application/ld+json`.",
        pattern="^(json|jsonld)$",
    ),
]


def wants_jsonld(request: Request, output_format: str | None) -> bool:
    if output_format is not None:
        return output_format == "jsonld"
    return "application/ld+json" in request.headers.get("accept", "")


def jsonld_response(document: dict[str, Any], filename: str) -> JSONResponse:
    media_type, suffix = MEDIA_TYPES["jsonld"]
    return JSONResponse(
        document,
        media_type=media_type,
        headers={"Content-Disposition": f'inline; filename="{filename}{suffix}"'},
    )


def _columns(model: type[BaseModel], prefix: str = "") -> list[str]:
    columns: list[str] = []
    for name, info in model.model_fields.items():
        nested = next(
            (
                arg
                for arg in (info.annotation, *get_args(info.annotation))
                if isinstance(arg, type) and issubclass(arg, BaseModel)
            ),
            None,
        )
        if nested is not None and get_origin(info.annotation) is not list:
            columns += _columns(nested, f"{prefix}{name}.")
        else:
            columns.append(f"{prefix}{name}")
    return columns


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects become `parent.child` columns; lists become `; `-joined text."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = "; ".join(
                v.get("slug") or v.get("name") or str(v) if isinstance(v, dict) else str(v)
                for v in value
            )
        else:
            flat[name] = value
    return flat


def get_by_slug(session: Session, model: type[T], slug: str, kind: str) -> T:
    """The row, or a 404 that names the closest known slugs."""
    column: Any = model.slug  # type: ignore[attr-defined]
    row = session.exec(select(model).where(col(column) == slug)).first()
    if row is None:
        raise not_found(kind, slug, session.exec(select(column)), "slug")
    return row
