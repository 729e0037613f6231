"""What every REST route shares: sessions, paging, formats, lookups that 404 helpfully."""

import inspect
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from itertools import chain
from typing import Annotated, Any, get_args, get_origin

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.db import read_route
from api.errors import InvalidInputError, Problem
from api.http.cancel import canceller_of
from api.rest import schemas as s
from api.rest.export_limit import NARROW_LIST, check_export_size
from api.services.exports import MEDIA_TYPES, csv_stream, node_jsonld
from api.services.exports.csv_writer import BOM
from api.services.filter_pattern import filter_pattern
from api.services.groups import (
    MAX_GROUPINGS,
    Grouping,
    group_counts,
    grouping_named,
    groupings,
)
from api.services.history import AS_OF_PATTERN, session_as_of
from api.services.pagination import (
    Page,
    PageRequest,
    SortKey,
    all_items,
    cursor_pattern,
    per_page_from_text,
)
from api.services.unknown_slugs import unmatched_unknown
from api.services.views import View, plain_view, present
from api.services.vocabulary import (
    MAX_FILTER_LENGTH,
    Interface,
    describe,
    from_text,
    respelled,
    spelled,
)

_TEXT = {"schema": {"type": "string"}}
CSV_FORMATS = ("csv", "csv-excel")
"""`csv-excel` is the same CSV with a byte-order mark first (Excel's dialect)."""
CSV_DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": _TEXT}, "description": "JSON, or the whole list as CSV."}
}
PAPER_DOWNLOADS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": _TEXT,
            "application/x-bibtex": _TEXT,
            "application/vnd.citationstyles.csl+json": {"schema": {"type": "array"}},
            "application/x-research-info-systems": _TEXT,
            "application/ld+json": {"schema": {"type": "object"}},
        },
        "description": "JSON, or the papers as CSV, BibTeX, CSL-JSON, RIS or JSON-LD.",
    }
}
JSONLD: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/ld+json": {"schema": {"type": "object"}}},
        "description": "JSON, or JSON-LD (schema.org) with `format=jsonld`.",
    }
}


AS_OF_DOC = (
    "Read the graph as it was: a source version's name (`2025-12-02`) or a date (`YYYY-MM-DD`,"
    " the newest version released by then). Survey facts are versioned; other facts read as"
    " they are now (docs/sync.md)."
)
AsOfParam = Annotated[
    str | None, Query(alias="as_of", description=AS_OF_DOC, max_length=60, pattern=AS_OF_PATTERN)
]


async def get_session(request: Request, as_of: AsOfParam = None) -> AsyncIterator[Session]:
    """The request's session, reading the graph now or `as_of` a source version; a read's
    statements are cancelled when its client leaves (`api/http/cancel.py`).

    A plain session connects at its first statement, so it costs the event loop nothing to
    open. Two kinds do database work as they open, so they open in the thread pool: an as-of
    read (it makes temporary views) and a GET or HEAD answered by a read replica (choosing it
    asks both servers for their WAL positions, api/replica.py). Closing returns the
    connection to the pool with a rollback: on SQLite a call into the library that waits for
    nothing, made here; on PostgreSQL a round trip to the server, made in the thread pool."""
    reading = request.method in ("GET", "HEAD")
    if as_of is not None and not reading:
        raise InvalidInputError(
            "as_of reads the past; a write always writes now",
            [Problem("only for reads (GET)", location="query", field="as_of", value=as_of)],
        )
    canceller = canceller_of(request)
    engine = request.app.state.engine
    opened = ExitStack()
    if as_of is not None or (reading and read_route(engine) is not None):
        session = await run_in_threadpool(opened.enter_context, opened_session(engine, as_of))
    else:
        session = opened.enter_context(Session(engine))
    if canceller is not None:
        canceller.watch(session)
    try:
        yield session
    finally:
        if canceller is not None:
            canceller.release(session)
        if engine.dialect.name == "sqlite" and as_of is None:
            opened.close()
        else:
            await run_in_threadpool(opened.close)


def opened_session(engine: Any, as_of: str | None) -> AbstractContextManager[Session]:
    """A GET's session: as of a source version, on the read replica when there is one, or a
    plain session (which connects at its first statement)."""
    if as_of is not None or read_route(engine) is not None:
        return session_as_of(engine, as_of)
    return Session(engine)


SessionDep = Annotated[Session, Depends(get_session)]
FILTER_GRAMMAR = (
    "Filters as `key:value,key:value`; `key:a|b` means any of; a key given twice means all of."
)


