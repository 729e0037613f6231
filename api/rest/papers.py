"""Papers: lists in every citation format, details, and where a paper is cited."""

import re
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlmodel import Session

import models as m
from api.rest import schemas as s
from api.rest.common import (
    CSV_FORMATS,
    PAPER_DOWNLOADS,
    ListShape,
    PerPage,
    SessionDep,
    csv_download,
    cursor_param,
    filter_of,
    filter_query,
    jsonld_base,
    jsonld_response,
    list_response,
    nested_route,
    per_page_of,
    presented,
    presented_json,
    presented_one_json,
    presenter,
    rest_words,
    shape_of,
    shape_reader,
)
from api.rest.export_limit import NARROW_PAPERS, check_export_size
from api.rest.lean import LeanRoute
from api.services import engines, literature, techniques
from api.services.exports import (
    MEDIA_TYPES,
    PAPER_STREAMS,
    PaperSelection,
    engine_papers,
    node_jsonld,
)
from api.services.exports.size import selection_size
from api.services.pagination import PageRequest, all_items
from api.services.views import view_columns

router = APIRouter(tags=["literature"])

PaperFormatParam = Annotated[
    str | None,
    Query(
        alias="format",
        description="`json` (default), `csv`, `csv-excel` (CSV with a byte-order mark), "
        "`bibtex`, `csl-json` or `ris` (the whole set); also chosen by the Accept header "
        "(`text/csv`, `application/x-bibtex`, `application/vnd.citationstyles.csl+json`, "
        "`application/x-research-info-systems`).",
        pattern="^(json|csv|csv-excel|bibtex|csl-json|ris)$",
    ),
]
DetailFormatParam = Annotated[
    str | None,
    Query(
        alias="format",
        description="`json` (default), `bibtex`, `csl-json`, `ris` or `jsonld` (schema.org).",
        pattern="^(json|bibtex|csl-json|ris|jsonld)$",
    ),
]
PaperFilterParam = filter_query(literature.PaperFilter, "year_from:2023,technique:paged-attention")


def _file_name(key: str) -> str:
    """A download's file name for any cite key (`10.1145/3803798` → `10.1145_3803798`)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", key) or "paper"


def paper_format(request: Request, requested: str | None) -> str:
    if requested is not None:
        return requested
    accept = request.headers.get("accept", "")
    if "application/x-bibtex" in accept:
        return "bibtex"
    if "application/vnd.citationstyles.csl+json" in accept:
        return "csl-json"
    if "application/x-research-info-systems" in accept:
        return "ris"
    if "application/ld+json" in accept:
        return "jsonld"
    if "text/csv" in accept:
        return "csv"
    return "json"


def paper_download(session: Session, selection: PaperSelection, chosen: str, filename: str) -> Any:
    """A paper set in a citation format (`PAPER_STREAMS`), streamed."""
    media_type, suffix = MEDIA_TYPES[chosen]
    return StreamingResponse(
        PAPER_STREAMS[chosen](session, selection),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}{suffix}"'},
    )


def paper_set_response(
    request: Request,
    session: Session,
    rows: Sequence[m.Paper],
    output_format: str | None,
    filename: str,
) -> Any:
    """A whole (unpaged) set of papers in the requested format."""
    check_export_size(request, len(rows), narrow=NARROW_PAPERS)
    chosen = paper_format(request, output_format)
    if chosen in PAPER_STREAMS:
        return paper_download(session, [p.id for p in rows if p.id is not None], chosen, filename)
    if chosen in CSV_FORMATS:
        rows_out = presented(session, literature.PAPER, rows)
        return csv_download(rows_out, filename, bom=chosen == "csv-excel")
    return presented_json(session, literature.PAPER, rows)


def paper_selection_response(
    request: Request,
    session: Session,
    paper_filter: literature.PaperFilter,
    order: literature.PaperOrder,
    chosen: str,
    filename: str,
) -> Any:
    """Every paper matching a filter, in `chosen` format; citation formats are streamed in
    keyset batches (memory stays flat), a ranked text query's hits are a bounded list."""

    def fetch(page: PageRequest) -> Any:
        return literature.list_papers(session, paper_filter, order, page)

    with rest_words(literature.PaperFilter):
        check_export_size(request, fetch(PageRequest(first=0)).count(), narrow=NARROW_PAPERS)
        selection: PaperSelection | None = literature.paper_id_select(session, paper_filter)
    if chosen in PAPER_STREAMS:
        if selection is None:
            selection = [p.id for p in all_items(fetch) if p.id is not None]
        return paper_download(session, selection, chosen, filename)
    return paper_set_response(request, session, list(all_items(fetch)), chosen, filename)


_PAGE_COLUMNS = view_columns(literature.PAPER)
PaperCursor = cursor_param(list(literature.PAPER_ORDERS.values()), ranked=True)


