"""Every tool over streamable HTTP, answering from the seeded survey."""

from typing import Any

from tests.mcp.clients import answer, http_client, run

TOOLS = {
    "search",
    "engine_profile",
    "technique",
    "paper",
    "requirements",
    "support_matrix",
    "benchmark_runs",
    "prices",
    "chart_data",
    "derived_profile",
    "graphql",
}


def ask(url: str, tool: str, arguments: dict[str, Any]) -> Any:
    async def scenario() -> Any:
        async with http_client(url) as client:
            return await answer(client, tool, arguments)

    return run(scenario)


def test_tools_are_listed_read_only_with_schemas(mcp_url: str) -> None:
    async def scenario() -> Any:
        async with http_client(mcp_url) as client:
            return (await client.list_tools()).tools

    tools = {tool.name: tool for tool in run(scenario)}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.annotations is not None and tool.annotations.read_only_hint, tool.name
        assert tool.description and len(tool.description) > 80, tool.name
    runs = tools["benchmark_runs"].input_schema["properties"]
    assert "`engine` (Engine slug)" in runs["filter"]["description"]
    assert tools["support_matrix"].input_schema["required"] == ["kind"]


def test_search_ranks_engines_then_techniques(mcp_url: str) -> None:
    hits = ask(mcp_url, "search", {"text": "kv cache", "limit": 5})["hits"]
    assert {"kind": "technique", "id": "kv-cache-quantization"}.items() <= hits[0].items()
    assert len(hits) == 5
    engines = ask(mcp_url, "search", {"text": "SGLang", "limit": 3})["hits"]
    assert engines[0] == {"kind": "engine", "id": "sglang", "title": "SGLang", "score": 1.0}


def test_engine_profile_cites_its_sources(mcp_url: str) -> None:
    profile = ask(mcp_url, "engine_profile", {"slug": "vllm", "kind": "platform"})
    assert profile["engine"]["name"] == "vLLM"
    assert profile["engine"]["organization"] == {
        "slug": "vllm-team",
        "name": "vLLM Team",
        "kind": "academic",
    }
    assert set(profile["support"]) == {"platform"}
    notes = {f["target"]: f["note"] for f in profile["support"]["platform"]}
    assert notes["mobile-edge"] == "NVIDIA Jetson"
    assert (profile["papers"][0]["label"], profile["papers"][0]["paper"]["key"]) == (
        "Paper",
        "kwon2023efficient",
    )
    sources = {s["slug"]: s for s in profile["sources"]}
    assert sources["survey-hardware-matrix"]["kind"] == "table"
    assert all(f["source"] in sources for f in profile["support"]["platform"])


def test_technique_with_citations_and_bibtex(mcp_url: str) -> None:
    found = ask(mcp_url, "technique", {"slug": "paged-attention", "bibtex": True})
    assert found["technique"]["name"] == "PagedAttention"
    first = found["citations"][0]
    assert (first["label"], first["paper"]["key"]) == ("Kwon et al. (2023)", "kwon2023efficient")
    assert "@inproceedings{kwon2023efficient," in found["bibtex"]
    assert "10.1145/3600006.3613165" in found["bibtex"]
    assert [s["slug"] for s in found["sources"]] == ["survey-technique-tables"]
    assert "bibtex" not in ask(mcp_url, "technique", {"slug": "paged-attention"})


def test_paper_by_arxiv_id_doi_and_key(mcp_url: str) -> None:
    by_arxiv = ask(mcp_url, "paper", {"arxiv_id": "arXiv:2309.06180v1"})
    assert by_arxiv["paper"]["key"] == "kwon2023efficient"
    assert by_arxiv["paper"]["authors"][0] == "Woosuk Kwon"
    assert "paged-attention" in [t["slug"] for t in by_arxiv["cited_by"]]
    assert [(src["slug"], src["kind"]) for src in by_arxiv["sources"]] == [
        ("survey-references", "bibtex")
    ]
    by_doi = ask(mcp_url, "paper", {"doi": "10.1145/3600006.3613165".upper()})
    assert by_doi["paper"]["arxiv_id"] == "2309.06180"
    by_key = ask(mcp_url, "paper", {"key": "kwon2023efficient", "bibtex": True})
    assert by_key["bibtex"].startswith("@inproceedings{kwon2023efficient,")


