"""The runs charts on the survey plus imported result files (vLLM bench, llmperf, GuideLLM,
MLPerf): the throughput-vs-TTFT points are the stored runs paired and averaged as the
description says, recomputed here from the rows without the chart's SQL."""

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

import models as m
from api.services import run_charts
from api.services.ingest.readers.runs import RunContext
from api.services.ingest.runs import RunFile, import_runs
from tests.auth.conftest import client_for

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "benchmarks"
FILES = [
    "llmperf-leaderboard-groq_70b.json",
    "llmperf-leaderboard-fireworks_70b.json",
    "guidellm-benchmarks_stripped.json",
    "mlperf-inference-v4.1-summary_results.json",
]


@pytest.fixture(scope="module")
def graph(module_seeded_copy: sa.Engine) -> sa.Engine:
    """The seed and four formats of result files, one of vLLM bench given its engine."""
    engine = module_seeded_copy
    files = [RunFile(name, (SAMPLES / name).read_text()) for name in FILES]
    import_runs(engine, files, create_missing=True)
    vllm = SAMPLES / "vllm-bench-serve-glm47_conc1.json"
    import_runs(
        engine,
        [RunFile(vllm.name, vllm.read_text())],
        create_missing=True,
        context=RunContext(engine="vllm", device="NVIDIA H100"),
    )
    return engine


@pytest.fixture(scope="module")
def client(graph: sa.Engine) -> Iterator[TestClient]:
    with client_for(graph) as test_client:
        yield test_client


