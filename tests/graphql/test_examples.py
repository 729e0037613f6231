"""Every example query of docs/graphql.md runs against the seeded survey with these answers."""

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.graphql.conftest import run

DOC = Path(__file__).resolve().parents[2] / "docs" / "graphql.md"
EXAMPLES = dict(re.findall(r"### (\S+)\n.*?```graphql\n(.*?)```", DOC.read_text(), re.S))


def example(client: TestClient, name: str, variables: dict[str, Any] | None = None) -> Any:
    return run(client, EXAMPLES[name], variables)


def test_every_example_is_tested() -> None:
    tested = {name.removeprefix("test_").replace("_", "-") for name in globals()}
    assert set(EXAMPLES) <= tested


def test_engines_for_technique_on_hardware(client: TestClient) -> None:
    data = example(client, "engines-for-technique-on-hardware")
    assert [e["name"] for e in data["engines"]["nodes"]] == [
        "Fireworks AI",
        "LitGPT",
        "llama.cpp",
        "Ollama",
        "SGLang",
        "TGI",
        "vLLM",
    ]
    assert data["engines"]["totalCount"] == 7
    techniques = data["feature"]["techniques"]
    assert [t["name"] for t in techniques] == ["EAGLE", "Medusa", "ReDrafter"]
    eagle = techniques[0]["citations"]["nodes"]
    assert [(c["label"], c["paper"]["arxivId"]) for c in eagle] == [
        ("Li et al. (2024a)", "2401.15077"),
        ("Li et al. (2024b)", "2406.16858"),
        ("Li et al. (2025)", "2503.01840"),
    ]


def test_requirements(client: TestClient) -> None:
    nodes = example(client, "requirements")["engineRequirements"]["nodes"]
    assert [n["engine"]["name"] for n in nodes[:3]] == ["SGLang", "TGI", "vLLM"]
    assert all(n["score"] == 1.0 and not n["missing"] for n in nodes[:3])
    fireworks = nodes[3]
    assert fireworks["engine"]["name"] == "Fireworks AI"
    assert fireworks["unknown"] == [{"kind": "technique", "slug": "paged-attention"}]
    assert fireworks["score"] == pytest.approx(0.8)
    assert nodes[4]["missing"] == [{"kind": "platform", "slug": "amd-instinct"}]


def test_engine_by_alias(client: TestClient) -> None:
    engine = example(client, "engine-by-alias")["engine"]
    assert engine == {
        "slug": "llama-cpp",
        "name": "llama.cpp",
        "aliases": ["LLaMA.cpp"],
        "organization": {"name": "ggml.ai", "kind": "COMMUNITY"},
        "releaseDate": "2023-03",
        "githubStars": 77600,
    }


def test_paper_to_engines(client: TestClient) -> None:
    paper = example(client, "paper-to-engines")["paper"]
    assert paper["bibtexKey"] == "kwon2023efficient"
    assert paper["doi"] == "10.1145/3600006.3613165"
    assert paper["authors"]["totalCount"] == 9
    assert [a["name"] for a in paper["authors"]["nodes"]] == [
        "Woosuk Kwon",
        "Zhuohan Li",
        "Siyuan Zhuang",
    ]
    [technique] = paper["techniques"]["nodes"]
    assert technique["name"] == "PagedAttention"
    assert technique["engines"]["totalCount"] == 10
    assert "vLLM" in [e["name"] for e in technique["engines"]["nodes"]]
    assert paper["enginePapers"]["nodes"] == [{"label": "Paper", "engine": {"name": "vLLM"}}]


def test_category_tree(client: TestClient) -> None:
    category = example(client, "category-tree")["techniqueCategory"]
    assert [c["slug"] for c in category["children"]] == [
        "quantization",
        "pruning",
        "sparsity-optimization",
    ]
    assert category["techniques"]["totalCount"] == 11 + 5 + 8


def test_text_search(client: TestClient) -> None:
    hits = example(client, "text-search")["search"]
    found = [h["node"].get("slug") or h["node"].get("bibtexKey") for h in hits]
    assert {"eagle", "medusa", "redrafter"} <= set(found)
    assert "cheng2024recurrent" in found  # "Recurrent Drafter for Fast Speculative Decoding…"
    scores = [h["score"] for h in hits if h["node"]["__typename"] == "Technique"]
    assert scores == sorted(scores, reverse=True)


