"""The change feed: REST JSON, Atom and GraphQL, resumed across a sync."""

from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.services.tokens import create_token
from models.access import TokenScope
from tests.conftest import NEWER_README, NEWER_REMOVAL, NEWER_VERSION

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def writable(seeded_copy: sa.Engine) -> Iterator[TestClient]:
    issued = create_token(seeded_copy, name="curator", scope=TokenScope.WRITE)
    settings = Settings(database_url=seeded_copy.url.render_as_string(False))
    with TestClient(create_app(settings)) as client:
        client.headers["authorization"] = f"Bearer {issued.token}"
        yield client


def _walk(client: TestClient, since: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """Every change after `since`, page by page as a reader would."""
    seen: list[dict[str, Any]] = []
    while True:
        params = {"per_page": "500", **({"since": since} if since else {})}
        response = client.get("/api/v1/changes", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += body["results"]
        since = body["meta"]["resume_cursor"]
        if not body["meta"]["has_next"]:
            return seen, since


def _sync(client: TestClient, token: str | None = None) -> dict[str, Any]:
    response = client.post(
        "/api/v1/sync/survey",
        params={"dry_run": "false", "source_version": NEWER_VERSION},
        content=NEWER_README.read_bytes(),
        headers={"authorization": token} if token else None,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_feed_holds_the_seed_then_resumes_with_exactly_the_sync(writable: TestClient) -> None:
    seeded, cursor = _walk(writable)
    assert {change["action"] for change in seeded} == {"added"}
    assert {change["source_version"] for change in seeded} == {"2025-12-02"}
    assert len(seeded) > 1500
    assert [change["id"] for change in seeded] == sorted(change["id"] for change in seeded)
    assert _walk(writable, cursor)[0] == []  # nothing new yet

    assert _sync(writable)["source_version"] == NEWER_VERSION
    after, _ = _walk(writable, cursor)
    assert [(c["action"], c["table"], c["source"]) for c in after] == [
        ("changed", "engine", None),
        ("changed", "platform_support", "survey-hardware-matrix"),
        ("changed", "feature_support", "survey-optimization-matrix"),
        ("changed", "device_price", "survey-device-pricing"),
        ("added", "device_price", "survey-device-pricing"),
    ]
    assert {c["source_version"] for c in after} == {NEWER_VERSION}
    assert {c["released_on"] for c in after} == {"2026-03-01"}
    assert after[0]["values"]["slug"] == "vllm"
    assert after[0]["values"]["has_forum"] is True  # a boolean on SQLite too
    assert after[0]["changed"] == {"github_stars": [43400, 45100]}
    assert after[2]["changed"] == {"status": ["not_supported", "supported"]}
    assert after[4]["values"]["usd_per_hour"] in (5.5, "5.5", "5.5000")

    # Syncing the same README again writes nothing (the removed row stays held) and adds
    # nothing to the feed.
    again = _sync(writable)
    assert (again["applied"], again["source_version"]) == ([], None)
    assert _walk(writable, cursor)[0] == after


def test_an_accepted_removal_is_retired_in_the_feed(writable: TestClient) -> None:
    _sync(writable)
    _, cursor = _walk(writable)
    response = writable.post(
        "/api/v1/sync/survey",
        params={"dry_run": "false", "source_version": "2026-04-01", "accept": NEWER_REMOVAL},
        content=NEWER_README.read_bytes(),
    )
    assert response.status_code == 200, response.text
    assert response.json()["applied"] == [NEWER_REMOVAL]
    after, _ = _walk(writable, cursor)
    assert {(c["action"], c["table"], c["source"]) for c in after} == {
        ("retired", "precision_support", "survey-precision-matrix"),
        ("retired", "layout_entry", "survey-precision-matrix"),
    }
    assert len(after) == 13  # twelve precision cells and the row
    assert {c["source_version"] for c in after} == {"2026-04-01"}
    row = next(c for c in after if c["table"] == "layout_entry")
    # A retired fact's values are those it had: what the feed reader last knew.
    assert (row["values"]["label"], row["changed"]) == ("unsloth", {})


def test_the_feed_is_cached_per_data_version(writable: TestClient) -> None:
    token = writable.headers.pop("authorization")  # the cache keeps anonymous reads only
    first = writable.get("/api/v1/changes", params={"per_page": "1"})
    etag = first.headers["etag"]
    again = writable.get(
        "/api/v1/changes", params={"per_page": "1"}, headers={"if-none-match": etag}
    )
    assert again.status_code == 304
    _sync(writable, token)
    moved = writable.get(
        "/api/v1/changes", params={"per_page": "1"}, headers={"if-none-match": etag}
    )
    assert moved.status_code == 200
    assert moved.headers["etag"] != etag


def test_atom_is_a_valid_feed_document(writable: TestClient) -> None:
    _, cursor = _walk(writable)
    _sync(writable)
    by_header = writable.get(
        "/api/v1/changes", params={"since": cursor}, headers={"accept": "application/atom+xml"}
    )
    by_format = writable.get("/api/v1/changes", params={"since": cursor, "format": "atom"})
    assert by_header.status_code == by_format.status_code == 200
    assert by_header.headers["content-type"].startswith("application/atom+xml")
    # The same entries; only the self link differs (it repeats the query).
    assert by_header.text.split("<entry>", 1)[1] == by_format.text.split("<entry>", 1)[1]
    feed = ET.fromstring(by_header.content)
    assert feed.tag == f"{ATOM}feed"
    # RFC 4287: a feed has one id, title and updated, and an author (or every entry one).
    for name in ("id", "title", "updated", "author"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, name
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "InferGraph"  # type: ignore[union-attr]
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 5
    for entry in entries:
        for name in ("id", "title", "updated", "content"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert entry.find(f"{ATOM}updated").text.endswith("Z")  # type: ignore[union-attr]
    first = entries[0]
    assert first.find(f"{ATOM}title").text == "changed engine vllm"  # type: ignore[union-attr]
    terms = {c.get("scheme"): c.get("term") for c in first.findall(f"{ATOM}category")}
    assert terms["urn:infergraph:source-version"] == NEWER_VERSION
    ids = [entry.find(f"{ATOM}id").text for entry in entries]  # type: ignore[union-attr]
    assert len(set(ids)) == 5
    paged = ET.fromstring(writable.get("/api/v1/changes?per_page=2&format=atom").content)
    rels = {link.get("rel"): link.get("href") for link in paged.findall(f"{ATOM}link")}
    assert "since=" in str(rels["next"]) and "self" in rels


def test_graphql_changes_is_the_same_feed(writable: TestClient) -> None:
    _, cursor = _walk(writable)
    _sync(writable)
    query = """query ($after: String) { changes(first: 3, after: $after) {
        nodes { number action table sourceVersion source columns { column value previous } }
        pageInfo { hasNextPage endCursor } } }"""
    first = writable.post("/graphql", json={"query": query, "variables": {"after": cursor}})
    page = first.json()["data"]["changes"]
    assert [n["action"] for n in page["nodes"]] == ["changed", "changed", "changed"]
    assert page["pageInfo"]["hasNextPage"] is True
    stars = {c["column"]: c for c in page["nodes"][0]["columns"]}["github_stars"]
    assert (stars["value"], stars["previous"]) == ("45100", "43400")
    rest_ids = [c["id"] for c in _walk(writable, cursor)[0]]
    second = writable.post(
        "/graphql", json={"query": query, "variables": {"after": page["pageInfo"]["endCursor"]}}
    ).json()["data"]["changes"]
    assert [n["number"] for n in page["nodes"] + second["nodes"]] == rest_ids
    assert second["pageInfo"]["hasNextPage"] is False


def test_a_foreign_cursor_and_a_huge_page_are_refused(writable: TestClient) -> None:
    bad = writable.get("/api/v1/changes", params={"since": "bm90LWEtY3Vyc29y"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_input"
    assert bad.json()["error"]["problems"][0]["field"] == "since"
    huge = writable.get("/api/v1/changes", params={"per_page": "100000"})
    assert huge.status_code == 400
    with_as_of = writable.get("/api/v1/changes", params={"as_of": "2025-12-02"})
    assert with_as_of.status_code == 400  # the feed is the history, not a version of it


def test_a_sync_names_its_version_and_refuses_a_bad_date(writable: TestClient) -> None:
    bad = writable.post(
        "/api/v1/sync/survey",
        params={"dry_run": "false", "source_date": "2026-02-30"},
        content=NEWER_README.read_bytes(),
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["problems"][0]["field"] == "source_date"
    not_a_date = writable.post(
        "/api/v1/sync/survey", params={"source_date": "0"}, content=NEWER_README.read_bytes()
    )
    assert not_a_date.status_code == 400
    dated = writable.post(
        "/api/v1/sync/survey",
        params={"dry_run": "false", "source_date": "2026-02-14"},
        content=NEWER_README.read_bytes(),
    )
    assert dated.json()["source_version"] == "2026-02-14"
    versions = writable.get("/api/v1/source-versions").json()["results"]
    assert [(v["name"], v["released_on"], v["file"]) for v in versions] == [
        ("2025-12-02", "2025-12-02", None),
        ("2026-02-14", "2026-02-14", "README.md"),
    ]
