"""Every write route refuses requests without a sufficient token: 401, then 403 by scope."""

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from httpx2 import Response

from api.app import create_app
from api.config import Settings
from tests.auth.conftest import Tokens

ADMIN_ROUTES = {
    ("GET", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens"),
    ("DELETE", "/api/v1/tokens/{token_id}"),
}


def _write_routes() -> list[tuple[str, str]]:
    """Every route that changes data, read from the app's own OpenAPI document so that a new
    one cannot be missed (every REST route is in it)."""
    paths = create_app(Settings(database_url="sqlite://")).openapi()["paths"]
    return sorted(
        (method.upper(), path)
        for path, operations in paths.items()
        for method in operations
        if method not in {"get", "head"}
    )


WRITE_ROUTES = _write_routes()
GUARDED = sorted({*WRITE_ROUTES, *ADMIN_ROUTES})


def test_the_write_routes_are_the_ones_we_know() -> None:
    assert WRITE_ROUTES == [
        ("DELETE", "/api/v1/tokens/{token_id}"),
        ("POST", "/api/v1/ingest/arxiv"),
        ("POST", "/api/v1/ingest/bibtex"),
        ("POST", "/api/v1/ingest/runs"),
        ("POST", "/api/v1/paper-conflicts/{conflict_id}/distinct"),
        ("POST", "/api/v1/paper-merges"),
        ("POST", "/api/v1/paper-merges/{merge_id}/undo"),
        ("POST", "/api/v1/run-reviews/{review_id}/accept"),
        ("POST", "/api/v1/run-reviews/{review_id}/reject"),
        ("POST", "/api/v1/suggestions/{suggestion_id}/accept"),
        ("POST", "/api/v1/suggestions/{suggestion_id}/reject"),
        ("POST", "/api/v1/sync/survey"),
        ("POST", "/api/v1/tokens"),
    ]


def _call(client: TestClient, method: str, path: str, token: str | None) -> Response:
    url = path
    for parameter in (
        "{suggestion_id}",
        "{token_id}",
        "{review_id}",
        "{conflict_id}",
        "{merge_id}",
    ):
        url = url.replace(parameter, "1")
    headers = {"authorization": f"Bearer {token}"} if token is not None else {}
    return client.request(method, url, headers=headers)


def _assert_error(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["problems"][0]["field"] == "Authorization"
    assert error["problems"][0]["location"] == "header"


@pytest.mark.parametrize(("method", "path"), GUARDED)
def test_without_a_valid_token_every_guarded_route_answers_401(
    client: TestClient, tokens: Tokens, method: str, path: str
) -> None:
    missing = _call(client, method, path, None)
    _assert_error(missing, 401, "unauthorized")
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in missing.json()["error"]["message"]
    for bad in ("ig_not-a-real-token", tokens.revoked):
        refused = _call(client, method, path, bad)
        _assert_error(refused, 401, "unauthorized")
        assert "not valid" in refused.json()["error"]["message"]
    basic = client.request(
        method,
        path.replace("{suggestion_id}", "1").replace("{token_id}", "1"),
        headers={"authorization": f"Basic {tokens.admin}"},
    )
    _assert_error(basic, 401, "unauthorized")


@pytest.mark.parametrize(("method", "path"), GUARDED)
def test_scopes_decide_between_403_and_access(
    client: TestClient, tokens: Tokens, method: str, path: str
) -> None:
    read = _call(client, method, path, tokens.read)
    _assert_error(read, 403, "forbidden")
    assert read.json()["error"]["problems"][0]["value"] == "read"
    write = _call(client, method, path, tokens.write)
    if (method, path) in ADMIN_ROUTES:
        _assert_error(write, 403, "forbidden")
        assert "scope admin" in write.json()["error"]["message"]
    else:
        # Past the token check: what remains is the route's own answer to an empty request.
        assert write.status_code in {400, 404}, write.text
        assert write.json()["error"]["code"] in {"invalid_input", "not_found"}
    admin = _call(client, method, path, tokens.admin)
    assert admin.status_code not in {401, 403}, admin.text


def test_reads_stay_public_by_default(client: TestClient, tokens: Tokens) -> None:
    assert client.get("/api/v1/suggestions").status_code == 200
    assert client.get("/api/v1/engines").status_code == 200
    graphql = client.post("/graphql", json={"query": "{ engines(first: 1) { totalCount } }"})
    assert graphql.status_code == 200
    assert graphql.json() == {
        "data": {"engines": {"totalCount": 0}},
        "extensions": {"cost": {"objects": 1, "limit": 500_000}},
    }


def test_openapi_documents_the_bearer_scheme_on_write_routes(
    empty_engine: sa.Engine,
) -> None:
    with TestClient(
        create_app(Settings(database_url=empty_engine.url.render_as_string(False)))
    ) as c:
        document = c.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["token"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An InferGraph API token (`infergraph token create`).",
    }
    ingest = document["paths"]["/api/v1/ingest/bibtex"]["post"]
    assert ingest["security"] == [{"token": []}]
    assert {"401", "403"} <= set(ingest["responses"])
    assert "security" not in document["paths"]["/api/v1/engines"]["get"]