def filter_query(
    filter_class: type[Any],
    example: str | None,
    description: str = "",
    without: tuple[str, ...] = (),
) -> Any:
    """The `filter` query parameter of lists filtered by `filter_class`: its keys described,
    its grammar as the pattern (`api/services/filter_pattern.py`), `example` a valid one."""
    return Annotated[
        str | None,
        Query(
            description=description or FILTER_GRAMMAR + " " + describe(filter_class),
            max_length=MAX_FILTER_LENGTH,
            examples=[example] if example else None,
            # Documented, not enforced by FastAPI: the parser names what is wrong, and reads
            # spellings the pattern leaves out (any key order, blanks around values).
            json_schema_extra={"pattern": filter_pattern(filter_class, without)},
        ),
    ]


CURSOR_DOC = (
    "`meta.next_cursor` of the previous page. The pattern is the list's cursor grammar (each "
    "of its orders' tag and sort values; `docs/rest.md`): every cursor it admits is read, in "
    "the order the cursor names, whatever `sort` says."
)


def cursor_param(orders: Sequence[Sequence[SortKey]], *, ranked: bool = False) -> Any:
    """The `cursor` query parameter of a list paged by `orders` (and, when `ranked`, in memory
    by relevance to a text query), its grammar in the document."""
    return Annotated[
        str | None,
        Query(description=CURSOR_DOC, max_length=1000, pattern=cursor_pattern(orders, ranked)),
    ]


FormatParam = Annotated[
    str | None,
    Query(
        alias="format",
        description="`json` (default), `csv` (the whole filtered list as a download) or "
        "`csv-excel` (the same CSV with a UTF-8 byte-order mark, so Excel reads accents); "
        "`csv` is also chosen by the Accept header.",
        pattern="^(json|csv|csv-excel)$",
    ),
]


PER_PAGE_DOC = "Items per page, 1 to the server's `INFERGRAPH_MAX_PAGE_SIZE` (default 50)."


async def per_page_param(
    request: Request,
    per_page: Annotated[str | None, Query(description=PER_PAGE_DOC, examples=["50"])] = None,
) -> int:
    return per_page_of(request, per_page)


def per_page_of(request: Request, text: str | None) -> int:
    # Read as text: digits int() accepts but ASCII does not ("²", "٣") are refused here, and
    # the range comes from the settings, not from the route's declaration.
    maximum: int = request.app.state.settings.max_page_size
    return per_page_from_text(text, maximum)


PerPage = Annotated[int, Depends(per_page_param)]


def wants_csv(request: Request, output_format: str | None) -> bool:
    if output_format is not None:
        return output_format in CSV_FORMATS
    return "text/csv" in request.headers.get("accept", "")


@dataclass(frozen=True)
class ListShape:
    """What of a list the caller wants besides the page: some fields only (`select`), and
    counts by fields (`group_by`)."""

    view: View
    fields: tuple[str, ...] = ()
    grouped_by: tuple[Grouping, ...] = ()


def shape_of(view: View) -> Callable[..., Awaitable[ListShape]]:
    """The dependency reading `select` and `group_by` for lists of `view`; both are
    documented with the exact names the list accepts."""
    selectable = list(s.model_of(view).model_fields)
    groupable = sorted(groupings(view))
    read = shape_reader(view)

    async def shape(
        select: Annotated[
            str | None,
            Query(
                description="Comma-separated fields each item keeps (JSON and CSV): "
                + ", ".join(f"`{name}`" for name in selectable)
                + ".",
                # Documented, not enforced by FastAPI: the check below names the fields.
                json_schema_extra={"pattern": _names_pattern(selectable)},
                max_length=2000,
            ),
        ] = None,
        group_by: Annotated[
            str | None,
            Query(
                description="Comma-separated fields to count the filtered list by (at most "
                "5): the most frequent values, up to `per_page`, and the number of distinct "
                "values, in `groups`; with `format=csv`, the counts as CSV. Groupable: "
                + (", ".join(f"`{name}`" for name in groupable) or "none")
                + ".",
                json_schema_extra={"pattern": _names_pattern(groupable, MAX_GROUPINGS)},
                max_length=500,
            ),
        ] = None,
    ) -> ListShape:
        return read(select, group_by)

    return shape


def shape_reader(view: View) -> Callable[[str | None, str | None], ListShape]:
    """`select` and `group_by` (as their query parameters give them) → the `ListShape` of a
    list of `view`; what they name wrong is an `InvalidInputError`."""
    selectable = list(s.model_of(view).model_fields)

    def read(select: str | None, group_by: str | None) -> ListShape:
        fields = _names(select)
        unknown = [name for name in fields if name not in selectable]
        if unknown:
            raise InvalidInputError(
                "unknown field in select",
                [
                    Problem(
                        f"not a field of this list; it has {', '.join(selectable)}",
                        field="select",
                        value=name[:100],
                    )
                    for name in unknown[:10]
                ],
            )
        chosen = grouping_named(view, _names(group_by), "group_by") if group_by is not None else []
        return ListShape(view, tuple(dict.fromkeys(fields)), tuple(chosen))

    return read


