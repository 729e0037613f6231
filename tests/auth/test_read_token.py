"""With `read_requires_token`, every read (REST and GraphQL) needs a token of any scope."""

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.auth.conftest import Tokens, client_for

QUERY = {"query": "{ engines(first: 1) { totalCount } }"}


@pytest.fixture
def closed(empty_engine: sa.Engine) -> Iterator[TestClient]:
    with client_for(empty_engine, read_requires_token=True) as client:
        yield client


def test_rest_reads_need_a_token(closed: TestClient, tokens: Tokens) -> None:
    refused = closed.get("/api/v1/engines")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorized"
    revoked = closed.get("/api/v1/papers", headers={"authorization": f"Bearer {tokens.revoked}"})
    assert revoked.status_code == 401
    for token in (tokens.read, tokens.write, tokens.admin):
        answer = closed.get("/api/v1/engines", headers={"authorization": f"Bearer {token}"})
        assert answer.status_code == 200
        assert answer.json()["results"] == []


def test_graphql_reads_need_a_token(closed: TestClient, tokens: Tokens) -> None:
    refused = closed.post("/graphql", json=QUERY)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    [error] = refused.json()["errors"]
    assert error["extensions"]["code"] == "unauthorized"
    over_get = closed.get("/graphql", params=QUERY, headers={"accept": "application/json"})
    assert over_get.status_code == 401
    allowed = closed.post(
        "/graphql", json=QUERY, headers={"authorization": f"Bearer {tokens.read}"}
    )
    assert allowed.json() == {
        "data": {"engines": {"totalCount": 0}},
        "extensions": {"cost": {"objects": 1, "limit": 500_000}},
    }


def test_health_stays_public(closed: TestClient) -> None:
    assert closed.get("/health").json()["status"] == "ok"
