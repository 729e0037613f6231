"""`select` keeps some fields of each item; `group_by` counts the filtered list by fields."""

import csv
import io
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import col

import models as m


def _all(api: TestClient, path: str, **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = api.get(
            path, params={**params, "per_page": "500", **({"cursor": cursor} if cursor else {})}
        ).json()
        items += page["results"]
        cursor = page["meta"]["next_cursor"]
        if cursor is None:
            return items


def test_select_keeps_only_the_fields_asked_for_in_their_order(api: TestClient) -> None:
    page = api.get("/api/v1/papers", params={"select": "year,key", "per_page": "5"}).json()
    assert [list(item) for item in page["results"]] == [["year", "key"]] * 5
    full = api.get("/api/v1/papers", params={"per_page": "5"}).json()["results"]
    assert page["results"] == [{"year": p["year"], "key": p["key"]} for p in full]


def test_select_applies_to_csv_columns(api: TestClient) -> None:
    text = api.get(
        "/api/v1/engines",
        params={"select": "slug,organization", "format": "csv", "filter": "platform:amd-instinct"},
    ).text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["slug", "organization.slug", "organization.name", "organization.kind"]
    by_slug = {row[0]: row[1:] for row in rows[1:]}
    engines = {e["slug"]: e for e in _all(api, "/api/v1/engines", filter="platform:amd-instinct")}
    assert set(by_slug) == set(engines)
    assert by_slug["vllm"][0] == engines["vllm"]["organization"]["slug"]


def test_group_by_counts_the_whole_filtered_list(api: TestClient, seeded_engine: sa.Engine) -> None:
    body = api.get(
        "/api/v1/papers", params={"group_by": "year", "filter": "year_from:2020", "per_page": "3"}
    ).json()
    with seeded_engine.connect() as connection:
        expected = Counter(
            year
            for (year,) in connection.execute(
                sa.select(col(m.Paper.year)).where(col(m.Paper.year) >= 2020)
            )
        )
    groups = body["groups"]["year"]
    assert groups["count"] == len(expected)
    assert [(g["key"], g["count"]) for g in groups["top"]] == sorted(
        expected.items(), key=lambda item: (-item[1], item[0])
    )[:3]
    assert body["meta"]["count"] == sum(expected.values())


def test_groups_by_a_related_entity_are_named_by_its_slug(api: TestClient) -> None:
    body = api.get("/api/v1/engines", params={"group_by": "organization", "per_page": "500"}).json()
    engines = _all(api, "/api/v1/engines")
    expected = Counter((e["organization"] or {}).get("slug") for e in engines)
    assert {g["key"]: g["count"] for g in body["groups"]["organization"]["top"]} == dict(expected)
    assert body["groups"]["organization"]["count"] == len(expected)


def test_a_ranked_list_groups_its_hits(api: TestClient) -> None:
    body = api.get(
        "/api/v1/papers", params={"filter": "q:attention", "group_by": "year", "per_page": "500"}
    ).json()
    hits = body["results"]
    assert hits
    assert {g["key"]: g["count"] for g in body["groups"]["year"]["top"]} == dict(
        Counter(p["year"] for p in hits)
    )


def test_group_by_with_csv_downloads_the_counts(api: TestClient) -> None:
    text = api.get(
        "/api/v1/engines", params={"group_by": "open_source,deployment_scale", "format": "csv"}
    ).text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["group_by", "key", "count"]
    engines = _all(api, "/api/v1/engines")
    open_source = {r[1]: int(r[2]) for r in rows[1:] if r[0] == "open_source"}
    assert open_source == {
        (k or ""): v for k, v in Counter(e["open_source"] for e in engines).items()
    }


@pytest.mark.parametrize(
    ("params", "field", "value"),
    [
        ({"select": "slug,titel"}, "select", "titel"),
        ({"select": ""}, "select", ""),
        ({"group_by": "aliases"}, "group_by", "aliases"),
        ({"group_by": "slug,"}, "group_by", ""),
    ],
)
def test_unknown_names_are_refused_naming_the_valid_ones(
    api: TestClient, params: dict[str, str], field: str, value: str
) -> None:
    response = api.get("/api/v1/engines", params=params)
    assert response.status_code == 400
    [problem] = response.json()["error"]["problems"]
    assert (problem["field"], problem["value"]) == (field, value)
    assert "slug" in problem["message"]


def test_six_groupings_are_too_many(api: TestClient) -> None:
    response = api.get(
        "/api/v1/engines",
        params={
            "group_by": "open_source,deployment_scale,hardware_diversity,docs_level,has_sns,slug"
        },
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "too many fields to group by"


def test_the_document_lists_exactly_the_accepted_names(api: TestClient) -> None:
    parameters = {
        p["name"]: p
        for p in api.get("/openapi.json").json()["paths"]["/api/v1/papers"]["get"]["parameters"]
    }
    assert "year" in parameters["group_by"]["schema"]["pattern"]
    assert "abstract" in parameters["select"]["schema"]["pattern"]
