"""The patterns of the OpenAPI document (cursors, filters, uploads) promise nothing the
server refuses.

Every list's `cursor` and `filter` carry a pattern (`api/services/pagination.py`,
`api/services/filter_pattern.py`). Texts drawn from each pattern are sent to their list and
must be answered 200; what the server issues must match the pattern; a cursor names its own
order; a well-spelled slug naming no row matches nothing, with a warning.
"""

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.rest.ingest import BIBTEX_TEXT
from api.services.filter_pattern import whole_pattern
from api.services.ingest.readers.bibtex import BibtexReader
from api.services.ingest.readers.identifiers import ARXIV_ID_PATTERN, parse_arxiv_id


def _query_pattern(app: FastAPI, path: str, name: str) -> str:
    parameters = app.openapi()["paths"][path]["get"]["parameters"]
    [schema] = [p["schema"] for p in parameters if p["name"] == name]
    pattern = schema.get("pattern")
    if pattern is None:
        [pattern] = [a["pattern"] for a in schema.get("anyOf", []) if "pattern" in a]
    assert isinstance(pattern, str)
    return pattern


def _lists_with(app: FastAPI, name: str) -> list[str]:
    return [
        path
        for path, operations in app.openapi()["paths"].items()
        if "get" in operations
        and "{" not in path
        and any(p["name"] == name for p in operations["get"].get("parameters", []))
    ]


def test_every_cursor_and_filter_is_documented_with_a_pattern(rest_app: FastAPI) -> None:
    cursors, filters = _lists_with(rest_app, "cursor"), _lists_with(rest_app, "filter")
    assert len(cursors) >= 8 and len(filters) >= 10
    for path in cursors:
        assert _query_pattern(rest_app, path, "cursor").startswith("^(?:")
    for path in filters:
        assert "@more-values@" not in _query_pattern(rest_app, path, "filter")


def test_issued_cursors_match_their_lists_pattern(rest_app: FastAPI, api: TestClient) -> None:
    for path in _lists_with(rest_app, "cursor"):
        pattern = re.compile(_query_pattern(rest_app, path, "cursor"))
        for extra in (
            {},
            {"filter": "q:attention"} if path.endswith(("papers", "techniques")) else {},
        ):
            body = api.get(path, params={"per_page": 1, **extra}).json()
            cursor = body["meta"]["next_cursor"]
            if cursor is not None:
                assert pattern.fullmatch(cursor), (path, cursor)


@pytest.mark.parametrize(
    "path", ["/api/v1/engines", "/api/v1/papers", "/api/v1/benchmark-runs", "/api/v1/techniques"]
)
def test_any_cursor_of_the_grammar_is_read(rest_app: FastAPI, api: TestClient, path: str) -> None:
    """Forged but well-formed cursors (any string value, any number, null where nullable)
    are positions in the list: 200, never 400."""
    pattern = _query_pattern(rest_app, path, "cursor")

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(cursor=st.from_regex(pattern, fullmatch=True).filter(lambda c: len(c) <= 1000))
    def read(cursor: str) -> None:
        response = api.get(path, params={"cursor": cursor, "per_page": 3})
        assert response.status_code == 200, (cursor, response.text)

    read()


def test_the_cursor_decides_the_order(api: TestClient) -> None:
    by_stars = api.get("/api/v1/engines", params={"sort": "-stars", "per_page": 2}).json()
    cursor = by_stars["meta"]["next_cursor"]
    following = api.get(
        "/api/v1/engines", params={"sort": "-stars", "per_page": 2, "cursor": cursor}
    )
    # `sort` says name, the cursor says stars: the cursor's order goes on.
    named = api.get("/api/v1/engines", params={"sort": "name", "per_page": 2, "cursor": cursor})
    assert named.status_code == 200
    assert named.json()["results"] == following.json()["results"]
    stars = [e["github_stars"] for e in by_stars["results"] + named.json()["results"]]
    assert stars == sorted(stars, key=lambda n: -(n or 0))


