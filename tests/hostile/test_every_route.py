"""Malformed and oversized input on every route, read from the OpenAPI document and the
GraphQL endpoint: never a 5xx, and every REST error in the one error shape."""

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.services.tokens import create_token
from models.access import TokenScope
from tests.hostile.attacks import GRAPHQL_DOCUMENTS, JSON_BODIES, QUERY_VALUES, RAW_QUERY_STRINGS
from tests.hostile.cost import CostMeter
from tests.hostile.routes import filled
from tests.rest.test_error_shape import api_operations


class Walk:
    """Sends requests and keeps what a hostile client must never get: a 5xx, a cost past
    the bounds of `tests/hostile/cost.py`, an API error outside the one error shape."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.sent = 0
        self.failures: list[str] = []
        self.meter = CostMeter()

    def send(self, method: str, url: str, **kwargs: Any) -> None:
        with self.meter.counting():
            response, cost = self.meter.measure(lambda: self.client.request(method, url, **kwargs))
        self.sent += 1
        label = f"{method} {url[:120]} {str(kwargs)[:80]}"
        if response.status_code >= 500:
            self.failures.append(f"{response.status_code} {label}: {response.text[:200]}")
        elif excess := cost.excess():
            self.failures.append(f"{excess}: {label}")
        elif response.status_code >= 400 and url.startswith("/api/"):
            body = response.json() if response.content else {}
            if set(body) != {"error"} or set(body["error"]) != {"code", "message", "problems"}:
                self.failures.append(f"{response.status_code} not in the error shape {label}")


def test_every_get_route_survives_hostile_query_values(
    hostile_app: FastAPI, hostile: TestClient
) -> None:
    walk = Walk(hostile)
    operations = api_operations(hostile_app)
    assert len(operations) >= 40
    with walk.meter.counting():
        for path, params in operations:
            url = filled(path)
            for name in params:
                for value in QUERY_VALUES:
                    walk.send("GET", url, params={name: value})
            for raw in RAW_QUERY_STRINGS:
                walk.send("GET", f"{url}?{raw}")
            # Oversized: a path segment and a query string far past anything legitimate.
            walk.send("GET", filled(path.replace("{", "{{").replace("}", "}}")) + "x" * 10_000)
            walk.send("GET", url, params={"filter": "technique:" + "|".join(["lora"] * 500)})
    assert walk.failures == []
    assert walk.sent > 1000


@pytest.fixture
def admin(empty_engine: sa.Engine) -> tuple[TestClient, dict[str, str]]:
    token = create_token(empty_engine, name="root", scope=TokenScope.ADMIN).token
    app = create_app(Settings(database_url=empty_engine.url.render_as_string(False)))
    return TestClient(app, raise_server_exceptions=False), {"authorization": f"Bearer {token}"}


def test_every_write_route_survives_hostile_bodies(
    admin: tuple[TestClient, dict[str, str]],
) -> None:
    client, auth = admin
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    writes = [
        (method.upper(), path)
        for path, item in paths.items()
        for method in item
        if method in ("post", "put", "patch", "delete")
    ]
    assert len(writes) >= 6
    walk = Walk(client)
    with client, walk.meter.counting():
        for method, path in writes:
            url = filled(path)
            for body in JSON_BODIES:
                for content_type in ("application/json", "text/plain", "application/x-bibtex"):
                    headers = {**auth, "content-type": content_type}
                    walk.send(method, url, content=body, headers=headers)
                walk.send(method, url, content=body)  # and anonymous
    assert walk.failures == []
    assert walk.sent >= len(writes) * len(JSON_BODIES) * 4


@pytest.mark.parametrize(("document", "variables"), GRAPHQL_DOCUMENTS)
@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
def test_graphql_survives_hostile_documents(
    hostile: TestClient, document: str, variables: dict[str, Any] | None, accept: str
) -> None:
    walk = Walk(hostile)
    body = {"query": document, "variables": variables}
    walk.send("POST", "/graphql", json=body, headers={"accept": accept})
    walk.send("GET", "/graphql", params={"query": document}, headers={"accept": accept})
    assert walk.failures == []


@pytest.mark.parametrize("body", JSON_BODIES)
def test_graphql_survives_hostile_bodies(hostile: TestClient, body: bytes) -> None:
    walk = Walk(hostile)
    walk.send("POST", "/graphql", content=body, headers={"content-type": "application/json"})
    assert walk.failures == []