def _names(text: str | None) -> list[str]:
    # Exactly the documented pattern: no spaces, no empty names (an empty one is unknown).
    return [] if text is None else text.split(",")


def _names_pattern(names: Sequence[str], most: int | None = None) -> str:
    if not names:
        return "^$"
    one = "(" + "|".join(re.escape(name) for name in names) + ")"
    more = "*" if most is None else f"{{0,{most - 1}}}"
    return f"^{one}(,{one}){more}$"


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
    words: type[Any] | None = None,
    shape: ListShape | None = None,
) -> Any:
    """A page as JSON with a `next` link, or the whole list as CSV. `words` is the list's
    filter class, whose REST spelling errors raised by the services are given in."""
    fields = shape.fields if shape else ()
    grouped_by = shape.grouped_by if shape else ()
    with rest_words(words):
        if wants_csv(request, output_format):
            if shape is not None and grouped_by:
                counts = _group_counts(session, shape, fetch(PageRequest(first=0)), per_page)
                return csv_download_rows(
                    _group_rows(counts), f"{filename}-groups", bom=output_format == "csv-excel"
                )
            rows = fetch(PageRequest(first=0)).count()
            check_export_size(request, rows, narrow=NARROW_LIST)
            return csv_download(
                _all_presented(session, fetch, present),
                filename,
                fields,
                bom=output_format == "csv-excel",
            )
        page = fetch(PageRequest(first=per_page, after=cursor))
    next_cursor = page.end_cursor if page.has_next else None
    next_url = str(request.url.include_query_params(cursor=next_cursor)) if next_cursor else None
    if shape is not None and _plain.get() and plain_view(shape.view):
        results = _plain_items(session, shape.view, page.items)
    else:
        results = [item.model_dump(mode="json") for item in present(session, page.items)]
    if fields:
        results = [{name: item[name] for name in fields} for item in results]
    meta = s.PageMeta(
        count=page.count(),
        per_page=per_page,
        next_cursor=next_cursor,
        next=next_url,
        warnings=filter_warnings(request),
    )
    body: dict[str, Any] = {"results": results, "meta": meta.model_dump(mode="json")}
    if shape is not None and grouped_by:
        body["groups"] = _group_counts(session, shape, page, per_page)
    return Response(orjson.dumps(body), media_type="application/json")


def _group_counts(
    session: Session, shape: ListShape, page: Page[Any], top: int
) -> dict[str, dict[str, Any]]:
    counted = {}
    for grouping in shape.grouped_by:
        groups = group_counts(session, shape.view, page, grouping, top)
        counted[grouping.name] = {
            "count": groups.total,
            "top": [{"key": group.key, "count": group.count} for group in groups.top],
        }
    return counted


def _group_rows(counts: dict[str, dict[str, Any]]) -> Iterator[list[Any]]:
    for name, groups in counts.items():
        for group in groups["top"]:
            yield [name, group["key"], group["count"]]


