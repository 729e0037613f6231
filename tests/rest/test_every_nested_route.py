"""Every GET route that names an entity in its path answers 200 for a real one.

The routes are walked from the OpenAPI document, and each entity is the first one its own
collection lists, so a new route is exercised with real data without anyone naming it (a
route that handed its parent row to a function expecting a slug went unnoticed until this).
"""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

PARAMETER = re.compile(r"\{(\w+)\}")


def _routes_naming_an_entity(api: TestClient) -> list[str]:
    paths = api.get("/openapi.json").json()["paths"]
    return [path for path, operations in paths.items() if "get" in operations and "{" in path]


def _a_real_value(api: TestClient, collection: str, parameter: str) -> str:
    listed: Any = api.get(collection).json()
    items = listed["results"] if isinstance(listed, dict) else listed
    assert items, f"{collection} lists nothing to try its routes with"
    first = items[0]
    return str(first if isinstance(first, str) else first[parameter])


def test_each_route_answers_for_the_first_entity_of_its_collection(api: TestClient) -> None:
    routes = _routes_naming_an_entity(api)
    assert len(routes) >= 25
    answered = {}
    for path in routes:
        [parameter] = PARAMETER.findall(path)
        collection = path[: path.index("{")].rstrip("/")
        value = _a_real_value(api, collection, parameter)
        response = api.get(path.replace(f"{{{parameter}}}", value))
        answered[path] = response.status_code
        assert response.status_code == 200, (path, value, response.text[:300])
    assert set(answered.values()) == {200}


@pytest.mark.parametrize("slug", ["pku", "ggml-ai"])
def test_an_organization_lists_its_engines(api: TestClient, slug: str) -> None:
    engines = api.get(f"/api/v1/organizations/{slug}/engines").json()
    organization = api.get(f"/api/v1/organizations/{slug}").json()
    assert engines, slug
    assert {engine["organization"]["slug"] for engine in engines} == {organization["slug"]}
