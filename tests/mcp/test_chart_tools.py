"""The chart and profile tools: the same service answers as the CSV twin and the REST profile."""

import csv
import io
from typing import Any

from sqlmodel import Session

from api.services import charts, profile
from tests.mcp.clients import answer, http_client, run


def _ask(url: str, tool: str, arguments: dict[str, Any]) -> Any:
    async def scenario() -> Any:
        async with http_client(url) as client:
            return await answer(client, tool, arguments)

    return run(scenario)


def test_chart_data_is_the_csv_twin(mcp_url: str, session: Session) -> None:
    found = _ask(mcp_url, "chart_data", {"name": "hardware-matrix", "sort": "amd-instinct"})
    where = charts.MatrixFilter(sort="amd-instinct")
    twin = charts.render_csv(charts.chart(session, "hardware-matrix", (), where))
    rest = list(csv.reader(io.StringIO(twin)))
    assert found["columns"] == rest[0]
    assert [["" if v is None else str(v) for v in row] for row in found["rows"]] == rest[1:]
    assert found["svg"] == "/api/v1/charts/hardware-matrix.svg?sort=amd-instinct"
    radar = _ask(mcp_url, "chart_data", {"name": "radar", "engine": ["vllm"]})
    assert radar["title"] == "Derived profile (InferGraph, not the survey's): vLLM"
    assert len(radar["rows"]) == 6


def test_derived_profile_is_the_services_profile(mcp_url: str, session: Session) -> None:
    found = _ask(mcp_url, "derived_profile", {"engine": ["groqcloud"]})
    assert found["label"] == "derived by InferGraph, not the survey's"
    stored = profile.engine_profile(session, "groqcloud")
    ours = found["profiles"][0]
    assert ours["engine_slug"] == "groqcloud"
    assert [
        (s["dimension"], s["score_min"], s["score_max"], len(s["facts"])) for s in ours["scores"]
    ] == [(s.dimension.value, s.score_min, s.score_max, len(s.facts)) for s in stored.scores]
    assert any(s.score_min != s.score_max for s in stored.scores)  # unknowns widen a score
    everyone = _ask(mcp_url, "derived_profile", {})
    assert len(everyone["profiles"]) == 27
