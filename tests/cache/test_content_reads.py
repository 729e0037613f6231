"""The cache keeps only responses that read content: a read of a table outside the data
version (api/data_version_schema.py's NOT_CONTENT) keeps a response out, whatever its route."""

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.services.tokens import create_token
from models.access import TokenScope
from tests.cache.conftest import Served, serve


def _names(tokens: list[dict[str, Any]]) -> set[str]:
    return {token["name"] for token in tokens}


def _serve_to_admin(served: Served, name: str) -> tuple[FastAPI, TestClient, dict[str, str]]:
    """Reads need a token; the headers carry an admin one (which may also list tokens)."""
    app, client = serve(served.engine, read_requires_token=True)
    admin = create_token(served.engine, name=name, scope=TokenScope.ADMIN)
    return app, client, {"authorization": f"Bearer {admin.token}"}


def test_a_token_listing_shows_a_token_created_since(served: Served) -> None:
    app, client, auth = _serve_to_admin(served, "cache admin")
    with client:
        before = client.get("/api/v1/tokens", headers=auth)
        assert before.status_code == 200, before.text
        assert "cache admin" in _names(before.json())
        assert "etag" not in before.headers
        create_token(served.engine, name="made in between", scope=TokenScope.READ)
        after = client.get("/api/v1/tokens", headers=auth)
        assert after.status_code == 200
        assert "made in between" not in _names(before.json())
        assert "made in between" in _names(after.json())
        assert len(app.state.response_store) == 0


def test_content_reads_with_a_token_are_still_kept(served: Served) -> None:
    app, client, auth = _serve_to_admin(served, "cache admin 2")
    query = {"query": "{ engines(first: 2) { edges { node { slug } } } }"}
    with client:
        first = client.get("/api/v1/engines", headers=auth)
        assert first.status_code == 200
        etag = first.headers["etag"]
        assert len(app.state.response_store) == 1
        again = client.get("/api/v1/engines", headers={**auth, "if-none-match": etag})
        assert (again.status_code, again.headers["etag"]) == (304, etag)
        assert client.get("/api/v1/engines", headers=auth).content == first.content
        # GraphQL checks the token through its own path; its queries are kept as well.
        graphql = client.post("/graphql", json=query, headers=auth)
        assert graphql.status_code == 200 and "etag" in graphql.headers
        assert len(app.state.response_store) == 2
