"""The three support matrices as heatmaps: engines × optimization columns, platforms and
precisions, filterable by category and sortable through the URL, each cell linking the source
of its fact."""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.errors import InvalidInputError, NotFoundError, Problem
from api.services import support
from api.services.support import FactKind
from api.web.rendering import PageRoute, render, single, with_params
from api.web.sessions import SessionDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MATRICES: dict[str, tuple[FactKind, str, str]] = {
    "optimization": (FactKind.FEATURE, "Optimization coverage matrix", "optimization-matrix"),
    "hardware": (FactKind.PLATFORM, "Hardware support matrix", "hardware-matrix"),
    "precision": (FactKind.PRECISION, "Numeric precision support matrix", "precision-matrix"),
}
"""Page name → the kind of fact, the title, the survey table it regenerates."""


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
    view = support.matrix_view(
        session,
        kind,
        category=single(params, "category", max_length=200) or "",
        sort=single(params, "sort", max_length=200) or "name",
        page=_page_number(single(params, "page", max_length=10)),
    )
    # The heatmap chart of exactly this view: same filters, same service rows.
    chart_query = urlencode(
        {
            k: v
            for k, v in (("category", view.category), ("sort", view.sort), ("page", view.page))
            if v not in ("", "name", 1)
        }
    )
    chart = f"/api/v1/charts/{name}-matrix.{{}}" + (f"?{chart_query}" if chart_query else "")
    page = view.page
    return render(
        request,
        "matrix.html",
        title=title,
        name=name,
        kind=kind.value,
        columns=view.columns,
        rows=view.rows,
        engines_total=view.engines_total,
        page=page,
        pages=view.pages,
        per_page=support.ROWS_PER_PAGE,
        previous_url=with_params(request, page=str(page - 1)) if page > 1 else None,
        next_url=with_params(request, page=str(page + 1)) if page < view.pages else None,
        groups=support.matrix_groups(session, kind),
        category=view.category,
        sort=view.sort,
        sort_url=lambda value: with_params(request, sort=value, page=None),
        others=[(n, t) for n, (_k, t, _tb) in MATRICES.items() if n != name],
        chart_svg=chart.format("svg"),
        chart_csv=chart.format("csv"),
        twins=[
            ("JSON", f"/api/v1/tables/{table}"),
            ("CSV", f"/api/v1/tables/{table}?format=csv"),
            ("Markdown", f"/api/v1/tables/{table}?format=markdown"),
            ("SVG heatmap", chart.format("svg")),
            ("heatmap CSV", chart.format("csv")),
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
