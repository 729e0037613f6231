"""Charts as SVG and their data as CSV, at stable URLs for papers and slides."""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import Field

from api.rest.common import SessionDep
from api.rest.schemas import Out
from api.services import charts

router = APIRouter(tags=["charts"])
EngineParam = Annotated[
    list[str] | None,
    Query(
        max_length=200,
        description="The radar's engines (one to four), in order; on "
        "`runs-throughput-concurrency`, only these engines' runs.",
    ),
]


CategoryParam = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Only the columns in this group: a technique category's slug (the "
        "optimization matrix), a platform kind or a precision family, as on the matrix page.",
    ),
]
SortParam = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Order of the engines: `name` (default), `-supported` (most supported "
        "first) or a column's slug (supported there first).",
    ),
]
PageParam = Annotated[
    int, Query(ge=1, le=100_000, description="Page of engines, 30 a page, as on the matrix page.")
]


def _svg(data: charts.ChartData) -> Response:
    return Response(charts.render_svg(data), media_type="image/svg+xml")


def _csv(data: charts.ChartData) -> Response:
    return Response(
        charts.render_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'inline; filename="{data.name}.csv"'},
    )


def _matrix_route(
    name: str, respond: Callable[[charts.ChartData], Response]
) -> Callable[..., Response]:
    def matrix_chart(
        session: SessionDep,
        category: CategoryParam = None,
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
        _matrix_route(_name, _svg),
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
        _matrix_route(_name, _csv),
        methods=["GET"],
        summary=f"The cells of the {_title.lower()} matrix heatmap, as CSV",
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}}},
        name=f"{_name}_csv",
    )


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


@router.get(
    "/charts/{name}.svg",
    summary="A chart as SVG",
    description="`radar` (the derived profile of `engine`s), "
    + ", ".join(f"`{n}`" for n in charts.CHARTS)
    + ". Each SVG has a title and a description; its data is the `.csv` at the same name.",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def chart_svg(name: str, session: SessionDep, engine: EngineParam = None) -> Response:
    return _svg(charts.chart(session, name, engine or ()))


@router.get(
    "/charts/{name}.csv",
    summary="The data a chart is drawn from, as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def chart_csv(name: str, session: SessionDep, engine: EngineParam = None) -> Response:
    return _csv(charts.chart(session, name, engine or ()))
