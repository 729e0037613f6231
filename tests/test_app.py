"""The HTTP application's health endpoint and error shape."""

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from fastapi import routing
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.db import alembic_config


def test_health_reports_database_and_schema_revision(seeded_engine: sa.Engine) -> None:
    settings = Settings(database_url=seeded_engine.url.render_as_string(False))
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with TestClient(create_app(settings)) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": seeded_engine.dialect.name,
        "schema_revision": head,
    }


def test_a_first_graphql_query_builds_no_rest_route(
    seeded_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FastAPI builds a route's context (its parameters' and response's pydantic schemas) on
    # the first request that walks past it; /graphql comes before the REST routes so a cold
    # start's first query does not pay for them (bench/cold_start.py).
    built: list[str] = []
    context_class = routing._EffectiveRouteContext
    original = context_class.from_api_route.__func__  # type: ignore[attr-defined]

    def noting(cls: type, *, original_route: APIRoute, include_context: object) -> object:
        # Route paths are the router's own; the prefix the route is mounted under is here.
        prefix = getattr(include_context, "prefix", "")
        built.append(f"{prefix}{original_route.path}")
        return original(cls, original_route=original_route, include_context=include_context)

    monkeypatch.setattr(context_class, "from_api_route", classmethod(noting))
    settings = Settings(database_url=seeded_engine.url.render_as_string(False))
    with TestClient(create_app(settings)) as client:
        answer = client.post("/graphql", json={"query": "{ engines(first: 2) { nodes { slug } } }"})
        assert answer.status_code == 200
        assert len(answer.json()["data"]["engines"]["nodes"]) == 2
        assert not [path for path in built if path.startswith("/api/v1/")]
        assert client.get("/api/v1/engines?per_page=1").status_code == 200
    assert "/api/v1/engines" in built  # the hook sees REST routes when they are built
