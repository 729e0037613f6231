"""Charts as SVG and their data as CSV, at stable URLs for papers and slides."""

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import Field

from api.rest.common import SessionDep
from api.rest.schemas import SLUG_PATTERN, Out, Slug
from api.services import charts
from api.services.support import FactKind
from models.base import PlatformKind, PrecisionFamily

router = APIRouter(tags=["charts"])
# The slug pattern and the counts make the document exact: an empty or oversized list, or a
# list given to a chart that takes none (the generic routes below declare no `engine`), is
# not a request the document describes.
RadarEngines = Annotated[
    list[Slug],
    Query(
        min_length=1,
        max_length=charts.MAX_RADAR_ENGINES,
        description=f"The radar's engines (one to {charts.MAX_RADAR_ENGINES}), in order.",
    ),
]
SortParam = Annotated[
    str | None,
    Query(
        max_length=120,
        pattern=r"^(-supported|[a-z0-9][a-z0-9.\-]*)$",
        description="Order of the engines: `name` (default), `-supported` (most supported "
        "first) or a column's slug (supported there first); a column the matrix does not "
        "have is a 404.",
    ),
]


def _category_param(kind: FactKind) -> Any:
    """`category` of a matrix: the platform kinds and precision families are fixed, so the
    document lists them; technique categories are data, so it gives their slug's grammar
    (one the graph does not have is a 404)."""
    about = "Only the columns in this group, as on the matrix page"
    if kind in (FactKind.PLATFORM, FactKind.PRECISION):
        fixed = [k.value for k in (PlatformKind if kind == FactKind.PLATFORM else PrecisionFamily)]
        # Checked, not only listed: any other value (the empty one too) is a 400, where an
        # empty value used to be read as "no filter" against what the document says.
        values: dict[str, Any] = {
            "pattern": "^(" + "|".join(re.escape(value) for value in fixed) + ")$",
            "json_schema_extra": {"enum": fixed},
        }
        about += ": a platform kind." if kind == FactKind.PLATFORM else ": a precision family."
    else:
        values = {"pattern": SLUG_PATTERN, "max_length": 120}
        about += ": a technique category's slug."
    return Annotated[str | None, Query(description=about, **values)]


PageParam = Annotated[
    int, Query(ge=1, le=100_000, description="Page of engines, 30 a page, as on the matrix page.")
]


RunEngines = Annotated[
    list[Slug] | None,
    Query(max_length=200, description="Only these engines' runs (default: every engine)."),
]


class ChartOut(Out):
    name: str
    title: str
    description: str
    takes_engines: bool = Field(description="Whether the chart reads `engine` parameters.")
    svg: str = Field(description="Its SVG, at a stable URL.")
    csv: str = Field(description="The data it is drawn from.")


@router.get(
    "/charts",
    response_model=list[ChartOut],
    summary="Every chart, with the URLs of its SVG and its CSV",
)
def chart_list(session: SessionDep) -> list[ChartOut]:
    return [
        ChartOut(
            name=c.name,
            title=c.title,
            description=c.description,
            takes_engines=c.takes_engines,
            svg=f"/api/v1/charts/{c.name}.svg",
            csv=f"/api/v1/charts/{c.name}.csv",
        )
        for c in charts.chart_index(session)
    ]


# Named in the document (the charts are fixed in code), so a request for `radar` here, which
# the radar's own route answers, is not one the document describes; an unknown name is still
# answered with a 404 naming the charts.
_OWN_ROUTES = {*charts.RUN_CHARTS, *charts.MATRIX_CHARTS}
ChartName = Annotated[
    str, Path(json_schema_extra={"enum": [n for n in charts.CHARTS if n not in _OWN_ROUTES]})
]


def _svg(data: charts.ChartData) -> Response:
    return Response(charts.render_svg(data), media_type="image/svg+xml")


def _csv(data: charts.ChartData) -> Response:
    return Response(
        charts.render_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'inline; filename="{data.name}.csv"'},
    )


