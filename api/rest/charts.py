"""Charts as SVG and their data as CSV, at stable URLs for papers and slides."""

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
    data = charts.chart(session, name, engine or ())
    return Response(charts.render_svg(data), media_type="image/svg+xml")


@router.get(
    "/charts/{name}.csv",
    summary="The data a chart is drawn from, as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def chart_csv(name: str, session: SessionDep, engine: EngineParam = None) -> Response:
    data = charts.chart(session, name, engine or ())
    return Response(
        charts.render_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'inline; filename="{data.name}.csv"'},
    )
