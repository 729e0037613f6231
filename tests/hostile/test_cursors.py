"""Forged and foreign cursors are 400 `invalid_input` on every keyset list, never a 500 or a
silently wrong page; `per_page` takes ASCII digits only."""

import base64
import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.hostile.routes import keyset_lists

INTROSPECT = (
    "{ __schema { queryType { fields { name args { name defaultValue type { kind } } } } } }"
)


def forged(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


FORGED = [
    forged([{}, 1]),
    forged(["x", "y"]),
    forged([None, None]),
    forged(["x", 2**70]),
    forged(["\ud800", 1]),
    forged(["a\u0000b", 1]),
    forged([1.5, True]),
    forged([]),
    forged({"a": 1}),
    forged("[" * 5000),
    "not base64 at all!",
    "",
]


def test_forged_cursors_are_400_on_every_keyset_list(
    hostile_app: FastAPI, hostile: TestClient
) -> None:
    paths = keyset_lists(hostile_app)
    assert len(paths) >= 10
    for path in paths:
        for cursor in FORGED:
            response = hostile.get(path, params={"cursor": cursor})
            assert response.status_code == 400, (path, cursor, response.text)
            error = response.json()["error"]
            assert error["code"] == "invalid_input"
            assert [p["field"] for p in error["problems"]] == ["cursor"], (path, error)


def next_cursor(client: TestClient, path: str) -> str | None:
    response = client.get(path, params={"per_page": 1})
    assert response.status_code == 200, (path, response.text)
    cursor: str | None = response.json()["meta"]["next_cursor"]
    return cursor


def test_a_cursor_of_one_list_is_refused_by_every_other(
    hostile_app: FastAPI, hostile: TestClient
) -> None:
    paths = keyset_lists(hostile_app)
    paper_cursor = next_cursor(hostile, "/api/v1/papers?sort=title")
    assert paper_cursor is not None
    response = hostile.get("/api/v1/engines", params={"cursor": paper_cursor})
    assert response.status_code == 400
    assert response.json()["error"]["problems"][0]["field"] == "cursor"
    # An ingest run's entries need a run, and the seeded survey has none: that list's own
    # cursors are paged and forged in tests/rest/test_identity_routes.py.
    cursors = {path: next_cursor(hostile, path) for path in paths if "/ingest-runs/" not in path}
    own = {path: cursor for path, cursor in cursors.items() if cursor is not None}
    assert len(own) >= 8
    for path, cursor in own.items():
        # A list's own cursor still works: the next page starts with the second row.
        second = hostile.get(path, params={"per_page": 1, "cursor": cursor})
        first_two = hostile.get(path, params={"per_page": 2}).json()["results"]
        assert second.json()["results"] == first_two[1:2], path
        for other in paths:
            if other.split("?")[0] == path.split("?")[0]:
                continue
            response = hostile.get(other, params={"cursor": cursor})
            # Two lists with the same order (a nested list and its root list) may share cursors.
            if response.status_code != 200:
                assert response.status_code == 400, (path, other, response.text)


@pytest.mark.parametrize(
    "per_page", ["²", "١٢", "1.0", "-1", "0x10", " 5", "9" * 5000], ids=lambda v: v[:8]
)
def test_per_page_takes_ascii_digits_only(hostile: TestClient, per_page: str) -> None:
    response = hostile.get("/api/v1/engines", params={"per_page": per_page})
    assert response.status_code == 400
    [problem] = response.json()["error"]["problems"]
    assert problem["field"] == "per_page"


@pytest.mark.parametrize("value", ["²", "١٩٩٩", "2e3", "inf", "nan"])
def test_filter_numbers_refuse_unicode_digits(hostile: TestClient, value: str) -> None:
    response = hostile.get("/api/v1/papers", params={"filter": f"year_from:{value}"})
    assert response.status_code == 400
    [problem] = response.json()["error"]["problems"]
    assert (problem["field"], problem["value"]) == ("filter.year_from", value)


def _connections(client: TestClient) -> list[str]:
    body = client.post("/graphql", json={"query": INTROSPECT}).json()
    fields = body["data"]["__schema"]["queryType"]["fields"]
    return [
        f["name"]
        for f in fields
        if any(a["name"] == "after" for a in f["args"])
        and all(a["type"]["kind"] != "NON_NULL" or a["defaultValue"] for a in f["args"])
    ]


def test_forged_after_is_invalid_input_on_every_graphql_connection(hostile: TestClient) -> None:
    names = _connections(hostile)
    assert len(names) >= 10
    checked = 0
    for name in names:
        query = f"query Q($a: String) {{ {name}(after: $a) {{ __typename }} }}"
        if "errors" in hostile.post("/graphql", json={"query": query}).json():
            continue  # needs arguments of its own (engineRequirements needs a requirement)
        checked += 1
        for cursor in FORGED:
            response = hostile.post("/graphql", json={"query": query, "variables": {"a": cursor}})
            assert response.status_code == 200, (name, response.text)
            [error] = response.json()["errors"]
            assert error["extensions"]["code"] == "invalid_input", (name, cursor, error)
            assert error["extensions"]["problems"][0]["field"] == "after"
    assert checked >= len(names) - 1
