"""The charts page: every chart of the graph with its data one link away, and the formula of
the derived profile."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.services import charts, profile
from api.web.rendering import PageRoute, render
from api.web.sessions import SessionDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# The radar on the charts page overlays engines the survey also profiles, to show the overlay.
RADAR_EXAMPLE = ("vllm", "llama-cpp", "tensorrt-llm")


@router.get("/charts")
def charts_page(request: Request, session: SessionDep) -> HTMLResponse:
    shown = [c for c in charts.chart_index(session) if c.name != "radar"]
    radar_engines = [
        slug for slug in RADAR_EXAMPLE if profile.find_engine(session, slug) is not None
    ]
    query = "&".join(f"engine={slug}" for slug in radar_engines)
    radar = charts.radar(session, radar_engines) if radar_engines else None
    return render(
        request,
        "charts.html",
        title="Charts",
        # A heatmap is as tall as its matrix: its height comes from the SVG, not a fixed box.
        charts=[(d.name, d.title, d.description, d.name in charts.MATRIX_CHARTS) for d in shown],
        radar=(radar.title, radar.description, query) if radar else None,
        rules=profile.RULES,
        label=profile.LABEL,
        twins=[
            ("charts JSON", "/api/v1/charts"),
            *((f"{d.name} CSV", f"/api/v1/charts/{d.name}.csv") for d in shown),
        ],
    )
