"""The lean path (api/rest/lean.py) answers with FastAPI's bytes, and leaves to FastAPI what it
cannot answer so.

Every request goes to two applications on one database: one with the lean path, one without
(`lean_reads=False`); status, headers and body must be byte for byte the same. The response
cache is off in both, so each request runs; a spy counts which requests the lean path
answered, so a test cannot pass by the lean path quietly handing everything on.
"""

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.rest.lean import LeanReads
from tests.conftest import NEWER_VERSION

VENUE = "Proceedings"


def _clients(engine: sa.Engine, **settings: Any) -> Iterator[tuple[TestClient, TestClient]]:
    url = engine.url.render_as_string(False)
    common = {"database_url": url, "response_cache_bytes": 0, **settings}
    with (
        TestClient(create_app(Settings(**common, lean_reads=True))) as lean,
        TestClient(create_app(Settings(**common, lean_reads=False))) as plain,
    ):
        yield lean, plain


@pytest.fixture(scope="module")
def pair(seeded_engine: sa.Engine) -> Iterator[tuple[TestClient, TestClient]]:
    yield from _clients(seeded_engine)


@pytest.fixture
def answered() -> Iterator[mock.MagicMock]:
    """Calls of the lean path's worker (one per request it answered)."""
    with mock.patch.object(LeanReads, "_run", autospec=True, side_effect=LeanReads._run) as spy:
        yield spy


def _same(
    pair: tuple[TestClient, TestClient], url: str, headers: dict[str, str] | None = None
) -> Any:
    lean, plain = pair
    ours, theirs = lean.get(url, headers=headers), plain.get(url, headers=headers)
    assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content), url
    assert ours.headers.items() == theirs.headers.items(), url
    return ours


def _cursor(pair: tuple[TestClient, TestClient], query: str) -> str:
    cursor = pair[1].get(f"/api/v1/papers?{query}").json()["meta"]["next_cursor"]
    assert isinstance(cursor, str)
    return cursor


ANSWERED_LISTS = [
    "",
    "per_page=1",
    "per_page=3&sort=key",
    "per_page=100&sort=key",
    "sort=year",
    "sort=-year&per_page=7",
    "sort=title&per_page=4",
    "select=key,year&per_page=5",
    "select=title,title,authors&per_page=2",
    "group_by=year&per_page=3",
    "group_by=year,venue&select=key",
    "filter=year_from:2023",
    "filter=year_from:2023,year_to:2023&sort=key",
    f"filter=venue:{VENUE}&sort=key",
    "filter=technique:paged-attention",
    "filter=technique:no-such-technique",
    "filter=technique:paged-attention|no-such-one&group_by=year",
    "filter=author:kwon",
    "filter=q:attention",
    "filter=q:attention&per_page=2&sort=key",
    "format=json&per_page=2",
    "as_of=yesterday",
    # Refused by the endpoint or its dependencies, after validation: the handlers answer.
    "per_page=0",
    "per_page=abc",
    "per_page=%C2%B2",
    "per_page=100000",
    "select=nope",
    "select=key,",
    "group_by=nope",
    "filter=nope:1",
    "filter=year_from:99999",
    "filter=year_from",
    "per_page=0&select=nope",
]


def test_cursor_pages_are_the_same(
    pair: tuple[TestClient, TestClient], answered: mock.MagicMock
) -> None:
    for query in ("per_page=2&sort=key", "per_page=3", "per_page=2&filter=q:attention"):
        cursor = _cursor(pair, query)
        page = _same(pair, f"/api/v1/papers?{query}&cursor={cursor}")
        assert page.status_code == 200 and len(page.json()["results"]) >= 1
    assert answered.call_count == 3
    # Cut short, a cursor leaves the documented grammar: FastAPI's own refusal.
    cut = _cursor(pair, "per_page=2&sort=key")[:-4]
    assert _same(pair, f"/api/v1/papers?per_page=2&cursor={cut}").status_code == 400
    assert answered.call_count == 3


DELEGATED_LISTS = [
    "sort=nope",
    "cursor=%21%21",
    "format=xml",
    "format=csv",
    "format=csv-excel",
    "format=bibtex",
    "format=ris",
    "selct=title",
    "filter=technique:a%00b",
    "filter=" + "x" * 5000,
    "as_of=%20",
]


@pytest.mark.parametrize(
    ("query", "lean"),
    [(query, True) for query in ANSWERED_LISTS] + [(query, False) for query in DELEGATED_LISTS],
)
def test_lists_answer_with_fastapis_bytes(
    pair: tuple[TestClient, TestClient], answered: mock.MagicMock, query: str, lean: bool
) -> None:
    """The lean path answers what it can (`lean`) and leaves the rest (FastAPI refuses the
    parameter, or answers in another format) to FastAPI."""
    _same(pair, f"/api/v1/papers?{query}")
    assert answered.call_count == (1 if lean else 0)


