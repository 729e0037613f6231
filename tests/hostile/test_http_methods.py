"""HEAD on every GET route, OPTIONS and 405s that list every method of a path, and
`If-None-Match: *` that matches only a representation that exists."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.hostile.routes import filled
from tests.rest.test_error_shape import api_operations


def test_head_works_on_every_get_route_without_a_body(
    hostile_app: FastAPI, hostile: TestClient
) -> None:
    paths = [filled(path) for path, _ in api_operations(hostile_app)] + ["/health"]
    assert len(paths) >= 40
    for path in paths:
        get = hostile.get(path)
        head = hostile.head(path)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == get.headers.get("content-type"), path


def test_options_lists_every_method_of_the_path(hostile: TestClient) -> None:
    tokens = hostile.options("/api/v1/tokens")
    assert tokens.status_code == 204
    assert tokens.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert hostile.options("/graphql").headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert hostile.options("/api/v1/engines/vllm").headers["allow"] == "GET, HEAD, OPTIONS"
    assert hostile.options("/api/v1/no-such-route").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/api/v1/tokens", "GET, HEAD, OPTIONS, POST"),
        ("DELETE", "/api/v1/engines", "GET, HEAD, OPTIONS"),
        ("GET", "/api/v1/tokens/1", "DELETE, OPTIONS"),
        ("HEAD", "/api/v1/tokens/1", "DELETE, OPTIONS"),
    ],
)
def test_a_405_allows_every_method_of_the_path(
    hostile: TestClient, method: str, path: str, allow: str
) -> None:
    response = hostile.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    if method != "HEAD":
        assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/engines/no-such-engine", 404),
        ("/api/v1/engines?per_page=0", 400),
        ("/api/v1/no-such-route", 404),
        ("/graphql?query={nope}", 200),
    ],
)
def test_if_none_match_star_is_not_a_304_without_a_representation(
    hostile: TestClient, path: str, status: int
) -> None:
    response = hostile.get(path, headers={"if-none-match": "*", "accept": "application/json"})
    assert response.status_code == status
    assert response.content


def test_if_none_match_star_is_a_304_for_a_page_that_exists(hostile: TestClient) -> None:
    assert hostile.get("/api/v1/engines/vllm").status_code == 200  # now kept by the cache
    response = hostile.get("/api/v1/engines/vllm", headers={"if-none-match": "*"})
    assert response.status_code == 304
