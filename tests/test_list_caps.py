"""Every list argument is deduplicated and capped (`max_list_values`), on every interface, so a
request's work cannot grow with a list it sends (issue 13: 1,000 repeats of one slug held a
PostgreSQL backend for minutes; 40,000 ended in a misleading 503)."""

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.services import engines, lookup
from api.services.vocabulary import bounded, from_text

CAP = 5


@pytest.fixture(scope="module")
def capped(seeded_engine: sa.Engine) -> Iterator[TestClient]:
    url = seeded_engine.url.render_as_string(False)
    with TestClient(create_app(Settings(database_url=url, max_list_values=CAP))) as client:
        yield client


def _graphql(client: TestClient, query: str, variables: dict[str, Any]) -> Any:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()


ENGINES_ALL_OF = (
    "query Q($t: [String!]) { engines(filter: {techniques: {allOf: $t}}, first: 100) "
    "{ nodes { slug } } }"
)


def test_repeats_of_one_slug_count_once_over_graphql(capped: TestClient) -> None:
    once = _graphql(capped, ENGINES_ALL_OF, {"t": ["paged-attention"]})
    thousand = _graphql(capped, ENGINES_ALL_OF, {"t": ["paged-attention"] * 1000})
    assert "errors" not in thousand
    assert thousand["data"] == once["data"]
    assert once["data"]["engines"]["nodes"]


def test_too_many_distinct_slugs_is_a_bad_input_naming_the_field(capped: TestClient) -> None:
    body = _graphql(capped, ENGINES_ALL_OF, {"t": [f"t{i}" for i in range(40_000)]})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "invalid_input"
    [problem] = error["extensions"]["problems"]
    assert problem == {
        "message": f"at most {CAP} distinct values",
        "field": "filter.techniques.allOf",
        "value": 40_000,
    }


def test_rest_filter_terms_are_capped(capped: TestClient) -> None:
    repeated = ",".join(["technique:paged-attention"] * 70)
    assert capped.get("/api/v1/engines", params={"filter": repeated}).status_code == 200
    distinct = ",".join(f"technique:t{i}" for i in range(CAP + 1))
    response = capped.get("/api/v1/engines", params={"filter": distinct})
    assert response.status_code == 400
    [problem] = response.json()["error"]["problems"]
    assert problem["field"] == "filter.technique.allOf"
    assert problem["value"] == CAP + 1


def test_requirements_are_deduplicated_and_capped(capped: TestClient) -> None:
    once = capped.get("/api/v1/requirements", params={"platform": ["linux"]})
    repeated = capped.get("/api/v1/requirements", params={"platform": ["linux"] * 50})
    assert repeated.status_code == 200, repeated.text
    assert repeated.json() == once.json()
    many = capped.get("/api/v1/requirements", params={"platform": [f"p{i}" for i in range(9)]})
    assert many.status_code == 400
    [problem] = many.json()["error"]["problems"]
    assert (problem["field"], problem["value"]) == ("platform", 9)


def test_graphql_requirements_are_capped(capped: TestClient) -> None:
    query = "query Q($p: [String!]) { engineRequirements(platforms: $p) { nodes { score } } }"
    body = _graphql(capped, query, {"p": [f"p{i}" for i in range(CAP + 1)]})
    [problem] = body["errors"][0]["extensions"]["problems"]
    assert (problem["field"], problem["value"]) == ("platforms", CAP + 1)


def test_nodes_ids_are_capped(capped: TestClient) -> None:
    body = _graphql(capped, "query Q($i: [ID!]!) { nodes(ids: $i) { id } }", {"i": ["x"] * 6})
    [problem] = body["errors"][0]["extensions"]["problems"]
    assert (problem["field"], problem["value"]) == ("ids", 6)


def test_bounded_keeps_first_occurrences_in_order() -> None:
    f = from_text(engines.EngineFilter, "platform:b,platform:a,platform:b|a", 10)
    assert f.platforms.all_of == ("b", "a")
    assert f.platforms.any_of == ("b", "a")
    assert bounded(f, 2) == f


def test_suggestions_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[str] = []
    original = lookup.closest

    def counting(value: str, candidates: Any, limit: int = 3) -> list[str]:
        compared.append(value)
        return original(value, candidates, limit)

    monkeypatch.setattr(lookup, "closest", counting)
    missing = ["paged-atention"] + [f"nothing-{i}" for i in range(49)]
    problems = lookup.unknown_problems("technique", missing, ["paged-attention"], "f")
    assert len(problems) == 50
    assert problems[0].message == "unknown technique; did you mean 'paged-attention'?"
    assert problems[-1].message == "unknown technique"
    assert len(compared) == lookup.MOST_SUGGESTED
    assert lookup.closest("paged-attention" + "x" * 1_000_000, ["paged-attention"]) == []