_SVG: dict[str, Any] = {
    "response_class": Response,
    "responses": {200: {"content": {"image/svg+xml": {}}}},
}
_CSV: dict[str, Any] = {
    "response_class": Response,
    "responses": {200: {"content": {"text/csv": {}}}},
}


# The charts that read parameters have routes of their own, declared before `{name}` so they
# answer first.
@router.get("/charts/radar.svg", summary="The derived profiles of engines as a radar", **_SVG)
def radar_svg(session: SessionDep, engine: RadarEngines) -> Response:
    return _svg(charts.chart(session, "radar", engine))


@router.get("/charts/radar.csv", summary="The radar's data as CSV", **_CSV)
def radar_csv(session: SessionDep, engine: RadarEngines) -> Response:
    return _csv(charts.chart(session, "radar", engine))


def _runs_route(
    name: str, respond: Callable[[charts.ChartData], Response]
) -> Callable[..., Response]:
    def runs_chart(session: SessionDep, engine: RunEngines = None) -> Response:
        return respond(charts.chart(session, name, engine or ()))

    return runs_chart


for _name in charts.RUN_CHARTS:
    router.add_api_route(
        f"/charts/{_name}.svg",
        _runs_route(_name, _svg),
        methods=["GET"],
        summary=f"The benchmark-run chart {_name} as SVG",
        name=f"{_name}_svg",
        **_SVG,
    )
    router.add_api_route(
        f"/charts/{_name}.csv",
        _runs_route(_name, _csv),
        methods=["GET"],
        summary=f"The data of the benchmark-run chart {_name}, as CSV",
        name=f"{_name}_csv",
        **_CSV,
    )


def _matrix_route(
    name: str, kind: FactKind, respond: Callable[[charts.ChartData], Response]
) -> Callable[..., Response]:
    category_param = _category_param(kind)

    def matrix_chart(
        session: SessionDep,
        category: category_param = None,  # type: ignore[valid-type]
        sort: SortParam = None,
        page: PageParam = 1,
    ) -> Response:
        where = charts.MatrixFilter(category or "", sort or "name", page)
        return respond(charts.support_matrix(session, name, where))

    return matrix_chart


# The matrices first: `/charts/{name}.svg` below would take their paths too, without filters.
for _name, (_kind, _title, _column) in charts.MATRIX_CHARTS.items():
    router.add_api_route(
        f"/charts/{_name}.svg",
        _matrix_route(_name, _kind, _svg),
        methods=["GET"],
        summary=f"{_title} matrix as an SVG heatmap",
        description="The cells of the matrix page `/matrices/"
        + _name.removesuffix("-matrix")
        + "` for the same `category`, `sort` and `page`, drawn with a glyph and a colour per "
        "status; its data is the `.csv` at the same name.",
        response_class=Response,
        responses={200: {"content": {"image/svg+xml": {}}}},
        name=f"{_name}_svg",
    )
    router.add_api_route(
        f"/charts/{_name}.csv",
        _matrix_route(_name, _kind, _csv),
        methods=["GET"],
        summary=f"The cells of the {_title.lower()} matrix heatmap, as CSV",
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}}},
        name=f"{_name}_csv",
    )


@router.get(
    "/charts/{name}.svg",
    summary="A chart as SVG",
    description=", ".join(f"`{n}`" for n in charts.CHARTS if n not in _OWN_ROUTES)
    + " (the radar and the benchmark-run charts, which take engines, and the matrices, which "
    "take `category`, `sort` and `page`, have routes of their own). Each SVG has a title and a "
    "description; its data is the `.csv` at the same name.",
    **_SVG,
)
def chart_svg(name: ChartName, session: SessionDep) -> Response:
    return _svg(charts.chart(session, name))


@router.get("/charts/{name}.csv", summary="The data a chart is drawn from, as CSV", **_CSV)
def chart_csv(name: ChartName, session: SessionDep) -> Response:
    return _csv(charts.chart(session, name))