def test_papers_by_author_and_year(client: TestClient) -> None:
    papers = example(client, "papers-by-author-and-year")["papers"]
    assert [p["bibtexKey"] for p in papers["nodes"]] == [
        "kwon2023efficient",
        "liu2024optimizing",
        "sheng2023slora",
        "yang2024posttraining",
        "zheng2024sglang",
    ]
    assert all(2023 <= p["year"] <= 2024 for p in papers["nodes"])


def test_unknown_is_not_no(client: TestClient) -> None:
    nodes = example(client, "unknown-is-not-no")["engines"]["nodes"]
    # Three providers say "-", PrefillOnly and Colossal-AI have no facts at all.
    assert [n["slug"] for n in nodes] == [
        "colossal-ai",
        "fireworks-ai",
        "friendli-inference",
        "groqcloud",
        "prefillonly",
        "together-inference",
    ]


def test_benchmark_runs(client: TestClient) -> None:
    nodes = example(client, "benchmark-runs")["benchmarkRuns"]["nodes"]
    assert {n["engine"]["name"]: n["value"] for n in nodes} == {
        "TensorRT-LLM": 7535,
        "LMDeploy": 4246,
        "vLLM": 4107,
        "TGI": 3058,
    }
    assert {(n["unit"], n["concurrency"], n["source"]["slug"]) for n in nodes} == {
        ("tokens/s", 64, "survey-experiments")
    }


def test_prices(client: TestClient) -> None:
    nodes = example(client, "prices")["engine"]["modelPrices"]["nodes"]
    assert nodes[0] == {
        "model": {"name": "DeepSeek-R1"},
        "servedModel": {"name": "DeepSeek-R1 Distill Llama 70B"},
        "inputUsdPerMillionTokens": 0.75,
        "outputUsdPerMillionTokens": 0.99,
    }
    assert len(nodes) == 5


def test_citation_bibtex(client: TestClient) -> None:
    from bibtexparser.entrypoint import parse_string

    [citation] = example(client, "citation-bibtex")["technique"]["citations"]["nodes"]
    assert citation["label"] == "Kwon et al. (2023)"
    assert citation["url"] == "https://dl.acm.org/doi/abs/10.1145/3600006.3613165"
    library = parse_string(citation["paper"]["bibtex"])
    [entry] = library.entries
    assert entry.key == "kwon2023efficient"
    assert entry.fields_dict["eprint"].value == "2309.06180"
    assert entry.fields_dict["title"].value.endswith("with {PagedAttention}")


def test_paging(client: TestClient) -> None:
    seen: list[str] = []
    after = None
    while True:
        engines = example(client, "paging", {"after": after})["engines"]
        assert engines["totalCount"] == 27
        seen += [e["name"] for e in engines["nodes"]]
        if not engines["pageInfo"]["hasNextPage"]:
            break
        after = engines["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 27
    assert seen[:3] == ["Ollama", "llama.cpp", "vLLM"]
    # Engines without a star count (commercial ones, those without table rows) sort last.
    assert set(seen[-6:]) == {
        "Friendli Inference",
        "Fireworks AI",
        "GroqCloud",
        "Together Inference",
        "PrefillOnly",
        "Colossal-AI",
    }


def test_benchmark_run_facets(client: TestClient) -> None:
    data = example(client, "benchmark-run-facets")
    assert data["benchmarkRunFacets"]["engine"] == [
        {"value": "fireworks-ai", "count": 8},
        {"value": "together-inference", "count": 8},
        {"value": "groqcloud", "count": 5},
        {"value": "friendli-inference", "count": 4},
        {"value": None, "count": 1},
    ]
    (fastest,) = data["benchmarkRuns"]["nodes"]
    assert fastest == {
        "engine": {"slug": "together-inference"},
        "model": {"slug": "llama-3.1-8b"},
        "value": 0.2,
        "unit": "s",
    }