@router.get(
    "/papers",
    response_model=s.list_page(s.PaperOut),
    summary="List papers",
    description="`format=bibtex`, `csl-json`, `ris` or `csv` downloads the whole filtered set.",
    responses=PAPER_DOWNLOADS,
)
def list_papers(
    request: Request,
    session: SessionDep,
    per_page: PerPage,
    shape: Annotated[ListShape, Depends(shape_of(literature.PAPER))],
    filter: PaperFilterParam = None,  # type: ignore[valid-type]
    sort: Annotated[
        literature.PaperOrder, Query(description="Ignored with `q` (ranked).")
    ] = literature.PaperOrder.YEAR_DESC,
    cursor: PaperCursor = None,  # type: ignore[valid-type]
    output_format: PaperFormatParam = None,
) -> Any:
    paper_filter = filter_of(request, session, literature.PaperFilter, filter)
    chosen = paper_format(request, output_format)
    if chosen in PAPER_STREAMS:
        return paper_selection_response(request, session, paper_filter, sort, chosen, "papers")
    return list_response(
        request,
        session,
        lambda page: literature.list_papers(session, paper_filter, sort, page, _PAGE_COLUMNS),
        presenter(literature.PAPER),
        per_page=per_page,
        cursor=cursor,
        output_format=output_format,
        filename="papers",
        words=literature.PaperFilter,
        shape=shape,
    )


nested_route(
    router,
    "/papers/{key:path}/citations",
    parent=literature.get_paper,
    view=literature.CITATION,
    rows=literature.paper_citations,
    summary="Where a paper is cited",
    key="key",
)
nested_route(
    router,
    "/papers/{key:path}/techniques",
    parent=literature.get_paper,
    view=techniques.TECHNIQUE,
    rows=techniques.paper_techniques,
    summary="Techniques citing a paper",
    key="key",
)
nested_route(
    router,
    "/papers/{key:path}/engines",
    parent=literature.get_paper,
    view=literature.ENGINE_PAPER,
    rows=literature.papers_of_engines,
    summary="Engines whose own paper it is",
    key="key",
)


# After the nested routes: `{key:path}` would otherwise take `x/citations` as a key.
@router.get(
    "/papers/{key:path}",
    response_model=s.PaperOut,
    summary="One paper",
    description="`format=bibtex` for its BibTeX entry. The key may hold any character, a `/` "
    "too (ACM exports use the DOI as the key), written as it is or as `%2F`.",
    responses=PAPER_DOWNLOADS,
)
def paper_detail(
    request: Request, key: str, session: SessionDep, output_format: DetailFormatParam = None
) -> Any:
    chosen = paper_format(request, output_format)
    # JSON shows the view's columns only; the other formats read the whole paper.
    paper = literature.get_paper(session, key, _PAGE_COLUMNS if chosen == "json" else None)
    if chosen in PAPER_STREAMS:
        return paper_download(session, [paper.id or 0], chosen, _file_name(key))
    if chosen == "jsonld":
        return jsonld_response(
            node_jsonld(session, "paper", key, jsonld_base(request)), _file_name(key)
        )
    return presented_one_json(session, literature.PAPER, paper)


@router.get(
    "/engines/{slug}/technique-papers",
    response_model=s.list_of(s.PaperOut),
    responses=PAPER_DOWNLOADS,
    summary="Everything behind an engine",
    description="The works cited by every technique of the matrix columns the engine supports, "
    "plus the engine's own papers; `format=bibtex`, `csl-json` or `ris` for a reference manager.",
)
def engine_technique_papers(
    request: Request, slug: str, session: SessionDep, output_format: PaperFormatParam = None
) -> Any:
    engines.get_engine(session, slug)
    selection = engine_papers(session, slug)
    check_export_size(request, selection_size(session, selection), narrow=NARROW_PAPERS)
    chosen = paper_format(request, output_format)
    if chosen in PAPER_STREAMS:
        return paper_download(session, selection, chosen, f"engine-{slug}")
    rows = literature.papers_selected(session, selection)
    return paper_set_response(request, session, rows, chosen, f"engine-{slug}")


# --- the lean path (api/rest/lean.py): the same endpoints, for JSON answers -----------------

_LIST_PATH = "/api/v1/papers"
_NESTED = ("/citations", "/techniques", "/engines")
_paper_shape = shape_reader(literature.PAPER)


def _json_asked(request: Request, values: dict[str, Any]) -> bool:
    return paper_format(request, values["output_format"]) == "json"


def _lean_list(request: Request, session: Session, values: dict[str, Any]) -> Any:
    # In the order FastAPI resolves the endpoint's dependencies: a refusal of both names the
    # same parameter.
    per_page = per_page_of(request, values["per_page"])
    shape = _paper_shape(values["select"], values["group_by"])
    return list_papers(
        request,
        session,
        per_page,
        shape,
        values["filter"],
        values["sort"],
        values["cursor"],
        values["output_format"],
    )


def _detail_key(path: str) -> dict[str, str] | None:
    # `/papers/{key:path}/citations` and its siblings are routed before the detail.
    key = path.removeprefix(_LIST_PATH + "/")
    if key == path or not key or key.endswith(_NESTED):
        return None
    return {"key": key}


def _lean_detail(request: Request, session: Session, values: dict[str, Any]) -> Any:
    return paper_detail(request, values["key"], session, values["output_format"])


LEAN_ROUTES = [
    LeanRoute(
        _LIST_PATH,
        lambda path: {} if path == _LIST_PATH else None,
        list_papers,
        _lean_list,
        _json_asked,
    ),
    LeanRoute(_LIST_PATH + "/{key}", _detail_key, paper_detail, _lean_detail, _json_asked),
]
"""The paper list and one paper, as JSON (bench/datasette.py measures them)."""
