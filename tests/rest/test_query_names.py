"""Query parameters a route does not take are refused, naming the ones it takes."""

import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings


def test_a_misspelled_parameter_is_refused_with_the_valid_ones(api: TestClient) -> None:
    response = api.get(
        "/api/v1/engines", params={"selct": "name", "filter": "platform:amd-instinct"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == "unknown query parameter"
    [problem] = error["problems"]
    assert problem["location"] == "query"
    assert problem["field"] == "selct"
    assert problem["message"] == (
        "not a parameter of this route; it takes `as_of`, `cursor`, `filter`, `format`, "
        "`group_by`, `per_page`, `select`, `sort`"
    )


def test_each_unknown_name_is_named_once(api: TestClient) -> None:
    response = api.get("/api/v1/papers?group-by=year&group-by=venue&x=1&filter=year_from:2020")
    assert response.status_code == 400
    assert [p["field"] for p in response.json()["error"]["problems"]] == ["group-by", "x"]


def test_a_route_without_paging_refuses_per_page(api: TestClient) -> None:
    response = api.get("/api/v1/categories", params={"per_page": "1"})
    assert response.status_code == 400
    assert response.json()["error"]["problems"][0]["field"] == "per_page"


def test_parameters_of_dependencies_count_as_the_routes(api: TestClient) -> None:
    assert api.get("/api/v1/papers", params={"per_page": "2"}).status_code == 200
    assert api.get("/api/v1/search", params={"q": "attention", "limit": "3"}).status_code == 200


def test_every_list_documents_per_page(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    paged = [
        path
        for path, operations in paths.items()
        if "get" in operations
        and any(p["name"] == "cursor" for p in operations["get"].get("parameters", []))
    ]
    assert len(paged) >= 8
    for path in paged:
        names = {p["name"] for p in paths[path]["get"]["parameters"]}
        assert "per_page" in names, path


def test_page_sizes_are_documented_with_the_servers_bound(seeded_engine: sa.Engine) -> None:
    url = seeded_engine.url.render_as_string(False)
    with TestClient(create_app(Settings(database_url=url, max_page_size=120))) as client:
        paths = client.get("/openapi.json").json()["paths"]
        per_page = next(
            p for p in paths["/api/v1/papers"]["get"]["parameters"] if p["name"] == "per_page"
        )
        limit = next(
            p for p in paths["/api/v1/search"]["get"]["parameters"] if p["name"] == "limit"
        )
        assert per_page["schema"] | {"description": None} == {
            "type": "integer",
            "minimum": 1,
            "maximum": 120,
            "title": "Per Page",
            "description": None,
        }
        assert (limit["schema"]["maximum"], limit["schema"]["default"]) == (120, 20)
        assert client.get("/api/v1/papers", params={"per_page": "120"}).status_code == 200
        assert client.get("/api/v1/papers", params={"per_page": "121"}).status_code == 400
