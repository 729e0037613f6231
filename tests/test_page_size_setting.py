"""The page-size cap comes from `INFERGRAPH_MAX_PAGE_SIZE` alone, on every list of REST and
GraphQL, and a refusal names the parameter as each interface calls it."""

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings


@pytest.fixture
def large_pages(seeded_engine: sa.Engine) -> Iterator[TestClient]:
    url = seeded_engine.url.render_as_string(False)
    with TestClient(create_app(Settings(database_url=url, max_page_size=1000))) as client:
        yield client


@pytest.fixture
def small_pages(seeded_engine: sa.Engine) -> Iterator[TestClient]:
    url = seeded_engine.url.render_as_string(False)
    with TestClient(create_app(Settings(database_url=url, max_page_size=5))) as client:
        yield client


@pytest.mark.parametrize("path", ["/api/v1/papers", "/api/v1/engines", "/api/v1/benchmark-runs"])
def test_a_raised_cap_allows_pages_above_the_default(large_pages: TestClient, path: str) -> None:
    body = large_pages.get(path, params={"per_page": 800}).json()
    assert body["meta"]["per_page"] == 800
    assert len(body["results"]) == min(800, body["meta"]["count"]) > 20


def test_a_raised_cap_holds_in_graphql_and_search(large_pages: TestClient) -> None:
    query = (
        "{ papers(first: 800) { nodes { bibtexKey } totalCount }"
        ' search(text: "decoding", first: 800) { score } }'
    )
    data = large_pages.post("/graphql", json={"query": query}).json()["data"]
    assert len(data["papers"]["nodes"]) == data["papers"]["totalCount"] > 50
    assert (
        large_pages.get("/api/v1/search", params={"q": "decoding", "limit": 800}).status_code == 200
    )


def test_a_lowered_cap_refuses_in_each_interfaces_words(small_pages: TestClient) -> None:
    rest = small_pages.get("/api/v1/engines", params={"per_page": 6}).json()
    [problem] = rest["error"]["problems"]
    assert (problem["field"], problem["value"]) == ("per_page", "6")
    assert "from 1 to 5" in problem["message"]
    search = small_pages.get("/api/v1/search", params={"q": "decoding", "limit": 6}).json()
    assert search["error"]["problems"][0]["field"] == "limit"
    graphql = small_pages.post("/graphql", json={"query": "{ engines(first: 6) { totalCount } }"})
    [error] = graphql.json()["errors"]
    [problem] = error["extensions"]["problems"]
    assert (problem["field"], problem["value"]) == ("first", 6)
    assert "between 0 and 5" in problem["message"]
