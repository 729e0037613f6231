"""REST resources answer what the seeded survey says."""

import csv
import io

from bibtexparser.entrypoint import parse_string
from fastapi.testclient import TestClient


def test_engine_list_filters_sorts_and_pages_with_next_links(api: TestClient) -> None:
    first = api.get("/api/v1/engines", params={"sort": "-stars", "per_page": 10}).json()
    assert [e["slug"] for e in first["results"][:3]] == ["ollama", "llama-cpp", "vllm"]
    assert first["meta"]["count"] == 27
    seen = [e["slug"] for e in first["results"]]
    next_url = first["meta"]["next"]
    while next_url:
        page = api.get(next_url).json()
        seen += [e["slug"] for e in page["results"]]
        next_url = page["meta"]["next"]
    assert len(seen) == len(set(seen)) == 27


def test_engines_by_technique_platform_and_status(api: TestClient) -> None:
    def slugs(filter_text: str) -> list[str]:
        body = api.get("/api/v1/engines", params={"filter": filter_text}).json()
        return [e["slug"] for e in body["results"]]

    assert slugs("technique:speculative-decoding,platform:amd-instinct") == [
        "fireworks-ai",
        "litgpt",
        "llama-cpp",
        "ollama",
        "sglang",
        "tgi",
        "vllm",
    ]
    # The survey marks FireAttention for more engines than Fireworks AI; the data says so.
    assert slugs("technique:nano-batching|fire-attention") == [
        "fireworks-ai",
        "friendli-inference",
        "groqcloud",
        "nanoflow",
        "powerinfer",
        "sglang",
        "tensorrt-llm",
        "tgi",
        "together-inference",
    ]
    assert "groqcloud" in slugs("technique:paged-attention,status:unknown")
    assert slugs("organization_kind:academic,deployment_scale:multi_node") == [
        "distserve",
        "sglang",
        "vllm",
    ]
    assert slugs("name:llama.cpp") == ["llama-cpp"]


def test_engine_detail_and_nested_routes(api: TestClient) -> None:
    vllm = api.get("/api/v1/engines/vllm").json()
    assert vllm["organization"] == {"slug": "vllm-team", "name": "vLLM Team", "kind": "academic"}
    assert vllm["release"] == "2023-02"
    [paper] = api.get("/api/v1/engines/vllm/papers").json()
    assert (paper["label"], paper["paper"]["key"]) == ("Paper", "kwon2023efficient")
    techniques = [t["slug"] for t in api.get("/api/v1/engines/vllm/techniques").json()]
    assert "paged-attention" in techniques and "radix-attention" not in techniques
    platforms = api.get(
        "/api/v1/engines/llama-cpp/support", params={"kind": "platform", "status": "supported"}
    ).json()
    notes = {f["target"]: f["note"] for f in platforms}
    assert notes["mobile-edge"] == "Qualcomm Adreno"
    assert "moore-threads-mtt" in notes
    prices = api.get("/api/v1/engines/groqcloud/model-prices").json()
    assert prices[0]["served_model"] == "deepseek-r1-distill-llama-70b"


def test_technique_papers_keep_the_survey_order_and_labels(api: TestClient) -> None:
    citations = api.get("/api/v1/techniques/eagle/papers").json()
    assert [(c["label"], c["paper"]["arxiv_id"]) for c in citations] == [
        ("Li et al. (2024a)", "2401.15077"),
        ("Li et al. (2024b)", "2406.16858"),
        ("Li et al. (2025)", "2503.01840"),
    ]


def test_bibtex_downloads_reparse(api: TestClient) -> None:
    response = api.get("/api/v1/categories/quantization/papers", params={"format": "bibtex"})
    assert response.headers["content-type"].startswith("application/x-bibtex")
    assert 'filename="category-quantization.bib"' in response.headers["content-disposition"]
    library = parse_string(response.text)
    assert not library.failed_blocks
    keys = {e.key for e in library.entries}
    assert {"frantar2022gptq", "xiao2023smoothquant", "exllamav2"} <= keys
    assert len(keys) == 13  # 13 works cited by the 11 quantization techniques
    again = api.get("/api/v1/categories/quantization/papers", params={"format": "bibtex"}).text
    assert again == response.text  # stable across runs
    by_accept = api.get(
        "/api/v1/papers/kwon2023efficient", headers={"accept": "application/x-bibtex"}
    )
    [entry] = parse_string(by_accept.text).entries
    assert entry.fields_dict["doi"].value == "10.1145/3600006.3613165"


def test_csv_downloads_are_whole_lists(api: TestClient) -> None:
    response = api.get("/api/v1/engines", params={"format": "csv", "per_page": 2})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 27
    tgi = next(r for r in rows if r["slug"] == "tgi")
    assert (tgi["organization.name"], tgi["aliases"], tgi["is_commercial"]) == (
        "Hugging Face",
        "TGI (Text Generation Inference); Text Generation Inference",
        "false",
    )
    papers = api.get("/api/v1/papers", headers={"accept": "text/csv"})
    assert len(list(csv.DictReader(io.StringIO(papers.text)))) == 88


def test_paper_filters(api: TestClient) -> None:
    body = api.get(
        "/api/v1/papers",
        params={"filter": "author:stoica,year_from:2023,year_to:2024", "sort": "key"},
    ).json()
    assert [p["key"] for p in body["results"]] == [
        "kwon2023efficient",
        "liu2024optimizing",
        "sheng2023slora",
        "yang2024posttraining",
        "zheng2024sglang",
    ]
    ranked = api.get("/api/v1/papers", params={"filter": "q:speculative"}).json()
    assert [p["key"] for p in ranked["results"]] == ["li2024eagle", "cheng2024recurrent"]


def test_requirements_and_search(api: TestClient) -> None:
    ranked = api.get(
        "/api/v1/requirements",
        params=[
            ("technique", "paged-attention"),
            ("technique", "lora"),
            ("platform", "amd-instinct"),
            ("precision", "fp8"),
        ],
    ).json()
    assert [r["engine"] for r in ranked[:3]] == ["sglang", "tgi", "vllm"]
    assert ranked[0]["score"] == 1.0
    hits = api.get("/api/v1/search", params={"q": "kv cache"}).json()
    assert {"kind": "technique", "id": "kv-cache-quantization"}.items() <= hits[0].items()


def test_tables_regenerate_over_http(api: TestClient) -> None:
    assert len(api.get("/api/v1/tables").json()) == 17
    markdown = api.get("/api/v1/tables/device-pricing", params={"format": "markdown"}).text
    assert "| NVIDIA H100 80GB | 5.6 | 5.8 | - | 3.36 |" in markdown.splitlines()
    table = api.get("/api/v1/tables/precision-matrix").json()
    assert table["headers"][:3] == ["Framework", "FP32", "FP16"]
    assert len(table["rows"]) == 25


def test_search_finds_engines_by_name_and_alias_first(api: TestClient) -> None:
    hits = api.get("/api/v1/search", params={"q": "llama.cpp"}).json()
    assert hits[0] == {"kind": "engine", "id": "llama-cpp", "title": "llama.cpp", "score": 1.0}
    by_alias = api.get("/api/v1/search", params={"q": "TGI"}).json()
    assert by_alias[0]["kind"] == "engine" and by_alias[0]["id"] == "tgi"
    partial = api.get("/api/v1/search", params={"q": "vll"}).json()
    assert [(h["kind"], h["id"], h["score"]) for h in partial if h["kind"] == "engine"] == [
        ("engine", "vllm", 0.5)
    ]