def test_requirements_met_missing_unknown(mcp_url: str) -> None:
    ranked = ask(
        mcp_url,
        "requirements",
        {
            "technique": ["paged-attention", "lora"],
            "platform": ["amd-instinct"],
            "precision": ["fp8"],
        },
    )["matches"]
    assert [r["engine"] for r in ranked[:3]] == ["sglang", "tgi", "vllm"]
    assert ranked[0]["score"] == 1.0 and ranked[0]["missing"] == ranked[0]["unknown"] == []
    assert len(ranked) == 27
    narrowed = ask(
        mcp_url,
        "requirements",
        {"technique": ["paged-attention"], "filter": "organization_kind:academic"},
    )["matches"]
    assert {"vllm", "sglang"} <= {r["engine"] for r in narrowed}
    assert "tgi" not in {r["engine"] for r in narrowed}


def test_support_matrix_slices(mcp_url: str) -> None:
    cell = ask(
        mcp_url,
        "support_matrix",
        {"kind": "feature", "target": "paged-attention", "engine": "vllm"},
    )
    assert [(f["engine"], f["status"]) for f in cell["facts"]] == [("vllm", "supported")]
    assert cell["sources"][0]["title"] == "Optimization Coverage Matrix"
    column = ask(
        mcp_url,
        "support_matrix",
        {"kind": "feature", "target": "paged-attention", "status": "unknown"},
    )
    assert "groqcloud" in [f["engine"] for f in column["facts"]]
    row = ask(mcp_url, "support_matrix", {"kind": "precision", "engine": "vllm"})
    assert {f["target_kind"] for f in row["facts"]} == {"precision"}
    assert "fp8" in [f["target"] for f in row["facts"]]


def test_benchmark_runs_have_units_and_pages(mcp_url: str) -> None:
    first = ask(mcp_url, "benchmark_runs", {"filter": "metric:e2e_latency", "limit": 1})
    assert first["count"] > 1 and len(first["results"]) == 1
    run_row = first["results"][0]
    assert (run_row["metric"], run_row["unit"]) == ("e2e_latency", "s")
    assert first["sources"][0]["slug"] == run_row["source"]
    second = ask(
        mcp_url,
        "benchmark_runs",
        {"filter": "metric:e2e_latency", "limit": 1, "after": first["next_cursor"]},
    )
    assert second["results"][0]["slug"] != run_row["slug"]


def test_prices_with_currency_and_unit(mcp_url: str) -> None:
    models = ask(mcp_url, "prices", {"kind": "model", "filter": "provider:groqcloud"})
    assert models["results"] and {r["unit"] for r in models["results"]} == {"per 1M tokens"}
    assert {r["currency"] for r in models["results"]} == {"USD"}
    devices = ask(mcp_url, "prices", {"kind": "device", "filter": "device:nvidia-a100-80gb"})
    assert {r["unit"] for r in devices["results"]} == {"USD per device-hour"}
    assert 2.9 in [r["usd_per_hour"] for r in devices["results"]]
    assert devices["sources"][0]["slug"] == "survey-device-pricing"


def test_graphql_passthrough(mcp_url: str) -> None:
    body = ask(
        mcp_url,
        "graphql",
        {
            "query": "query($slug: String!) { engine(slug: $slug) { name githubStars } }",
            "variables": {"slug": "vllm"},
        },
    )
    assert body == {
        "data": {"engine": {"name": "vLLM", "githubStars": 43400}},
        "extensions": {"cost": {"objects": 1, "limit": 500_000}},
    }
    # The same cost budget as /graphql: a query that could return millions of objects is
    # refused before it runs.
    bomb = (
        "{ engines(first: 500) { nodes { featureSupport(first: 500) { nodes {"
        " engine { featureSupport(first: 500) { nodes { status } } } } } } } }"
    )
    refused = ask(mcp_url, "graphql", {"query": bomb})
    [error] = refused["errors"]
    assert error["extensions"]["code"] == "query_too_costly"
    assert refused["extensions"]["cost"]["objects"] > 500_000
