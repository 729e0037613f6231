"""Charts as SVG and their data as CSV, at stable URLs for papers and slides."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.rest.common import SessionDep
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
