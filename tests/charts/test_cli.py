"""Charts and the derived profile from the command line: the same service answers as REST's,
compared cell for cell."""

import csv
import io
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from lxml import etree
from typer.testing import CliRunner

from api.cli import app
from api.config import get_settings

runner = CliRunner()


@pytest.fixture
def cli_database(seeded_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("INFERGRAPH_DATABASE_URL", seeded_engine.url.render_as_string(False))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("cli_database")
def test_export_chart_writes_the_rest_csv_and_svg(api: TestClient) -> None:
    query = ["--category", "quantization", "--sort", "-supported"]
    table = runner.invoke(
        app, ["export", "chart", "optimization-matrix", "--format", "csv", *query]
    )
    assert table.exit_code == 0, table.output
    rest = api.get("/api/v1/charts/optimization-matrix.csv?category=quantization&sort=-supported")
    assert table.output == rest.text
    rows = list(csv.DictReader(io.StringIO(table.output)))
    assert len(rows) == 27 and {r["column"] for r in rows} == {"quantization"}
    picture = runner.invoke(
        app, ["export", "chart", "radar", "--engine", "vllm", "--engine", "sglang"]
    )
    assert picture.exit_code == 0, picture.output
    assert (
        picture.stdout_bytes
        == api.get("/api/v1/charts/radar.svg?engine=vllm&engine=sglang").content
    )
    assert etree.fromstring(picture.stdout_bytes).get("role") == "img"


@pytest.mark.usefixtures("cli_database")
def test_export_chart_refuses_what_rest_refuses() -> None:
    unknown = runner.invoke(app, ["export", "chart", "model-price"])
    assert unknown.exit_code == 1 and "model-prices" in unknown.output
    wrong = runner.invoke(app, ["export", "chart", "model-prices", "--engine", "vllm"])
    assert wrong.exit_code == 1 and "engine" in wrong.output
    assert runner.invoke(app, ["export", "chart", "radar", "--format", "png"]).exit_code == 2
    page = runner.invoke(app, ["export", "chart", "hardware-matrix", "--page", "9"])
    assert page.exit_code == 1 and "page" in page.output


@pytest.mark.usefixtures("cli_database")
def test_profile_prints_the_rest_scores(api: TestClient) -> None:
    rest = api.get("/api/v1/profiles?engine=vllm&engine=groqcloud").json()
    shown = runner.invoke(app, ["profile", "vllm", "groqcloud", "--json"])
    assert shown.exit_code == 0, shown.output
    printed = json.loads(shown.output)
    assert [p["engine_slug"] for p in printed] == ["vllm", "groqcloud"]
    for ours, theirs in zip(printed, rest, strict=True):
        assert [(s["dimension"], s["score_min"], s["score_max"]) for s in ours["scores"]] == [
            (s["dimension"], s["score_min"], s["score_max"]) for s in theirs["scores"]
        ]
    text = runner.invoke(app, ["profile", "groqcloud"]).output
    assert "derived by InferGraph, not the survey's" in text
    groq = rest[1]["scores"]
    ranged = next(s for s in groq if s["score_min"] != s["score_max"])
    assert f"{ranged['score_min']:.2f} to {ranged['score_max']:.2f}" in text
    missing = runner.invoke(app, ["profile", "vlm"])
    assert missing.exit_code == 1 and "vllm" in missing.output
