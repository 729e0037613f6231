from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings


@pytest.fixture(scope="session")
def graphql_app(seeded_engine: sa.Engine) -> FastAPI:
    return create_app(Settings(database_url=seeded_engine.url.render_as_string(False)))


@pytest.fixture(scope="session")
def client(graphql_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(graphql_app) as test_client:
        yield test_client


def run(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    """POST a query that must succeed; returns `data`."""
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


@pytest.fixture(scope="session")
def unbudgeted_app(seeded_engine: sa.Engine) -> FastAPI:
    """For whole-graph queries, whose static cost the default budget refuses."""
    url = seeded_engine.url.render_as_string(False)
    return create_app(Settings(database_url=url, graphql_max_cost=10**15))


@pytest.fixture(scope="session")
def unbudgeted_client(unbudgeted_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(unbudgeted_app) as test_client:
        yield test_client


def cost(objects: int, limit: int = 500_000) -> dict[str, Any]:
    """The `extensions` every costed answer carries."""
    return {"cost": {"objects": objects, "limit": limit}}
