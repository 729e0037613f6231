"""The questions asked of imported runs, over REST and GraphQL: best runs for a model by a
metric on a device, engine A against B, an engine across versions, facet counts, runs of the
engines supporting a technique, values per device."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.services.ingest.runs import RunFile, import_runs
from tests.auth.conftest import client_for

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "benchmarks"
MLPERF = SAMPLES / "mlperf-inference-v4.1-summary_results.json"
INFERENCEX = [
    SAMPLES / "variants" / "inferencex-agg.json",
    SAMPLES / "variants" / "inferencex-agg-vllm.json",
]


@pytest.fixture(scope="module")
def client(module_seeded_copy: sa.Engine) -> Iterator[TestClient]:
    """One database for the module: the seed, the MLPerf summary and InferenceX rows."""
    files = [RunFile(p.name, p.read_text()) for p in [MLPERF, *INFERENCEX]]
    import_runs(module_seeded_copy, files, create_missing=True)
    with client_for(module_seeded_copy) as test_client:
        yield test_client


def _graphql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in body, body
    return dict(body["data"])


def _runs(client: TestClient, **params: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/benchmark-runs", params={"per_page": 500, **params})
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


def test_best_runs_for_a_model_by_a_metric_on_a_device(client: TestClient) -> None:
    rows = json.loads(MLPERF.read_text())
    expected = sorted(
        (
            r["Performance_Result"]
            for r in rows
            if r["Model"] in ("llama2-70b-99", "llama2-70b-99.9")
            and r["Scenario"] == "Offline"
            and r["Accelerator"] == "NVIDIA H200-SXM-141GB"
        ),
        reverse=True,
    )
    text = "model:llama2-70b,device:nvidia-h200-sxm-141gb,metric:output_throughput,scenario:Offline"
    best = _runs(client, filter=text, sort="-value")
    assert [r["value"] for r in best] == expected
    assert best[0]["value"] == 32124.3
    assert best[0]["origin_record"] == "v4.1-0021/llama2-70b-99/Offline"
    assert best[0]["value_per_device"] == pytest.approx(32124.3 / 8)
    assert json.loads(best[0]["verbatim"])["unit"] == "Tokens/s"
    data = _graphql(
        client,
        "query($f: BenchmarkRunFilterInput) { benchmarkRuns(filter: $f, orderBy: VALUE_DESC,"
        " first: 3) { nodes { slug value engineVersion modelVariant device { slug } } } }",
        f={
            "model": ["llama2-70b"],
            "device": ["nvidia-h200-sxm-141gb"],
            "metric": "output_throughput",
            "scenario": "Offline",
        },
    )
    nodes = data["benchmarkRuns"]["nodes"]
    assert [n["value"] for n in nodes] == expected[:3]
    assert nodes[0]["engineVersion"] == "10.2.0"
    assert nodes[0]["modelVariant"] == "99"


def test_engine_a_against_b_on_the_same_workload(client: TestClient) -> None:
    response = client.get(
        "/api/v1/benchmark-runs/compare",
        params={"a": "sglang", "b": "vllm", "filter": "metric:output_throughput"},
    )
    assert response.status_code == 200, response.text
    (pair,) = response.json()
    assert [r["value"] for r in pair["a"]] == [760.25]
    assert sorted(r["value"] for r in pair["b"]) == [625.0, 701.0]
    assert pair["workload"]["concurrency"] == 64
    assert pair["workload"]["per_device"] is True
    data = _graphql(
        client,
        'query { benchmarkRunComparison(a: "sglang", b: "vllm", filter: {metric: "ttft"})'
        " { a { value device { slug } } b { value } } }",
    )
    (graphql_pair,) = data["benchmarkRunComparison"]
    assert graphql_pair["a"] == [{"value": 0.412, "device": {"slug": "h200"}}]
    missing = client.get("/api/v1/benchmark-runs/compare", params={"a": "vllm"})
    assert missing.status_code == 400
    assert missing.json()["error"]["problems"][0]["field"] == "b"


def test_an_engine_across_versions(client: TestClient) -> None:
    response = client.get(
        "/api/v1/engines/vllm/benchmark-runs/versions",
        params={"filter": "format:inferencex,metric:output_throughput"},
    )
    assert response.status_code == 200, response.text
    # natural order: 0.9.2 before 0.10.1
    assert [(v["version"], [r["value"] for r in v["runs"]]) for v in response.json()] == [
        ("0.9.2", [625.0]),
        ("0.10.1", [701.0]),
    ]
    mlperf = client.get(
        "/api/v1/engines/vllm/benchmark-runs/versions", params={"filter": "format:mlperf"}
    ).json()
    assert [v["version"] for v in mlperf] == ["0.4.3+rocm614", "0.5.2"]
    data = _graphql(
        client,
        'query { benchmarkRunVersions(engine: "vllm", filter: {format: "inferencex"})'
        " { version runs { metric } } }",
    )
    assert [v["version"] for v in data["benchmarkRunVersions"]] == ["0.9.2", "0.10.1"]


def test_facet_counts(client: TestClient) -> None:
    response = client.get("/api/v1/benchmark-runs/facets", params={"filter": "format:inferencex"})
    assert response.status_code == 200, response.text
    facets = response.json()
    engines = {c["value"]: c["count"] for c in facets["engine"]}
    # sglang: 8 numbers on h200 + 4 on mi300x; vllm: 3 + 3 on h200; dynamo-trt: 3 on gb200
    assert engines == {"sglang": 12, "vllm": 6, "dynamo-trt": 3}
    assert facets["engine"][0] == {"value": "sglang", "count": 12}  # most first
    assert {c["value"]: c["count"] for c in facets["device"]} == {
        "h200": 14,
        "mi300x": 4,
        "gb200": 3,
    }
    data = _graphql(
        client,
        'query { benchmarkRunFacets(filter: {format: "inferencex"}) { engine { value count } } }',
    )
    assert {c["value"]: c["count"] for c in data["benchmarkRunFacets"]["engine"]} == engines


def test_runs_of_the_engines_supporting_a_technique(client: TestClient) -> None:
    runs = _runs(client, filter="technique:paged-attention,format:inferencex")
    assert {r["engine"] for r in runs} >= {"vllm"}
    nested = client.get("/api/v1/techniques/paged-attention/benchmark-runs").json()
    assert {r["slug"] for r in runs} <= {r["slug"] for r in nested}
    data = _graphql(
        client,
        'query { technique(slug: "paged-attention") { benchmarkRuns(first: 500)'
        " { nodes { slug engine { slug } } } } }",
    )
    graphql_slugs = {n["slug"] for n in data["technique"]["benchmarkRuns"]["nodes"]}
    assert graphql_slugs == {r["slug"] for r in nested}


def test_statement_count_does_not_grow_with_runs(client: TestClient) -> None:
    """The technique's runs come in one batched query per relation, not one per engine."""
    engine: sa.Engine = client.app.state.engine  # type: ignore[attr-defined]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        _graphql(
            client,
            'query { technique(slug: "paged-attention") { benchmarkRuns(first: 5)'
            " { nodes { slug } } } }",
        )
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert sum("benchmark_run" in s for s in statements) == 1


def test_graphql_gives_every_derived_field_of_a_run_as_rest_does(client: TestClient) -> None:
    # `verbatim` is derived from a column of the same name: GraphQL must read the row's, not
    # its own field (it answered "internal error" for every run until it did).
    rest = {r["slug"]: r for r in _runs(client, filter="format:mlperf")}
    query = """query ($filter: BenchmarkRunFilterInput) {
      benchmarkRuns(filter: $filter, first: 500) { nodes { slug verbatim valuePerDevice } }
    }"""
    nodes = _graphql(client, query, filter={"format": "mlperf"})["benchmarkRuns"]["nodes"]
    assert len(nodes) == len(rest) > 100
    for node in nodes:
        expected = rest[node["slug"]]
        assert node["verbatim"] == expected["verbatim"]
        assert node["valuePerDevice"] == expected["value_per_device"]
    devices = {json.loads(node["verbatim"])["device"] for node in nodes}
    assert "AMD Instinct MI300X-NPS1-SPX-192GB-750W" in devices
