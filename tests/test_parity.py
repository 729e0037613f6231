"""REST and GraphQL answer the same questions the same way: for every list with a filter, the
same filter (written in each interface's own words) gives the same rows in the same order, and
the same problems, each naming the field as that interface spells it.

The GraphQL filter is derived from the REST text through the list's one vocabulary
(`api/services/vocabulary.py`), so a key added to a list is covered here without a new case."""

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.services import benchmarks, engines, literature, techniques
from api.services import vocabulary as v


@dataclass(frozen=True)
class Listing:
    rest_path: str
    rest_id: str
    graphql_field: str
    graphql_input: str
    graphql_id: str
    filter_class: type[Any]


LISTS = {
    "engines": Listing(
        "/api/v1/engines", "slug", "engines", "EngineFilterInput", "slug", engines.EngineFilter
    ),
    "papers": Listing(
        "/api/v1/papers", "key", "papers", "PaperFilterInput", "bibtexKey", literature.PaperFilter
    ),
    "techniques": Listing(
        "/api/v1/techniques",
        "slug",
        "techniques",
        "TechniqueFilterInput",
        "slug",
        techniques.TechniqueFilter,
    ),
    "benchmark-runs": Listing(
        "/api/v1/benchmark-runs",
        "slug",
        "benchmarkRuns",
        "BenchmarkRunFilterInput",
        "slug",
        benchmarks.RunFilter,
    ),
}

CASES = [
    ("engines", "technique:paged-attention"),
    ("engines", "technique:speculative-decoding,platform:amd-instinct"),
    ("engines", "technique:lora|speculative-decoding"),
    ("engines", "platform:apple-silicon,status:unknown"),
    ("engines", "precision:fp8,status:not_supported"),
    ("engines", "organization_kind:academic|startup,commercial:false"),
    ("engines", "open_source:partial"),
    ("engines", "deployment_scale:multi_node,hardware_diversity:heterogeneous"),
    ("engines", "name:llama"),
    ("engines", "organization:hugging-face"),
    ("engines", "platform:amd-instinkt"),
    ("engines", "technique:paged-atention,precision:fp88"),
    ("engines", "organization:huging-face"),
    ("papers", "year_from:2023,year_to:2024"),
    ("papers", "technique:paged-attention"),
    ("papers", "technique:lora,technique:qlora"),
    ("papers", "category:quantization"),
    ("papers", "author:stoica"),
    ("papers", "venue:osdi"),
    ("papers", "q:speculative decoding"),
    ("papers", "technique:paged-atention"),
    ("papers", "category:quantisation"),
    ("papers", "year_from:2025,year_to:2020"),
    ("techniques", "category:quantization"),
    ("techniques", "q:attention"),
    ("techniques", "in_survey_table:false"),
    ("techniques", "category:quantisation"),
    ("benchmark-runs", "engine:vllm"),
    ("benchmark-runs", "metric:token_throughput"),
    ("benchmark-runs", "engine:vllm|sglang,metric:output_throughput"),
    ("benchmark-runs", "source:survey-commercial-performance-figure,model:deepseek-r1"),
    ("benchmark-runs", "engine:vllmm"),
    ("benchmark-runs", "device:nvidia-h1000,model:lama-2-7b"),
    ("benchmark-runs", "statistic:p99"),
    ("benchmark-runs", "scenario:Offline,metric:output_throughput"),
    ("benchmark-runs", "engine_version:0.4.3+rocm614"),
    ("benchmark-runs", "precision:fp8"),
    ("benchmark-runs", "format:mlperf"),
    ("benchmark-runs", "concurrency:5"),
    ("benchmark-runs", "technique:paged-attention"),
    ("benchmark-runs", "technique:paged-atention,metric:ttft"),
]


@pytest.fixture(scope="module")
def client(seeded_engine: sa.Engine) -> Iterator[TestClient]:
    settings = Settings(database_url=seeded_engine.url.render_as_string(False))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def graphql_value(f: Any) -> dict[str, Any]:
    """A filter dataclass as the GraphQL input a client would send (enums by name)."""
    value: dict[str, Any] = {}
    for name, declared in v.keys(type(f)).items():
        given = getattr(f, name)
        if given in (None, ()):
            continue
        spelled = declared.spelling(v.Interface.GRAPHQL)
        if isinstance(given, v.SupportCondition):
            value[spelled] = {
                "allOf": list(given.all_of),
                "anyOf": list(given.any_of),
                "status": given.status.name,
            }
        elif isinstance(given, tuple):
            value[spelled] = [g.name if isinstance(g, Enum) else g for g in given]
        else:
            value[spelled] = given.name if isinstance(given, Enum) else given
    return value


