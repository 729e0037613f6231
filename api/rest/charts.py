"""Charts as SVG and their data as CSV, at stable URLs for papers and slides."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import Field

from api.rest.common import SessionDep
from api.rest.schemas import Out, Slug
from api.services import charts

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
ChartName = Annotated[str, Path(json_schema_extra={"enum": list(charts.CHARTS)})]


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


# The two charts that read `engine` have routes of their own, declared before `{name}` so
# they answer first.
@router.get("/charts/radar.svg", summary="The derived profiles of engines as a radar", **_SVG)
def radar_svg(session: SessionDep, engine: RadarEngines) -> Response:
    return _svg(charts.chart(session, "radar", engine))


@router.get("/charts/radar.csv", summary="The radar's data as CSV", **_CSV)
def radar_csv(session: SessionDep, engine: RadarEngines) -> Response:
    return _csv(charts.chart(session, "radar", engine))


@router.get(
    "/charts/runs-throughput-concurrency.svg",
    summary="Throughput by concurrency of benchmark runs, as SVG",
    **_SVG,
)
def runs_throughput_concurrency_svg(session: SessionDep, engine: RunEngines = None) -> Response:
    return _svg(charts.chart(session, "runs-throughput-concurrency", engine or ()))


@router.get(
    "/charts/runs-throughput-concurrency.csv",
    summary="Throughput by concurrency of benchmark runs, as CSV",
    **_CSV,
)
def runs_throughput_concurrency_csv(session: SessionDep, engine: RunEngines = None) -> Response:
    return _csv(charts.chart(session, "runs-throughput-concurrency", engine or ()))


@router.get(
    "/charts/{name}.svg",
    summary="A chart as SVG",
    description=", ".join(f"`{n}`" for n in charts.CHARTS)
    + " (`radar` and `runs-throughput-concurrency`, which take engines, have routes of their "
    "own). Each SVG has a title and a description; its data is the `.csv` at the same name.",
    **_SVG,
)
def chart_svg(name: ChartName, session: SessionDep) -> Response:
    return _svg(charts.chart(session, name))


@router.get("/charts/{name}.csv", summary="The data a chart is drawn from, as CSV", **_CSV)
def chart_csv(name: ChartName, session: SessionDep) -> Response:
    return _csv(charts.chart(session, name))