def test_a_keyset_cursor_reads_text_hits_in_its_order(api: TestClient) -> None:
    """With `q`, pages are ranked by relevance; a cursor of a keyset order reads the same
    hits in that order instead (the cursor decides)."""
    plain = api.get("/api/v1/papers", params={"sort": "title", "per_page": 1}).json()
    cursor = plain["meta"]["next_cursor"]
    hits = api.get("/api/v1/papers", params={"filter": "q:attention", "per_page": 200}).json()
    paged = api.get(
        "/api/v1/papers", params={"filter": "q:attention", "per_page": 200, "cursor": cursor}
    ).json()
    titles = [p["title"].lower() for p in paged["results"]]
    assert titles == sorted(titles)
    assert {p["key"] for p in paged["results"]} <= {p["key"] for p in hits["results"]}
    assert all(t > plain["results"][0]["title"].lower() for t in titles)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/engines",
        "/api/v1/papers",
        "/api/v1/benchmark-runs",
        "/api/v1/techniques",
        "/api/v1/organizations",
        "/api/v1/device-prices",
    ],
)
def test_any_filter_of_the_grammar_is_accepted(
    rest_app: FastAPI, api: TestClient, path: str
) -> None:
    pattern = _query_pattern(rest_app, path, "filter")

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(text=st.from_regex(pattern, fullmatch=True).filter(lambda t: len(t) <= 2000))
    def accepted(text: str) -> None:
        response = api.get(path, params={"filter": text, "per_page": 2})
        assert response.status_code == 200, (text, response.text)

    accepted()


def test_an_unknown_slug_matches_nothing_and_says_so(api: TestClient) -> None:
    body = api.get("/api/v1/engines", params={"filter": "platform:amd-instinkt"}).json()
    assert body["results"] == [] and body["meta"]["count"] == 0
    [warning] = body["meta"]["warnings"]
    assert warning["field"] == "filter.platform" and warning["value"] == "amd-instinkt"
    assert "did you mean 'amd-instinct'" in warning["message"]
    # Any of: the known alternative still matches.
    either = api.get("/api/v1/engines", params={"filter": "platform:amd-instinkt|amd-instinct"})
    only = api.get("/api/v1/engines", params={"filter": "platform:amd-instinct"})
    assert either.json()["results"] == only.json()["results"] != []
    assert len(either.json()["meta"]["warnings"]) == 1


def test_unknown_and_missing_requirements(api: TestClient) -> None:
    engines = api.get("/api/v1/engines", params={"per_page": 200}).json()["meta"]["count"]
    none = api.get("/api/v1/requirements").json()
    assert len(none) == engines and {m["score"] for m in none} == {1.0}
    unknown = api.get("/api/v1/requirements", params={"platform": "nowhere-9"}).json()
    assert len(unknown) == engines
    assert all(m["unknown"] == [{"kind": "platform", "slug": "nowhere-9"}] for m in unknown)


@pytest.mark.parametrize(
    ("low", "high"), [(1000, 2100), (1, 10_000_000), (-(10**9), 10**9), (-50, -3), (7, 7)]
)
def test_whole_number_patterns_are_exact(low: int, high: int) -> None:
    pattern = re.compile(whole_pattern(low, high))
    probes: set[Any] = {low, high, low - 1, high + 1, 0, -1, 1, (low + high) // 2}
    probes |= {low + step for step in range(0, 200)} | {high - step for step in range(0, 200)}
    for number in probes:
        assert bool(pattern.fullmatch(str(number))) == (low <= number <= high), number
    assert not pattern.fullmatch("-0") and not pattern.fullmatch(f"0{abs(high)}")


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.from_regex(BIBTEX_TEXT["pattern"], fullmatch=True))
def test_every_documented_bibtex_upload_holds_a_block(text: str) -> None:
    """What the BibTeX upload's pattern admits is never refused as "not a BibTeX file"."""
    reader = BibtexReader(text, "upload.bib")
    list(reader)
    assert reader.bibtex_blocks >= 1, text


@settings(max_examples=300, deadline=None)
@given(identifier=st.from_regex(ARXIV_ID_PATTERN, fullmatch=True))
def test_every_documented_arxiv_id_is_read(identifier: str) -> None:
    assert parse_arxiv_id(identifier) is not None
