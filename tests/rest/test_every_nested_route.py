"""Every GET route that names an entity in its path answers 200 for a real one.

The routes are walked from the OpenAPI document, and each entity is the first one its own
collection lists, so a new route is exercised with real data without anyone naming it (a
route that handed its parent row to a function expecting a slug went unnoticed until this).
"""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

PARAMETER = re.compile(r"\{(\w+)(?::path)?\}")
EMPTY_IN_THE_SEED = {
    "/api/v1/ingest-runs",
    "/api/v1/paper-conflicts",
    "/api/v1/run-reviews",
}
WITHOUT_A_LIST = {"/api/v1/paper-merges"}
"""Collections whose items are reached from elsewhere (a merge from its papers)."""
"""Collections of curators' work, empty in the seeded survey; their routes have tests of their
own (tests/rest/test_identity_routes.py, tests/rest/test_run_imports.py)."""


def _routes_naming_an_entity(api: TestClient) -> list[str]:
    paths = api.get("/openapi.json").json()["paths"]
    return [path for path, operations in paths.items() if "get" in operations and "{" in path]


def _a_real_value(api: TestClient, collection: str, parameter: str) -> str | None:
    response = api.get(collection)
    if collection in WITHOUT_A_LIST:
        assert response.status_code == 405
        return None
    listed: Any = response.json()
    items = listed["results"] if isinstance(listed, dict) else listed
    if collection in EMPTY_IN_THE_SEED:
        assert items == [], f"{collection} holds rows now: drop it from EMPTY_IN_THE_SEED"
        return None
    assert items, f"{collection} lists nothing to try its routes with"
    first = items[0]
    if isinstance(first, str):
        return first
    # `run_id` names an item's `id`; `slug` and `key` are named as they are.
    return str(first[parameter] if parameter in first else first["id"])


def test_each_route_answers_for_the_first_entity_of_its_collection(api: TestClient) -> None:
    routes = _routes_naming_an_entity(api)
    assert len(routes) >= 25
    answered = {}
    for path in routes:
        [parameter] = PARAMETER.findall(path)
        collection = path[: path.index("{")].rstrip("/")
        value = _a_real_value(api, collection, parameter)
        if value is None:
            continue
        response = api.get(PARAMETER.sub(value, path))
        answered[path] = response.status_code
        assert response.status_code == 200, (path, value, response.text[:300])
    assert set(answered.values()) == {200}


@pytest.mark.parametrize("slug", ["pku", "ggml-ai"])
def test_an_organization_lists_its_engines(api: TestClient, slug: str) -> None:
    engines = api.get(f"/api/v1/organizations/{slug}/engines").json()
    organization = api.get(f"/api/v1/organizations/{slug}").json()
    assert engines, slug
    assert {engine["organization"]["slug"] for engine in engines} == {organization["slug"]}