def rest_answer(client: TestClient, listing: Listing, text: str) -> tuple[list[str], Any]:
    response = client.get(listing.rest_path, params={"filter": text, "per_page": 500})
    if response.status_code != 200:
        assert response.status_code == 400, response.text
        return [], response.json()["error"]["problems"]
    body = response.json()
    assert body["meta"]["next"] is None
    rows = [row[listing.rest_id] for row in body["results"]]
    # REST answers a slug naming no row with a page matching nothing for it and a warning
    # (docs/rest.md, "Unknown slugs"), GraphQL with an error: the problems found must agree.
    warnings = [
        {**w, "message": w["message"].removesuffix(" (matches nothing)")}
        for w in body["meta"]["warnings"]
    ]
    return rows, warnings or None


def graphql_answer(client: TestClient, listing: Listing, text: str) -> tuple[list[str], Any]:
    f = v.from_text(listing.filter_class, text, 50)
    query = (
        f"query Q($f: {listing.graphql_input}) "
        f"{{ {listing.graphql_field}(filter: $f, first: 500) "
        f"{{ nodes {{ {listing.graphql_id} }} pageInfo {{ hasNextPage }} }} }}"
    )
    body = client.post("/graphql", json={"query": query, "variables": {"f": graphql_value(f)}})
    assert body.status_code == 200, body.text
    answer = body.json()
    if "errors" in answer:
        [error] = answer["errors"]
        assert error["extensions"]["code"] == "invalid_input", error
        return [], error["extensions"]["problems"]
    connection = answer["data"][listing.graphql_field]
    assert connection["pageInfo"]["hasNextPage"] is False
    return [node[listing.graphql_id] for node in connection["nodes"]], None


def canonical(listing: Listing, problems: list[dict[str, Any]], interface: v.Interface) -> Any:
    """Problems with each field name mapped back to the dataclass field it spells."""
    by_spelling = {
        v.FIELD_PREFIX + k.spelling(interface): v.FIELD_PREFIX + name
        for name, k in v.keys(listing.filter_class).items()
    }
    return sorted(
        (by_spelling.get(str(p.get("field")), p.get("field")), p["message"], str(p.get("value")))
        for p in problems
    )


@pytest.mark.parametrize(("list_name", "text"), CASES, ids=[f"{n}-{t}" for n, t in CASES])
def test_rest_and_graphql_give_the_same_answer(
    client: TestClient, list_name: str, text: str
) -> None:
    listing = LISTS[list_name]
    rest_rows, rest_problems = rest_answer(client, listing, text)
    graphql_rows, graphql_problems = graphql_answer(client, listing, text)

    assert rest_rows == graphql_rows
    assert (rest_problems is None) == (graphql_problems is None)
    if rest_problems is None:
        return
    # GraphQL stops at the first lookup that fails (slugs, then techniques through the
    # matrix); REST's warnings name every unknown slug of the filter at once.
    rest_found = canonical(listing, rest_problems, v.Interface.REST)
    assert set(canonical(listing, graphql_problems, v.Interface.GRAPHQL)) <= set(rest_found)
    rest_fields = {p["field"] for p in rest_problems}
    graphql_fields = {p["field"] for p in graphql_problems}
    declared = v.keys(listing.filter_class).values()
    assert rest_fields <= {v.FIELD_PREFIX + k.rest for k in declared}
    assert graphql_fields <= {v.FIELD_PREFIX + k.spelling(v.Interface.GRAPHQL) for k in declared}


def test_the_cases_cover_every_key_of_every_list() -> None:
    for list_name, listing in LISTS.items():
        used = {
            part.partition(":")[0]
            for name, text in CASES
            if name == list_name
            for part in text.split(",")
        }
        assert {k.rest for k in v.keys(listing.filter_class).values()} <= used, list_name


def test_some_cases_match_rows_and_some_fail(client: TestClient) -> None:
    """The cases must prove something: most find rows, several are refused."""
    found = failed = 0
    for list_name, text in CASES:
        rows, problems = rest_answer(client, LISTS[list_name], text)
        found += bool(rows)
        failed += problems is not None
    assert found >= 20 and failed >= 9
