"""The three support matrices as heatmaps: engines × optimization columns, platforms and
precisions, filterable by category and sortable through the URL, each cell linking the source
of its fact."""

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.errors import InvalidInputError, NotFoundError, Problem
from api.services import support, techniques
from api.services.support import FactKind, MatrixColumn
from api.web.rendering import PageRoute, render, single, with_params
from api.web.sessions import SessionDep
from models.base import PlatformKind, PrecisionFamily, SupportStatus

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MATRICES: dict[str, tuple[FactKind, str, str]] = {
    "optimization": (FactKind.FEATURE, "Optimization coverage matrix", "optimization-matrix"),
    "hardware": (FactKind.PLATFORM, "Hardware support matrix", "hardware-matrix"),
    "precision": (FactKind.PRECISION, "Numeric precision support matrix", "precision-matrix"),
}
"""Page name → the kind of fact, the title, the survey table it regenerates."""

ROWS_PER_PAGE = 30
"""Engines per heatmap page: the survey's 27 fit on one; a larger graph pages."""
_RANK = {SupportStatus.SUPPORTED: 0, SupportStatus.NOT_SUPPORTED: 1, SupportStatus.UNKNOWN: 2}


@router.get("/matrices")
def matrices_index(request: Request) -> HTMLResponse:
    return render(
        request,
        "matrices.html",
        title="Support matrices",
        matrices=[(name, title) for name, (_kind, title, _table) in MATRICES.items()],
        twins=[("survey tables JSON", "/api/v1/tables")],
    )


@router.get("/matrices/{name}")
def matrix_page(request: Request, name: str, session: SessionDep) -> HTMLResponse:
    if name not in MATRICES:
        raise NotFoundError(
            f"no matrix {name!r}",
            [Problem(f"one of {', '.join(MATRICES)}", "path", "name", name[:50])],
        )
    kind, title, table = MATRICES[name]
    params = request.query_params
    groups = _groups(session, kind)
    category = single(params, "category", max_length=200) or ""
    if category and category not in dict(groups):
        raise InvalidInputError(
            "invalid request",
            [Problem(f"one of {', '.join(dict(groups))}", "query", "category", category)],
        )
    columns = [
        column
        for column in support.matrix_columns(session, kind)
        if not category or category in column.group.split(";")
    ]
    sort = single(params, "sort", max_length=200) or "name"
    ordered = _ordered(session, kind, sort, columns)
    page = _page_number(single(params, "page", max_length=10))
    pages = max(1, -(-len(ordered) // ROWS_PER_PAGE))
    if page > pages:
        raise InvalidInputError(
            "invalid request", [Problem(f"a whole number from 1 to {pages}", "query", "page", page)]
        )
    shown = ordered[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE]
    rows = support.matrix_rows(session, kind, shown, columns)
    return render(
        request,
        "matrix.html",
        title=title,
        name=name,
        kind=kind.value,
        columns=columns,
        rows=rows,
        engines_total=len(ordered),
        page=page,
        pages=pages,
        previous_url=with_params(request, page=str(page - 1)) if page > 1 else None,
        next_url=with_params(request, page=str(page + 1)) if page < pages else None,
        groups=groups,
        category=category,
        sort=sort,
        sort_url=lambda value: with_params(request, sort=value, page=None),
        others=[(n, t) for n, (_k, t, _tb) in MATRICES.items() if n != name],
        twins=[
            ("JSON", f"/api/v1/tables/{table}"),
            ("CSV", f"/api/v1/tables/{table}?format=csv"),
            ("Markdown", f"/api/v1/tables/{table}?format=markdown"),
        ],
    )


def _page_number(raw: str | None) -> int:
    if raw is None or raw == "":
        return 1
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise InvalidInputError(
            "invalid request", [Problem("a whole number from 1", "query", "page", raw)]
        )
    return int(raw)


def _groups(session: SessionDep, kind: FactKind) -> list[tuple[str, str]]:
    """What the matrix's columns can be filtered by: (value, label)."""
    if kind == FactKind.PLATFORM:
        return [(k.value, k.value.replace("_", " ")) for k in PlatformKind]
    if kind == FactKind.PRECISION:
        return [(f.value, f.value.replace("_", " ")) for f in PrecisionFamily]
    return [(c.slug, c.name) for c in techniques.list_categories(session)]


def _ordered(
    session: SessionDep, kind: FactKind, sort: str, columns: Sequence[MatrixColumn]
) -> list[Any]:
    """Every engine in the order asked for: `name`, `-supported` (most ✔ among the shown
    columns first) or a column's slug (supported there first, then not supported, then
    unknown); ties by name."""
    engines = support.matrix_engines(session)
    if sort == "name":
        return engines
    if sort == "-supported":
        counts = support.supported_counts(session, kind, [c.id for c in columns])
        return sorted(engines, key=lambda engine: -counts.get(engine.id or 0, 0))
    by_slug = {column.slug: column for column in support.matrix_columns(session, kind)}
    if sort not in by_slug:
        raise InvalidInputError(
            "invalid request",
            [Problem("`name`, `-supported` or a column's slug", "query", "sort", sort)],
        )
    statuses = support.column_statuses(session, kind, by_slug[sort].id)
    return sorted(
        engines,
        key=lambda engine: _RANK.get(statuses.get(engine.id or 0, SupportStatus.UNKNOWN), 2),
    )