def _csv(client: TestClient, name: str, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/api/v1/charts/{name}.csv{query}")
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def _expected_points(
    session: Session, only: set[str] | None = None
) -> tuple[dict[tuple[Any, ...], tuple[Any, ...]], int]:
    """Every (engine, device, model, concurrency, metric, unit) point of the kept lines →
    (measurements, mean throughput, mean median TTFT), and how many lines there are; with
    `only`, of the engines with those slugs."""
    engines = {e.id: e.name for e in session.exec(select(m.Engine))}
    slugs = {e.id: e.slug for e in session.exec(select(m.Engine))}
    devices = {d.id: d.name for d in session.exec(select(m.Device))}
    models = {x.id: x.name for x in session.exec(select(m.LLMModel))}
    runs = [
        r
        for r in session.exec(select(m.BenchmarkRun))
        if r.engine_id is not None and (only is None or slugs[r.engine_id] in only)
    ]
    measurements: dict[tuple[Any, ...], list[m.BenchmarkRun]] = {}
    for r in runs:
        key = (r.source_id, r.origin_record, r.engine_id, r.model_id, r.device_id, r.concurrency)
        measurements.setdefault(key, []).append(r)
    pairs: dict[tuple[Any, ...], list[tuple[float, float]]] = {}
    for (_s, _o, engine, model, device, concurrency), found in measurements.items():
        ttfts = [
            r.value for r in found if r.metric == "ttft" and r.statistic in (None, "median", "p50")
        ]
        if not ttfts:
            continue
        for metric in run_charts.THROUGHPUT_METRICS:
            values = [
                r.value
                for r in found
                if r.metric == metric
                and r.statistic in (None, "value", "mean")
                and not r.per_device
            ]
            if values:
                unit = max(r.unit for r in found if r.metric == metric)
                point = (engine, device, model, concurrency, metric, unit)
                pairs.setdefault(point, []).append(
                    (sum(values) / len(values), sum(ttfts) / len(ttfts))
                )
    # Lines: sized by every throughput run, among engines and devices with TTFT runs.
    with_ttft = {(r.engine_id, r.device_id) for r in runs if r.metric == "ttft"}
    sizes: dict[tuple[Any, ...], int] = {}
    for r in runs:
        if r.metric in run_charts.THROUGHPUT_METRICS and (r.engine_id, r.device_id) in with_ttft:
            line = (r.engine_id, r.device_id, r.metric, r.unit)
            sizes[line] = sizes.get(line, 0) + 1
    kept = sorted(sizes, key=lambda k: (-sizes[k], k[0], k[1] or 0, k[2], k[3]))
    kept = kept[: run_charts.MAX_RUN_SERIES]
    expected = {
        (
            engines[p[0]],
            devices.get(p[1], ""),
            models.get(p[2], ""),
            p[3],
            p[4],
            p[5],
        ): (
            len(v),
            sum(t for t, _ in v) / len(v),
            sum(x for _, x in v) / len(v),
        )
        for p, v in pairs.items()
        if (p[0], p[1], p[4], p[5]) in kept
    }
    return expected, len(sizes)


def _latency_points(table: list[dict[str, str]]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return {
        (
            r["engine"],
            r["device"],
            r["model"],
            int(r["concurrency"]) if r["concurrency"] else None,
            r["metric"],
            r["unit"],
        ): (int(r["measurements"]), float(r["throughput"]), float(r["ttft_median_s"]))
        for r in table
    }


def _assert_points_match(
    got: dict[tuple[Any, ...], tuple[Any, ...]], expected: dict[tuple[Any, ...], tuple[Any, ...]]
) -> None:
    assert got.keys() == expected.keys()
    for key, (count, throughput, ttft) in got.items():
        assert count == expected[key][0]
        assert throughput == pytest.approx(expected[key][1], rel=1e-6, abs=1e-6)
        assert ttft == pytest.approx(expected[key][2], rel=1e-6, abs=1e-6)


def test_throughput_vs_ttft_is_every_paired_measurement(
    client: TestClient, graph: sa.Engine
) -> None:
    with Session(graph) as session:
        expected, lines = _expected_points(session)
    table = _csv(client, "runs-throughput-latency")
    got = _latency_points(table)
    _assert_points_match(got, expected)
    # The survey's commercial figure (no record, no concurrency) and imported files are both in.
    formats = {r["engine"] for r in table}
    assert {"GroqCloud", "vLLM"} <= formats
    assert any(r["concurrency"] for r in table) and any(not r["concurrency"] for r in table)
    assert len({k[:2] + k[4:] for k in got}) == min(lines, run_charts.MAX_RUN_SERIES)


@pytest.mark.parametrize("engines", [("vllm",), ("groqcloud", "fireworks-ai", "vllm")])
def test_throughput_vs_ttft_of_named_engines(
    client: TestClient, graph: sa.Engine, engines: tuple[str, ...]
) -> None:
    """`engine=` picks the lines among those engines only; a device stated and a device
    left unstated (the survey's provider rows) are both looked up."""
    with Session(graph) as session:
        expected, _ = _expected_points(session, set(engines))
    query = "?" + "&".join(f"engine={slug}" for slug in engines)
    got = _latency_points(_csv(client, "runs-throughput-latency", query))
    assert expected  # every named engine here has paired runs
    _assert_points_match(got, expected)
    assert {key[0] for key in got} <= {"vLLM", "GroqCloud", "Fireworks AI"}
    if len(engines) > 1:
        assert {key[1] for key in got} >= {"", "NVIDIA H100"}


def test_the_groq_llmperf_point_is_its_file(client: TestClient, graph: sa.Engine) -> None:
    """One point read back against the file: llmperf's Groq run states p50 TTFT and the
    output throughput of the run."""
    import json

    run = json.loads((SAMPLES / "llmperf-leaderboard-groq_70b.json").read_text())
    with Session(graph) as session:
        engine = session.exec(
            select(m.Engine)
            .join(m.BenchmarkRun, m.BenchmarkRun.engine_id == m.Engine.id)  # type: ignore[arg-type]
            .where(m.BenchmarkRun.origin_file == "llmperf-leaderboard-groq_70b.json")
        ).first()
        assert engine is not None
        slug = engine.slug
    table = _csv(client, "runs-throughput-latency", f"?engine={slug}")
    concurrency = int(run["num_concurrent_requests"])
    drawn = [
        r
        for r in table
        if r["concurrency"] == str(concurrency) and r["metric"] == "output_throughput"
    ]
    assert len(drawn) == 1 and {r["engine"] for r in table} == {engine.name}
    assert float(drawn[0]["ttft_median_s"]) == pytest.approx(
        float(run["results_ttft_s_quantiles_p50"])
    )
    assert float(drawn[0]["throughput"]) == pytest.approx(
        float(run["results_mean_output_throughput_token_per_s"])
    )


SVG = "{http://www.w3.org/2000/svg}"


def _axis(root: Any, axis: str) -> Callable[[float], float]:
    """Pixel → value along `axis` ("x" or "y"), from two of the guides pygal labels."""
    guides = []
    for guide in root.iterfind(f".//{SVG}g[@class='guides']"):
        owner = guide.getparent()
        if axis not in str(owner.get("class")).split() or "axis" not in str(owner.get("class")):
            continue
        start = [float(n) for n in str(guide.find(f"{SVG}path").get("d"))[1:].split()[:2]]
        guides.append((start[0 if axis == "x" else 1], float(str(guide.findtext(f"{SVG}title")))))
    (p0, v0), (p1, v1) = guides[0], guides[-1]
    return lambda pixel: v0 + (pixel - p0) * (v1 - v0) / (p1 - p0)


def _plotted(root: Any) -> dict[str, list[tuple[float, float]]]:
    """Legend name → the (x, y) values of every point drawn in that series, read from where it
    is drawn: a dot's centre, or each vertex of a line (its points are markers)."""
    to_x, to_y = _axis(root, "x"), _axis(root, "y")
    names = [  # a long name is cut short in the text, and given whole in the title
        g.findtext(f"{SVG}title") or g.findtext(f"{SVG}text")
        for g in root.iterfind(f".//{SVG}g")
        if "legend" in str(g.get("class")).split()
    ]
    drawn: dict[str, list[tuple[float, float]]] = {}
    for g in root.iterfind(f".//{SVG}g"):
        classes = str(g.get("class")).split()
        if "series" not in classes:
            continue
        index = int(next(c for c in classes if c.startswith("serie-")).removeprefix("serie-"))
        pixels = [
            (float(str(c.get("cx"))), float(str(c.get("cy")))) for c in g.iter(f"{SVG}circle")
        ]
        for line in g.iterfind(f"{SVG}path"):
            numbers = [
                float(n) for n in str(line.get("d")).replace("M", " ").replace("L", " ").split()
            ]
            pixels += list(zip(numbers[::2], numbers[1::2], strict=True))
        drawn.setdefault(str(names[index]), []).extend((to_x(x), to_y(y)) for x, y in pixels)
    return drawn


def _same_points(drawn: list[tuple[float, float]], expected: list[tuple[float, float]]) -> bool:
    """The two lists hold the same points, each to a 10,000th of its axis' span (a pixel is
    written to a millionth)."""
    spans = [max(max(p[i] for p in expected) - min(p[i] for p in expected), 1.0) for i in (0, 1)]
    left = list(drawn)
    for point in expected:
        near = [q for q in left if all(abs(q[i] - point[i]) <= spans[i] * 1e-4 for i in (0, 1))]
        if not near:
            return False
        left.remove(near[0])
    return not left


@pytest.mark.parametrize(
    ("name", "x", "y", "x_title"),
    [
        (
            "runs-throughput-latency",
            "ttft_median_s",
            "throughput",
            "Time to first token, median (s)",
        ),
        ("runs-throughput-concurrency", "concurrency", "mean", "Concurrency (requests in flight)"),
    ],
)
def test_the_svg_draws_exactly_the_csv_points(
    client: TestClient, name: str, x: str, y: str, x_title: str
) -> None:
    from lxml import etree

    table = _csv(client, name)
    response = client.get(f"/api/v1/charts/{name}.svg")
    assert response.status_code == 200
    drawn = _plotted(etree.fromstring(response.content))
    expected: dict[str, list[tuple[float, float]]] = {}
    for r in table:
        label = run_charts._label(r["engine"], r["device"], r["metric"], r["unit"])
        expected.setdefault(label, []).append((float(r[x]), float(r[y])))
    assert drawn.keys() == expected.keys() and len(drawn) > 1
    for label, points in expected.items():
        assert _same_points(drawn[label], points), label
    root = etree.fromstring(response.content)
    axes = [t.text for t in root.iterfind(".//{http://www.w3.org/2000/svg}text[@class='title']")]
    assert axes[0] == x_title
    assert str(axes[1]).startswith("Throughput (")


def test_the_concurrency_chart_counts_imported_runs(client: TestClient, graph: sa.Engine) -> None:
    with Session(graph) as session:
        imported = [
            r
            for r in session.exec(select(m.BenchmarkRun))
            if r.import_format is not None
            and r.engine_id is not None
            and r.metric in run_charts.THROUGHPUT_METRICS
            and r.concurrency is not None
        ]
        slugs = {r.engine_id: session.get(m.Engine, r.engine_id) for r in imported}
    assert imported
    for engine_id, engine in slugs.items():
        assert engine is not None
        table = _csv(client, "runs-throughput-concurrency", f"?engine={engine.slug}")
        with Session(graph) as session:
            stored = [
                r
                for r in session.exec(select(m.BenchmarkRun))
                if r.engine_id == engine_id
                and r.metric in run_charts.THROUGHPUT_METRICS
                and r.concurrency is not None
            ]
        assert sum(int(r["runs"]) for r in table) == len(stored) > 0


def test_a_measurement_without_concurrency_sorts_before_those_with_one(session: Session) -> None:
    engine = session.exec(select(m.Engine).where(m.Engine.slug == "vllm")).one()
    model = session.exec(select(m.LLMModel).where(m.LLMModel.slug == "llama-3.1-8b")).one()
    source = session.exec(select(m.Source)).first()
    assert source is not None and source.id is not None
    for concurrency, record in ((None, None), (4, "bench/c4")):
        for metric, value, unit in (("output_throughput", 120.0, "tokens/s"), ("ttft", 0.3, "s")):
            session.add(
                m.BenchmarkRun(
                    slug=f"mixed/{metric}/{concurrency}",
                    engine_id=engine.id,
                    model_id=model.id,
                    metric=metric,
                    value=value + (concurrency or 0),
                    unit=unit,
                    concurrency=concurrency,
                    origin_record=record,
                    source_id=source.id,
                )
            )
    session.flush()
    data = run_charts.runs_throughput_latency(session, ["vllm"])
    assert [(r[2], r[3], r[7], r[8]) for r in data.rows] == [
        (model.name, None, 120.0, 0.3),
        (model.name, 4, 124.0, 4.3),
    ]
