"""The cost budget: a query's object count from `first` and page sizes, known before it runs,
refused beyond `graphql_max_cost`, reported in `extensions` of every answer; and the response
size cap (issue 13: a 300-byte query at depth 14 answered 320 MB and took ~1 GB)."""

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from graphql import OperationDefinitionNode, parse

from api.app import create_app
from api.config import Settings
from api.graphql.cost import CostModel, query_cost
from api.graphql.schema import graphql_schema
from tests.graphql.conftest import cost
from tests.graphql.test_http import GQL, JSON, post

# engines → featureSupport → feature → techniques → engines … fourteen levels, 300 bytes.
BOMB = (
    "{ engines(first: 500) { nodes { featureSupport(first: 500) { nodes { feature { "
    "techniques { engines(first: 500) { nodes { featureSupport(first: 500) { nodes { "
    "feature { techniques { engines(first: 500) { nodes { name } } } } } } } } } } } } } } }"
)


def measured(query: str, variables: dict[str, Any] | None = None) -> int:
    document = parse(query)
    [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    model = CostModel(default_page_size=50, max_page_size=500)
    return query_cost(graphql_schema, document, operation, variables or {}, model)


def test_pages_multiply_down_the_nesting() -> None:
    query = "{ engines(first: 10) { nodes { featureSupport(first: 20) { nodes { status } } } } }"
    # the connection, 10 engines, and per engine its connection and 20 facts
    assert measured(query) == 1 + 10 * (1 + 1 + 20)


def test_defaults_variables_fragments_and_plain_lists() -> None:
    assert measured("{ engines { nodes { slug } } }") == 1 + 50
    by_variable = "query Q($n: Int) { engines(first: $n) { edges { node { slug } } } }"
    assert measured(by_variable, {"n": 3}) == 1 + 3 * (1 + 1)
    fragment = (
        "query { a: engines(first: 2) { ...E } b: engines(first: 2) { ...E } } "
        "fragment E on EngineConnection { nodes { organization { name } } }"
    )
    assert measured(fragment) == 2 * (1 + 2 * (1 + 1))
    # a list without `first` counts the largest page; `nodes(ids:)` its ids
    assert measured('{ feature(slug: "x") { techniques { name } } }') == 1 + 500
    assert measured('{ nodes(ids: ["a", "b", "c"]) { id } }') == 3
    assert measured("query Q($i: [ID!]!) { nodes(ids: $i) { id } }", {"i": ["a"] * 7}) == 7
    assert measured("{ __typename engines(first: 0) { totalCount } }") == 1


def test_cost_is_reported_in_every_answer(client: TestClient) -> None:
    query = "query Q($n: Int) { engines(first: $n) { nodes { slug } } }"
    for n in (2, 4):
        response = post(client, {"query": query, "variables": {"n": n}})
        assert response.status_code == 200
        body = response.json()
        assert len(body["data"]["engines"]["nodes"]) == n
        assert body["extensions"] == cost(1 + n)


def test_the_bomb_is_refused_before_it_runs(client: TestClient) -> None:
    assert len(BOMB) <= 300
    expected = measured(BOMB)
    assert expected > 500**4
    for accept, status in ((GQL, 400), (JSON, 200)):
        response = post(client, {"query": BOMB}, accept)
        assert response.status_code == status
        body = response.json()
        assert "data" not in body
        [error] = body["errors"]
        assert error["extensions"] == {
            "code": "query_too_costly",
            "cost": expected,
            "limit": 500_000,
        }
        assert f"may return {expected} objects; the limit is 500000" in error["message"]
        assert body["extensions"] == cost(expected)


@pytest.fixture(scope="module")
def small_caps(seeded_engine: sa.Engine) -> Iterator[TestClient]:
    settings = Settings(
        database_url=seeded_engine.url.render_as_string(False),
        graphql_max_cost=1_000,
        graphql_max_response_bytes=2_000,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_budget_is_a_setting(small_caps: TestClient) -> None:
    within = post(
        small_caps, {"query": "{ engines(first: 499) { nodes { organization { name } } } }"}
    )
    assert "errors" not in within.json()
    assert within.json()["extensions"] == cost(1 + 499 * 2, limit=1_000)
    over = "{ engines(first: 500) { nodes { organization { name } } } }"
    assert post(small_caps, {"query": over}).json()["errors"][0]["extensions"] == {
        "code": "query_too_costly",
        "cost": 1 + 500 * 2,
        "limit": 1_000,
    }


def test_a_response_over_the_cap_is_refused(small_caps: TestClient) -> None:
    small = post(small_caps, {"query": "{ engines(first: 2) { nodes { slug } } }"})
    assert "errors" not in small.json()
    query = (
        "{ engines(first: 100) { nodes { slug featureSupport(first: 5) { nodes { status } } } } }"
    )
    response = post(small_caps, {"query": query}, GQL)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "response_too_large"
    assert error["extensions"]["limit"] == 2_000
    assert error["extensions"]["size"] > 2_000
    assert body["extensions"] == cost(1 + 100 * (1 + 1 + 5), limit=1_000)
