"""Every REST route answers errors in the one shape: {"error": {code, message, problems}}."""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient


def api_operations(app: FastAPI) -> list[tuple[str, list[str]]]:
    """(path, query parameter names) of every documented GET under /api/v1."""
    paths = app.openapi()["paths"]
    return [
        (path, [p["name"] for p in item["get"].get("parameters", []) if p["in"] == "query"])
        for path, item in paths.items()
        if path.startswith("/api/v1") and "get" in item
    ]


def assert_error_shape(body: dict[str, object], code: str) -> None:
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error, dict)
    assert set(error) == {"code", "message", "problems"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["problems"], list)


def test_every_route_with_a_path_parameter_404s_in_shape(
    rest_app: FastAPI, api: TestClient
) -> None:
    checked = 0
    for path, _ in api_operations(rest_app):
        if "{" not in path:
            continue
        url = re.sub(r"\{[^}]+\}", "no-such-thing", path)
        response = api.get(url)
        assert response.status_code == 404, url
        assert_error_shape(response.json(), "not_found")
        assert response.json()["error"]["problems"][0]["value"] == "no-such-thing"
        checked += 1
    assert checked >= 25


def test_every_filtered_list_400s_in_shape_naming_the_part(
    rest_app: FastAPI, api: TestClient
) -> None:
    checked = 0
    for path, params in api_operations(rest_app):
        if "filter" not in params or "{" in path:
            continue
        # The comparison also requires its two engines.
        engines = {"a": "vllm", "b": "sglang"} if path.endswith("/compare") else {}
        response = api.get(path, params={"filter": "nonsense:1", **engines})
        assert response.status_code == 400, path
        assert_error_shape(response.json(), "invalid_input")
        [problem] = response.json()["error"]["problems"]
        assert (problem["field"], problem["value"]) == ("filter", "nonsense")
        assert problem["message"].startswith("unknown filter key; use one of")
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/engines?per_page=0", "per_page"),
        ("/api/v1/engines?per_page=999999999999999999999", "per_page"),
        ("/api/v1/engines?cursor=garbage", "cursor"),
        ("/api/v1/engines?sort=sideways", "sort"),
        ("/api/v1/papers?filter=year_from:x", "filter.year_from"),
        # REST errors name REST's keys (`technique`), never GraphQL's (`techniques`).
        ("/api/v1/engines?filter=technique:paged-attention|", "filter"),
        ("/api/v1/requirements?platform=Amd", "platform.0"),
        ("/api/v1/search?q=", "q"),
        ("/api/v1/engines?filter=status:maybe", "filter.status"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(api: TestClient, url: str, field: str) -> None:
    response = api.get(url)
    assert response.status_code == 400, response.text
    assert_error_shape(response.json(), "invalid_input")
    assert field in [p.get("field") for p in response.json()["error"]["problems"]]


@pytest.mark.parametrize(
    ("url", "field", "suggested"),
    [
        # REST names REST's keys (`technique`), never GraphQL's (`techniques`).
        ("/api/v1/engines?filter=technique:paged-atention", "filter.technique", "paged-attention"),
        ("/api/v1/benchmark-runs?filter=engine:vllmm", "filter.engine", "vllm"),
        ("/api/v1/model-prices?filter=provider:groqclod", "filter.provider", "groqcloud"),
    ],
)
def test_an_unknown_filter_slug_matches_nothing_with_a_warning(
    api: TestClient, url: str, field: str, suggested: str
) -> None:
    response = api.get(url)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["results"] == [] and body["meta"]["count"] == 0
    [warning] = body["meta"]["warnings"]
    assert warning["field"] == field
    assert f"did you mean '{suggested}'" in warning["message"]


def test_an_empty_year_range_matches_nothing(api: TestClient) -> None:
    response = api.get("/api/v1/papers", params={"filter": "year_from:2025,year_to:2020"})
    assert response.status_code == 200
    assert response.json()["meta"]["count"] == 0


def test_unknown_routes_and_methods(api: TestClient) -> None:
    missing = api.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert_error_shape(missing.json(), "not_found")
    wrong_method = api.delete("/api/v1/engines")
    assert wrong_method.status_code == 405
    assert_error_shape(wrong_method.json(), "method_not_allowed")


def test_not_found_suggests_close_slugs(api: TestClient) -> None:
    body = api.get("/api/v1/techniques/paged-atention").json()
    assert "did you mean 'paged-attention'" in body["error"]["problems"][0]["message"]


def test_a_nul_in_any_query_parameter_is_400_naming_it(rest_app: FastAPI, api: TestClient) -> None:
    # PostgreSQL cannot hold NUL in text: unchecked, any of these would be a 500 there.
    checked = 0
    for path, params in api_operations(rest_app):
        url = re.sub(r"\{[^}]+\}", "vllm", path)
        for name in params:
            response = api.get(url, params={name: "paged\x00attention"})
            assert response.status_code == 400, (url, name)
            assert_error_shape(response.json(), "invalid_input")
            [problem] = response.json()["error"]["problems"]
            assert (problem["location"], problem["field"]) == ("query", name)
            assert problem["value"] == "paged\x00attention"
            checked += 1
    assert checked >= 50


def test_a_nul_in_a_path_parameter_is_400_naming_it(rest_app: FastAPI, api: TestClient) -> None:
    checked = 0
    for path, _ in api_operations(rest_app):
        names = re.findall(r"\{([^}]+)\}", path)
        if not names:
            continue
        url = re.sub(r"\{[^}]+\}", "v%00llm", path)
        response = api.get(url)
        assert response.status_code == 400, url
        assert_error_shape(response.json(), "invalid_input")
        fields = [(p["location"], p["field"]) for p in response.json()["error"]["problems"]]
        assert fields == [("path", name) for name in names]
        checked += 1
    assert checked >= 25


def test_the_requirements_query_found_by_schemathesis(api: TestClient) -> None:
    response = api.get(
        "/api/v1/requirements", params={"technique": ["\xa0", "Y\x10\x00"], "platform": "x"}
    )
    assert response.status_code == 400
    [problem] = response.json()["error"]["problems"]
    assert (problem["field"], problem["value"]) == ("technique", "Y\x10\x00")
