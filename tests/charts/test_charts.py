"""Charts: the data drawn equals the stored facts (read back from the SVG and from its CSV twin),
every SVG is well-formed and announces a title and a description, and the pages embed them."""

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from lxml import etree
from sqlmodel import Session, col, select

import models as m
from api.app import create_app
from api.config import Settings
from api.services import charts, profile, run_charts
from models.base import ValueQualifier

NS = {"s": "http://www.w3.org/2000/svg"}
ALL = [*charts.CHARTS, "radar"]
UNITS = {
    "commercial-output-throughput": "Model Output throughput (tokens/s)",
    "commercial-ttft": "Model Time to first token (s)",
    "model-prices": "Input price (USD per 1M tokens) Output price (USD per 1M tokens)",
    "device-prices": "Device Price (USD per device-hour)",
    "engines-over-time": "First release (year) GitHub stars (count, log scale)",
    "deployment-quadrant": (
        "Hardware diversity (kind of hardware supported) Deployment scale (nodes served)"
    ),
    "runs-throughput-concurrency": (
        "Concurrency (requests in flight) Throughput (requests/s, tokens/s)"
    ),
    "runs-throughput-latency": "Time to first token, median (s) Throughput (tokens/s)",
    "optimization-matrix": "Optimization column Engine",
    "hardware-matrix": "Platform Engine",
    "precision-matrix": "Precision Engine",
}


def _url(name: str, suffix: str) -> str:
    query = "?engine=vllm&engine=groqcloud" if name == "radar" else ""
    return f"/api/v1/charts/{name}.{suffix}{query}"


def _csv(api: TestClient, name: str) -> list[dict[str, str]]:
    response = api.get(_url(name, "csv"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.text)))


