"""The three support matrices as heatmaps: engines × optimization columns, platforms and
precisions, filterable by category and sortable through the URL, each cell linking the source
of its fact."""

from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.errors import InvalidInputError, NotFoundError, Problem
from api.services import support, techniques
from api.services.support import FactKind, Matrix, MatrixRow
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
    matrix = support.support_matrix(session, kind)
    groups = _groups(session, kind)
    category = single(request.query_params, "category", max_length=200) or ""
    if category and category not in dict(groups):
        raise InvalidInputError(
            "invalid request",
            [Problem(f"one of {', '.join(dict(groups))}", "query", "category", category)],
        )
    sort = single(request.query_params, "sort", max_length=200) or "name"
    shown = [
        index
        for index, column in enumerate(matrix.columns)
        if not category or category in column.group.split(";")
    ]
    rows = _sorted(matrix, sort, shown)
    return render(
        request,
        "matrix.html",
        title=title,
        name=name,
        kind=kind.value,
        columns=[matrix.columns[i] for i in shown],
        rows=[(row, [row.cells[i] for i in shown]) for row in rows],
        groups=groups,
        category=category,
        sort=sort,
        sort_url=lambda value: with_params(request, sort=value),
        target_path={"feature": None, "platform": "/platforms/", "precision": "/precisions/"}[
            kind.value
        ],
        others=[(n, t) for n, (_k, t, _tb) in MATRICES.items() if n != name],
        twins=[
            ("JSON", f"/api/v1/tables/{table}"),
            ("CSV", f"/api/v1/tables/{table}?format=csv"),
            ("Markdown", f"/api/v1/tables/{table}?format=markdown"),
        ],
    )


def _groups(session: SessionDep, kind: FactKind) -> list[tuple[str, str]]:
    """What the matrix's columns can be filtered by: (value, label)."""
    if kind == FactKind.PLATFORM:
        return [(k.value, k.value.replace("_", " ")) for k in PlatformKind]
    if kind == FactKind.PRECISION:
        return [(f.value, f.value.replace("_", " ")) for f in PrecisionFamily]
    return [(c.slug, c.name) for c in techniques.list_categories(session)]


def _sorted(matrix: Matrix, sort: str, shown: Sequence[int]) -> list[MatrixRow]:
    """`name`, `-supported` (most ✔ among the shown columns first) or a column's slug
    (supported there first, then not supported, then unknown)."""
    by_name = sorted(matrix.rows, key=lambda row: row.engine_name.casefold())
    if sort == "name":
        return by_name
    if sort == "-supported":
        return sorted(
            by_name,
            key=lambda row: -sum(row.cells[i].status == SupportStatus.SUPPORTED for i in shown),
        )
    slugs = [column.slug for column in matrix.columns]
    if sort not in slugs:
        raise InvalidInputError(
            "invalid request",
            [Problem("`name`, `-supported` or a column's slug", "query", "sort", sort)],
        )
    index = slugs.index(sort)
    return sorted(by_name, key=lambda row: _RANK.get(row.cells[index].status, 2))