def csv_download_rows(
    rows: Iterable[list[Any]], filename: str, *, bom: bool = False
) -> StreamingResponse:
    """Group counts as CSV (`group_by,key,count`); with `bom`, in Excel's dialect."""
    return StreamingResponse(
        chain([BOM] if bom else [], csv_stream(["group_by", "key", "count"], rows)),
        media_type=MEDIA_TYPES["csv"][0],
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


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


def csv_download(
    items: Iterable[BaseModel], filename: str, fields: Sequence[str] = (), *, bom: bool = False
) -> StreamingResponse:
    """The items as CSV (only `fields`, when given); with `bom`, in Excel's dialect (a
    byte-order mark first)."""
    return StreamingResponse(
        _csv_chunks(items, fields, bom),
        media_type=MEDIA_TYPES["csv"][0],
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def _csv_chunks(
    items: Iterable[BaseModel], fields: Sequence[str] = (), bom: bool = False
) -> Iterator[str]:
    iterator = iter(items)
    first = next(iterator, None)
    if first is None:
        if bom:
            yield BOM
        return
    # Columns come from the model, not the first row, so every row has the same ones.
    header = _columns(type(first))
    if fields:
        header = [c for c in header if c in fields or c.split(".", 1)[0] in fields]
    # `chain`, never `(first, *iterator)`: unpacking would hold the whole list in memory.
    rows = (
        [flat.get(name) for name in header]
        for flat in (_flatten(item.model_dump(mode="json")) for item in chain([first], iterator))
    )
    yield from csv_stream(header, rows, bom=bom)


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


def jsonld_base(request: Request) -> str:
    """Where JSON-LD IRIs start: `INFERGRAPH_BASE_URL`, else the URL this request reached
    the server at (so the IRIs are the routes that answer them)."""
    configured: str | None = request.app.state.settings.base_url
    return (configured or str(request.base_url)).rstrip("/")


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


def presented(session: Session, view: View, rows: Sequence[Any]) -> list[Any]:
    """Rows as the REST models of their entity (references loaded once for all rows)."""
    model = s.model_of(view)
    return [model.model_validate(values) for values in present(session, view, rows)]


_plain: ContextVar[bool] = ContextVar("infergraph_plain_json", default=False)


@contextmanager
def plain_json() -> Iterator[None]:
    """Inside, rows of a view whose REST model only copies JSON values (`plain_view`) are
    encoded from the service's dicts as they are: the model's validation and dump would give
    the same JSON back at several times the cost. Used by the lean path (api/rest/lean.py),
    whose tests compare its bytes with those of the models."""
    token = _plain.set(True)
    try:
        yield
    finally:
        _plain.reset(token)


def _plain_items(session: Session, view: View, rows: Sequence[Any]) -> list[dict[str, Any]]:
    return present(session, view, rows)


def _json_items(session: Session, view: View, rows: Sequence[Any]) -> list[Any]:
    if _plain.get() and plain_view(view):
        return _plain_items(session, view, rows)
    return [item.model_dump(mode="json") for item in presented(session, view, rows)]


def presented_json(session: Session, view: View, rows: Sequence[Any]) -> Response:
    """`presented` rows as a JSON array, encoded here. Handed the models, FastAPI would check
    them against the route's response model a second time, in a thread hop of its own."""
    return Response(orjson.dumps(_json_items(session, view, rows)), media_type="application/json")


def presented_one_json(session: Session, view: View, row: Any) -> Response:
    """One row as `presented_json` encodes it, as a JSON object."""
    [item] = _json_items(session, view, [row])
    return Response(orjson.dumps(item), media_type="application/json")


def presenter(view: View) -> Callable[[Session, Sequence[Any]], Sequence[BaseModel]]:
    return lambda session, rows: presented(session, view, rows)


def filter_of(request: Request, session: Session, filter_class: type[Any], text: str | None) -> Any:
    """The list's filter from the REST grammar; errors name the REST keys. A slug naming no
    row matches nothing (`api/services/unknown_slugs.py`); the warnings saying so are kept
    for the answer's `meta.warnings` (`filter_warnings`)."""
    with respelled(filter_class, Interface.REST):
        parsed = from_text(filter_class, text, max_list_values(request))
    unmatched, warnings = unmatched_unknown(session, parsed)
    request.state.filter_warnings = spelled(warnings, filter_class, Interface.REST)
    return unmatched


def filter_warnings(request: Request) -> list[s.ErrorProblem]:
    """What `filter_of` found to warn about in this request's filter."""
    found: list[Problem] = getattr(request.state, "filter_warnings", [])
    return [
        s.ErrorProblem(message=p.message, location=p.location, field=p.field, value=p.value)
        for p in found
    ]


def max_list_values(request: Request) -> int:
    maximum: int = request.app.state.settings.max_list_values
    return maximum


@contextmanager
def rest_words(filter_class: type[Any] | None = None) -> Iterator[None]:
    """Problems raised by services, renamed to what a REST caller sent: the list's filter keys,
    `cursor` for the page cursor."""
    spelled: AbstractContextManager[None] = (
        respelled(filter_class, Interface.REST) if filter_class else nullcontext()
    )
    try:
        with spelled:
            yield
    except InvalidInputError as error:
        error.problems[:] = [
            Problem(p.message, p.location, "cursor", p.value) if p.field == "after" else p
            for p in error.problems
        ]
        raise


def list_route(
    router: APIRouter,
    path: str,
    *,
    view: View,
    filter_class: type[Any],
    fetch: Callable[..., Page[Any]],
    summary: str,
    example: str,
    cursors: Sequence[Sequence[SortKey]],
    ranked: bool = False,
    order: type[StrEnum] | None = None,
    default_order: Any = None,
    description: str = "",
) -> None:
    """A list route: `filter` in the list's vocabulary, `sort` (when the list has orders),
    `per_page` and `cursor`, JSON pages or the whole list as CSV. `fetch` is the service's
    list function: `(session, filter, page)`, or `(session, filter, order, page)` with `order`;
    `cursors` its orders' keys, `ranked` whether a text query ranks it (`cursor_param`)."""
    filter_param = filter_query(filter_class, example)
    filename = path.strip("/").replace("/", "-")
    model = s.model_of(view)
    shape_param = Annotated[ListShape, Depends(shape_of(view))]
    cursor_type = cursor_param(cursors, ranked=ranked)

    def respond(
        request: Request,
        session: Session,
        per_page: int,
        filter_text: str | None,
        sort: Any,
        cursor: str | None,
        output_format: str | None,
        shape: ListShape,
    ) -> Any:
        list_filter = filter_of(request, session, filter_class, filter_text)
        ordered = () if order is None else (sort,)
        return list_response(
            request,
            session,
            lambda page: fetch(session, list_filter, *ordered, page),
            presenter(view),
            per_page=per_page,
            cursor=cursor,
            output_format=output_format,
            filename=filename,
            words=filter_class,
            shape=shape,
        )

    if order is None:

        def unsorted(
            request: Request,
            session: SessionDep,
            per_page: PerPage,
            shape: shape_param,
            filter: filter_param = None,  # type: ignore[valid-type]
            cursor: cursor_type = None,  # type: ignore[valid-type]
            output_format: FormatParam = None,
        ) -> Any:
            return respond(request, session, per_page, filter, None, cursor, output_format, shape)

        endpoint: Callable[..., Any] = unsorted
    else:
        sort_param = Annotated[order, Query(description="`-` sorts descending.")]  # type: ignore[valid-type]

        def sorted_(
            request: Request,
            session: SessionDep,
            per_page: PerPage,
            shape: shape_param,
            filter: filter_param = None,  # type: ignore[valid-type]
            sort: sort_param = default_order,
            cursor: cursor_type = None,  # type: ignore[valid-type]
            output_format: FormatParam = None,
        ) -> Any:
            return respond(request, session, per_page, filter, sort, cursor, output_format, shape)

        endpoint = sorted_
    endpoint.__name__ = "list_" + filename.replace("-", "_")
    router.get(
        path,
        response_model=s.list_page(model),
        summary=summary,
        description=description,
        responses=CSV_DOWNLOAD,
    )(endpoint)


def detail_route(
    router: APIRouter,
    path: str,
    *,
    view: View,
    get: Callable[[Session, str], Any],
    summary: str,
    jsonld_kind: str | None = None,
) -> None:
    """`GET path/{slug}`: one entity, or its JSON-LD node when `jsonld_kind` names one; an
    unknown slug is a 404 naming the closest ones."""
    model = s.model_of(view)

    def plain(slug: str, session: SessionDep) -> Any:
        return presented_one_json(session, view, get(session, slug))

    def linked(
        request: Request, slug: str, session: SessionDep, output_format: NodeFormatParam = None
    ) -> Any:
        row = get(session, slug)
        if jsonld_kind is not None and wants_jsonld(request, output_format):
            document = node_jsonld(session, jsonld_kind, slug, jsonld_base(request))
            return jsonld_response(document, slug)
        return presented_one_json(session, view, row)

    endpoint: Callable[..., Any] = plain if jsonld_kind is None else linked
    endpoint.__name__ = "get_" + path.strip("/").split("/")[0].replace("-", "_")
    router.get(
        path + "/{slug}",
        response_model=model,
        summary=summary,
        responses=JSONLD if jsonld_kind else None,
    )(endpoint)


def nested_route(
    router: APIRouter,
    path: str,
    *,
    parent: Callable[[Session, str], Any],
    view: View,
    rows: Callable[[Session, Any], Sequence[Any]],
    summary: str,
    description: str | None = None,
    key: str = "slug",
) -> None:
    """`GET path`: rows related to one entity (named by `{slug}`, or `{key}` for papers), a
    404 naming the closest ones when it is unknown."""

    def endpoint(session: Session, **path: str) -> Any:
        return presented_json(session, view, rows(session, parent(session, path[key])))

    # FastAPI reads parameters from the signature: the path parameter keeps its own name.
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, annotation=str),
            inspect.Parameter("session", inspect.Parameter.KEYWORD_ONLY, annotation=SessionDep),
        ]
    )
    endpoint.__name__ = "_".join(
        part.strip("{}").split(":")[0] for part in path.strip("/").split("/")
    ).replace("-", "_")
    router.get(
        path,
        response_model=s.list_of(s.model_of(view)),
        summary=summary,
        description=description,
    )(endpoint)
