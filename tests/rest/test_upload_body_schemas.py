"""The OpenAPI document's bodies of `POST /ingest/runs` and `POST /sync/survey` against real
files: what the readers take, the document calls valid, and the files they refuse it calls
invalid (schemathesis checks generated bodies; these are the published ones)."""

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from api.app import create_app
from api.config import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BENCHMARKS = FIXTURES / "benchmarks"
READABLE = [
    "guidellm-benchmarks_stripped.json",
    "llmperf-leaderboard-fireworks_70b.json",
    "llmperf-leaderboard-groq_70b.json",
    "mlperf-inference-v4.1-summary_results.json",
    "vllm-bench-serve-glm47_conc1.json",
    "variants/guidellm-concurrent-and-rate.json",
    "variants/inferencex-agg-vllm.json",
    "variants/inferencex-agg.json",
    "variants/llmperf-together-8b-conc1.json",
    "variants/mlperf-v5-renamed-fields.json",
    "variants/vllm-bench-newer-conc16.json",
]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(Settings(database_url="sqlite://")).openapi()


def _body(document: dict[str, Any], path: str, content_type: str) -> dict[str, Any]:
    content = document["paths"][path]["post"]["requestBody"]["content"]
    return dict(content[content_type]["schema"])


def _validator(document: dict[str, Any], path: str, content_type: str) -> Any:
    schema = {**_body(document, path, content_type), "components": document["components"]}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("name", READABLE)
def test_every_published_result_file_is_a_valid_body(document: dict[str, Any], name: str) -> None:
    validator = _validator(document, "/api/v1/ingest/runs", "application/json")
    data = json.loads((BENCHMARKS / name).read_text(encoding="utf-8"))
    assert [error.message[:200] for error in validator.iter_errors(data)] == []


def test_files_the_readers_refuse_are_invalid_bodies(document: dict[str, Any]) -> None:
    validator = _validator(document, "/api/v1/ingest/runs", "application/json")
    for name in ("variants/mlperf-malformed.json", "variants/unknown-format.json"):
        data = json.loads((BENCHMARKS / name).read_text(encoding="utf-8"))
        assert not validator.is_valid(data), name
    vllm = json.loads((BENCHMARKS / "vllm-bench-serve-glm47_conc1.json").read_text())
    assert validator.is_valid(vllm)
    # Each rule the vLLM reader enforces is one the document states.
    assert not validator.is_valid({**vllm, "request_throughput": None})
    assert not validator.is_valid({**vllm, "max_concurrency": 2**31})
    assert not validator.is_valid({**vllm, "date": "20260230-120000"})
    assert not validator.is_valid({**vllm, "request_goodput": 1, "request_goodput:": 1})
    without_latencies = {k: v for k, v in vllm.items() if not k.endswith("_ms")}
    assert not validator.is_valid(without_latencies)


def test_the_csv_pattern_holds_the_narrow_table_only(document: dict[str, Any]) -> None:
    pattern = _body(document, "/api/v1/ingest/runs", "text/csv")["pattern"]
    table = "ID,Model,Scenario,Result,Units\n4.1-0001,llama2-70b-99,Offline,1234.5,Tokens/s\n"
    assert re.search(pattern, table)
    assert not re.search(pattern, table.replace("Tokens/s", "bananas"))
    assert not re.search(pattern, "ID,Model,Scenario,Result,Units\n")


def test_the_readme_body_needs_a_survey_table(document: dict[str, Any]) -> None:
    validator = _validator(document, "/api/v1/sync/survey", "text/markdown")
    readme = (FIXTURES / "survey_sync" / "changed_cell.md").read_text(encoding="utf-8")
    assert validator.is_valid((FIXTURES / "survey_sync" / "README.md").read_text())
    assert validator.is_valid(readme)
    assert validator.is_valid((FIXTURES / "survey_sync" / "malformed_table.md").read_text())
    assert not validator.is_valid("# My notes\n\nHello.\n")
    assert not validator.is_valid("## 📌 Optimization Coverage Matrix\n\nno table here\n")
    assert not validator.is_valid(readme + "\x00")