def _svg(api: TestClient, name: str) -> etree._Element:
    response = api.get(_url(name, "svg"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    return etree.fromstring(response.content)  # raises if not well-formed


def _series(root: etree._Element) -> dict[str, list[tuple[str | None, str]]]:
    """Legend name → the (x label, value) of every point pygal drew in that series."""
    names = [
        g.findtext("s:text", namespaces=NS)
        for g in root.iterfind(".//s:g", NS)
        if "legend" in (g.get("class") or "").split()
    ]
    drawn: dict[str, list[tuple[str | None, str]]] = {}
    for g in root.iterfind(".//s:g", NS):
        classes = (g.get("class") or "").split()
        if "series" not in classes:
            continue
        index = int(next(c for c in classes if c.startswith("serie-")).removeprefix("serie-"))
        # pygal may split a series over several groups (lines, then dots, then the text
        # overlay); the points are the groups' value descriptions, wherever they are.
        drawn.setdefault(str(names[index]), []).extend(
            (
                point.findtext("s:desc[@class='x_label']", namespaces=NS),
                str(point.findtext("s:desc[@class='value']", namespaces=NS)),
            )
            for point in g.iterfind(".//s:g", NS)
            if point.find("s:desc[@class='value']", NS) is not None
        )
    return drawn


@pytest.mark.parametrize("name", ALL)
def test_every_chart_is_well_formed_and_accessible(api: TestClient, name: str) -> None:
    root = _svg(api, name)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    title_id, desc_id = str(root.get("aria-labelledby")).split()
    title = root.find(f"s:title[@id='{title_id}']", NS)
    desc = root.find(f"s:desc[@id='{desc_id}']", NS)
    assert title is not None and title.text and desc is not None and desc.text
    assert root.find(".//s:script", NS) is None  # readable without JavaScript, nothing fetched
    assert b"http" not in etree.tostring(root).replace(b"http://www.w3.org/", b"")
    if name == "radar":
        assert "derived by InferGraph, not the survey's" in desc.text
        return
    axis_titles = [t.text for t in root.iterfind(".//s:text[@class='title']", NS)]
    # Both axes labelled, with units (pygal wraps a long label over several lines).
    assert " ".join(str(t) for t in axis_titles) == UNITS[name]


def test_the_same_chart_renders_the_same_bytes(api: TestClient) -> None:
    assert (
        api.get(_url("model-prices", "svg")).content == api.get(_url("model-prices", "svg")).content
    )


def _runs(session: Session, metric: str) -> dict[tuple[str, str], float]:
    rows = session.execute(
        sa.select(col(m.LLMModel.name), col(m.Engine.name), col(m.BenchmarkRun.value))
        .join(m.Engine, col(m.Engine.id) == m.BenchmarkRun.engine_id)
        .join(m.LLMModel, col(m.LLMModel.id) == m.BenchmarkRun.model_id)
        .join(m.Source, col(m.Source.id) == m.BenchmarkRun.source_id)
        .where(col(m.Source.slug) == "survey-commercial-performance-figure")
        .where(col(m.BenchmarkRun.metric) == metric)
    )
    return {(model, provider): value for model, provider, value in rows}


@pytest.mark.parametrize(
    ("name", "metric", "column"),
    [
        ("commercial-output-throughput", "output_throughput", "output_throughput_tokens_per_s"),
        ("commercial-ttft", "ttft", "ttft_s"),
    ],
)
def test_the_commercial_figure_draws_exactly_the_stored_runs(
    api: TestClient, session: Session, name: str, metric: str, column: str
) -> None:
    stored = _runs(session, metric)
    assert len(stored) == 25  # the survey's figure: 25 bars per panel
    table = _csv(api, name)
    assert {(r["model"], r["provider"]): float(r[column]) for r in table} == stored
    drawn = _series(_svg(api, name))
    assert {
        (model, provider): float(value)
        for provider, points in drawn.items()
        for model, value in points
    } == stored
    # A provider that does not serve a model is absent, not a zero bar.
    models = {model for model, _ in stored}
    providers = {provider for _, provider in stored}
    absent = {(mo, p) for mo in models for p in providers} - set(stored)
    assert absent, "the seed has providers that do not serve every model"
    assert sum(len(points) for points in drawn.values()) == len(stored)


def test_model_prices_chart_is_the_stored_prices(api: TestClient, session: Session) -> None:
    stored = sorted(
        (p.name, mo.name, float(r.input_usd_per_mtok), float(r.output_usd_per_mtok))
        for r, p, mo in session.exec(
            select(m.ModelPrice, m.Engine, m.LLMModel)
            .where(m.ModelPrice.provider_id == m.Engine.id)
            .where(m.ModelPrice.model_id == m.LLMModel.id)
        )
    )
    table = _csv(api, "model-prices")
    got = sorted(
        (r["provider"], r["model"], float(r["input_usd_per_mtok"]), float(r["output_usd_per_mtok"]))
        for r in table
    )
    assert got == stored and len(got) == 20


def test_device_prices_chart_is_the_stored_prices(api: TestClient, session: Session) -> None:
    stored = {
        (d.name, p.name): r.usd_per_hour
        for r, p, d in session.exec(
            select(m.DevicePrice, m.Engine, m.Device)
            .where(m.DevicePrice.provider_id == m.Engine.id)
            .where(m.DevicePrice.device_id == m.Device.id)
        )
    }
    table = {
        (r["device"], r["provider"]): Decimal(r["usd_per_hour"]) for r in _csv(api, "device-prices")
    }
    assert table == stored
    drawn = _series(_svg(api, "device-prices"))
    assert {
        (device, provider): Decimal(value)
        for provider, pts in drawn.items()
        for device, value in pts
    } == stored


def test_engines_over_time_is_every_dated_engine_with_stars(
    api: TestClient, session: Session
) -> None:
    stored = {
        e.slug: (e.release_year, e.release_month, e.github_stars)
        for e in session.exec(select(m.Engine))
        if e.release_year is not None and e.github_stars is not None
    }
    table = _csv(api, "engines-over-time")
    assert {
        r["engine"]: (
            int(r["release_year"]),
            int(r["release_month"]) if r["release_month"] else None,
            int(r["github_stars"]),
        )
        for r in table
    } == stored
    kinds = {r["organization_kind"] for r in table}
    assert kinds <= {"community", "academic", "big_tech", "startup", "unknown"} and len(kinds) > 1
    assert {name.replace(" ", "_") for name in _series(_svg(api, "engines-over-time"))} == kinds


def test_the_deployment_quadrant_places_every_engine_the_graph_knows(
    api: TestClient, session: Session
) -> None:
    stored = {
        e.name: (e.hardware_diversity.value, e.deployment_scale.value)
        for e in session.exec(select(m.Engine))
        if e.hardware_diversity is not None and e.deployment_scale is not None
    }
    table = _csv(api, "deployment-quadrant")
    assert {r["engine_name"]: (r["hardware_diversity"], r["deployment_scale"]) for r in table} == (
        stored
    )
    drawn = _series(_svg(api, "deployment-quadrant"))
    assert sum(len(points) for points in drawn.values()) == len(stored)
    root = _svg(api, "deployment-quadrant")
    labels = {t.text for t in root.iterfind(".//s:text", NS)}
    assert set(stored) <= labels  # every engine is named on the picture


def test_throughput_vs_concurrency_is_the_mean_of_every_stored_run(
    api: TestClient, session: Session
) -> None:
    groups: dict[tuple[str, str, str, int], list[float]] = {}
    for run, engine in session.exec(
        select(m.BenchmarkRun, m.Engine).where(m.BenchmarkRun.engine_id == m.Engine.id)
    ):
        if run.metric in run_charts.THROUGHPUT_METRICS and run.concurrency is not None:
            found = session.get(m.Device, run.device_id) if run.device_id else None
            device = found.name if found else ""
            key = (engine.name, device, run.metric, run.concurrency)
            groups.setdefault(key, []).append(run.value)
    assert groups
    table = _csv(api, "runs-throughput-concurrency")
    got = {
        (r["engine"], r["device"], r["metric"], int(r["concurrency"])): (
            int(r["runs"]),
            float(r["mean"]),
            float(r["min"]),
            float(r["max"]),
        )
        for r in table
    }
    expected = {key: (len(v), sum(v) / len(v), min(v), max(v)) for key, v in groups.items()}
    assert got.keys() == expected.keys()
    for key, (runs, mean, low, high) in got.items():
        assert (runs, low, high) == (expected[key][0], expected[key][2], expected[key][3])
        assert mean == pytest.approx(expected[key][1])


def test_many_runs_draw_the_dozen_lines_with_most_runs_and_say_so(session: Session) -> None:
    source = session.exec(select(m.Source)).first()
    engines = list(session.exec(select(m.Engine).order_by(m.Engine.slug)))[:14]
    assert source is not None and source.id is not None and len(engines) == 14
    source_id = source.id
    for i, engine in enumerate(engines):
        for n in range(i + 1):  # engine i has i + 1 runs: the first two are the least
            session.add(
                m.BenchmarkRun(
                    slug=f"test-many/{engine.slug}/{n}",
                    engine_id=engine.id,
                    metric="token_throughput",
                    value=10.0 * (n + 1),
                    qualifier=ValueQualifier.EXACT,
                    unit="tokens/s",
                    concurrency=7,
                    source_id=source_id,
                )
            )
    session.flush()
    data = charts.chart(session, "runs-throughput-concurrency")
    lines = {(r[0], r[1], r[2], r[3]) for r in data.rows}
    assert len(lines) == run_charts.MAX_RUN_SERIES
    assert "more are left out" in data.description
    assert (engines[0].name, "", "token_throughput", "tokens/s") not in lines  # fewest runs
    narrowed = charts.chart(session, "runs-throughput-concurrency", [engines[0].slug])
    assert [(r[0], r[4], r[5], r[6]) for r in narrowed.rows] == [(engines[0].name, 7, 1, 10.0)]
    assert "left out" not in narrowed.description


def test_the_radar_is_the_profile(api: TestClient, session: Session) -> None:
    expected = [
        (p.engine_slug, s.dimension.value, s.score_min, s.score_max)
        for p in profile.profiles_by_slugs(session, ["vllm", "groqcloud"])
        for s in p.scores
    ]
    table = _csv(api, "radar")
    assert [
        (r["engine"], r["dimension"], float(r["score_min"]), float(r["score_max"])) for r in table
    ] == expected
    drawn = _series(_svg(api, "radar"))
    # vLLM is fully known: one outline; GroqCloud has ranges: a highest and a lowest outline.
    assert set(drawn) == {"vLLM", "GroqCloud (highest)", "GroqCloud (lowest)"}
    groq_high = [float(v) for _, v in drawn["GroqCloud (highest)"]]
    assert groq_high == [float(r["score_max"]) for r in table if r["engine"] == "groqcloud"]


def test_the_chart_list_names_every_chart_and_its_urls(api: TestClient) -> None:
    listed = api.get("/api/v1/charts").json()
    assert [c["name"] for c in listed] == [*charts.CHARTS, "radar"]
    for c in listed:
        assert c["svg"] == f"/api/v1/charts/{c['name']}.svg"
        assert c["csv"] == f"/api/v1/charts/{c['name']}.csv"
        if not c["takes_engines"]:
            assert api.get(c["svg"]).status_code == 200


def test_chart_errors_answer_in_the_one_error_shape(api: TestClient) -> None:
    missing = api.get("/api/v1/charts/model-price.svg").json()["error"]
    assert missing["code"] == "not_found" and "model-prices" in missing["problems"][0]["message"]
    assert api.get("/api/v1/charts/radar.svg").status_code == 400
    five = "&".join(f"engine={s}" for s in ["vllm", "sglang", "ollama", "llama-cpp", "groqcloud"])
    assert api.get(f"/api/v1/charts/radar.svg?{five}").status_code == 400
    assert api.get("/api/v1/charts/model-prices.svg?engine=vllm").status_code == 400
    unknown = api.get("/api/v1/charts/runs-throughput-concurrency.csv?engine=vlm").json()
    assert unknown["error"]["problems"][0]["field"] == "engine"
    assert api.get("/api/v1/charts/model-prices.svg?colour=red").status_code == 400


@pytest.fixture(scope="module")
def web(seeded_engine: sa.Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=seeded_engine.url.render_as_string(False)))
    with TestClient(app, headers={"accept": "text/html"}) as client:
        yield client


def test_engine_page_shows_the_derived_radar_beside_the_surveys_figure(web: TestClient) -> None:
    page = web.get("/engines/vllm").text
    assert 'src="/api/v1/charts/radar.svg?engine=vllm"' in page
    assert 'href="/api/v1/charts/radar.csv?engine=vllm"' in page
    assert 'src="/static/survey/six_dimension_graph.png"' in page
    assert "derived by InferGraph, not the survey&#39;s" in page
    assert "The survey's own figure" in page
    assert web.get("/static/survey/six_dimension_graph.png").status_code == 200


def test_charts_page_embeds_every_chart_with_its_csv(web: TestClient) -> None:
    page = web.get("/charts").text
    for name in charts.CHARTS:
        assert f'src="/api/v1/charts/{name}.svg"' in page
        assert f'href="/api/v1/charts/{name}.csv"' in page
    assert "radar.svg?engine=vllm" in page and 'id="profile-formula"' in page


def test_an_empty_graph_draws_every_chart_with_no_data(empty_engine: sa.Engine) -> None:
    with Session(empty_engine) as session:
        for entry in charts.chart_index(session):
            if entry.name == "radar":
                continue  # it needs engines, and an empty graph has none to name
            data = charts.chart(session, entry.name)
            assert data.rows == ()
            root = etree.fromstring(charts.render_svg(data))
            assert root.find("s:title", NS) is not None and root.find("s:desc", NS) is not None
            assert charts.render_csv(data) == ",".join(data.columns) + "\n"