@pytest.mark.parametrize(
    "accept", ["text/csv", "application/x-bibtex", "application/ld+json", "application/json"]
)
def test_accept_chooses_as_before(
    pair: tuple[TestClient, TestClient], answered: mock.MagicMock, accept: str
) -> None:
    _same(pair, "/api/v1/papers?per_page=2", {"accept": accept})
    _same(pair, "/api/v1/papers/kwon2023efficient", {"accept": accept})
    assert answered.call_count == (2 if accept == "application/json" else 0)


def test_one_paper(pair: tuple[TestClient, TestClient], answered: mock.MagicMock) -> None:
    for key in pair[1].get("/api/v1/papers?per_page=20&sort=key").json()["results"]:
        body = _same(pair, f"/api/v1/papers/{key['key']}").json()
        assert body["key"] == key["key"]
    for url in (
        "/api/v1/papers/kwon2023efficient?format=json",
        "/api/v1/papers/no-such-paper",
        "/api/v1/papers/10.1145%2F0000",
        "/api/v1/papers/a/b/c",
    ):
        _same(pair, url)
    assert answered.call_count == 24


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/papers/kwon2023efficient/citations",
        "/api/v1/papers/kwon2023efficient/techniques",
        "/api/v1/papers/kwon2023efficient/engines",
        "/api/v1/papers/kwon2023efficient?format=bibtex",
        "/api/v1/papers/kwon2023efficient?format=jsonld",
        "/api/v1/papers/kwon2023efficient?nope=1",
        "/api/v1/papers/",
        "/api/v1/papers/a%00b",
    ],
)
def test_other_paper_routes_stay_fastapis(
    pair: tuple[TestClient, TestClient], answered: mock.MagicMock, url: str
) -> None:
    _same(pair, url)
    assert answered.call_count == 0


def test_head_and_other_methods_are_fastapis(
    pair: tuple[TestClient, TestClient], answered: mock.MagicMock
) -> None:
    lean, plain = pair
    for method in ("HEAD", "OPTIONS", "POST", "DELETE"):
        ours = lean.request(method, "/api/v1/papers?per_page=2")
        theirs = plain.request(method, "/api/v1/papers?per_page=2")
        assert (ours.status_code, ours.content, ours.headers.items()) == (
            theirs.status_code,
            theirs.content,
            theirs.headers.items(),
        )
    assert answered.call_count == 0


def test_compression_applies_to_lean_answers(
    pair: tuple[TestClient, TestClient], answered: mock.MagicMock
) -> None:
    page = _same(pair, "/api/v1/papers?per_page=50", {"accept-encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    assert answered.call_count == 1


def test_as_of_reads_the_same_past(synced_engine: sa.Engine, answered: mock.MagicMock) -> None:
    for pair in _clients(synced_engine):
        for as_of in (NEWER_VERSION, "2025-12-02", "1999-01-01", "no-such-version"):
            _same(pair, f"/api/v1/papers?per_page=5&sort=key&as_of={as_of}")
            _same(pair, f"/api/v1/papers/kwon2023efficient?as_of={as_of}")
    assert answered.call_count == 8


def test_reads_needing_a_token_are_fastapis(
    seeded_engine: sa.Engine, answered: mock.MagicMock
) -> None:
    for pair in _clients(seeded_engine, read_requires_token=True):
        assert _same(pair, "/api/v1/papers?per_page=2").status_code == 401
    assert answered.call_count == 0


def test_a_database_error_is_answered_by_the_handlers(
    pair: tuple[TestClient, TestClient], answered: mock.MagicMock
) -> None:
    failure = sa.exc.TimeoutError("no pooled connection in time")
    with mock.patch("api.services.literature.list_papers", side_effect=failure):
        page = _same(pair, "/api/v1/papers?per_page=2")
    assert page.status_code == 503
    assert page.json()["error"]["code"] == "database_unavailable"
    assert answered.call_count == 1


def test_an_unexpected_error_is_a_500_and_raised_on(
    seeded_engine: sa.Engine, answered: mock.MagicMock
) -> None:
    for lean, plain in _clients(seeded_engine):
        with mock.patch("api.services.literature.get_paper", side_effect=RuntimeError("bug")):
            for client in (lean, plain):
                with pytest.raises(RuntimeError, match="bug"):
                    client.get("/api/v1/papers/kwon2023efficient")
            quiet = [TestClient(c.app, raise_server_exceptions=False) for c in (lean, plain)]
            ours, theirs = (c.get("/api/v1/papers/kwon2023efficient") for c in quiet)
    assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content)
    assert ours.status_code == 500
    assert answered.call_count == 2
