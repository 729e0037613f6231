"""Malformed input to the ingest routes (and the CLI) gets a clear 4xx and changes nothing.

"Changes nothing" is checked with the content hash of the whole database except the access
log (`api_token`), taken before and after each request: a rejected input records no ingest
run either. One case is different by design and says so: a well-formed BibTeX file whose
only entry is unusable (a year too large for any integer column) is a per-entry failure, not
a rejected request; it answers 200 with the failure and its line, writes no paper, and leaves
only its run in the audit log (see tests/faults/consistency.py).
"""

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.config import Settings, get_settings
from api.services.ingest import ingest_bibtex
from tests.databases import fresh_database
from tests.faults.conftest import write_headers
from tests.faults.consistency import survey_hash
from tests.ingest.arxiv_server import (
    CannedResponse,
    FakeArxiv,
    arxiv_env,
    fixture_bytes,
    serve_fake_arxiv,
)

pytestmark = pytest.mark.faults

_GARBAGE = random.Random(6).randbytes(4096)
ENTRY = (
    "@article{{ok2020,\n  title = {{A {title}}},\n  author = {{Doe, Jane}},\n"
    "  year = {{{year}}}\n}}\n"
)
GOOD_ENTRY = ENTRY.format(title="title", year=2020).encode()

BIBTEX_REJECTED = {
    "truncated": GOOD_ENTRY[:40],
    "binary garbage": _GARBAGE,
    "binary garbage that is valid UTF-8": _GARBAGE.decode("latin-1").encode(),
    "NUL byte": GOOD_ENTRY.replace(b"A title", b"A \x00title"),
    "invalid UTF-8": GOOD_ENTRY.replace(b"A title", b"A caf\xe9 title"),
    "an HTML page": b"<!DOCTYPE html><html><body>not here</body></html>",
}

ARXIV_REJECTED: dict[str, bytes] = {
    "max_results beyond any integer": b'{"query": "all:llm", "max_results": 1' + b"0" * 30 + b"}",
    "max_results that overflows a float": b'{"query": "all:llm", "max_results": 1e400}',
    "an id that is a huge integer": b'{"ids": [1' + b"0" * 30 + b"]}",
    "an id of forty digits": b'{"ids": ["' + b"9" * 40 + b'"]}',
    "NUL in the query": b'{"query": "all:llm\\u0000"}',
    "NUL in an id": b'{"ids": ["2309.06180\\u0000"]}',
    "a raw NUL byte": b'{"query": "all:\x00"}',
    "invalid UTF-8": b'{"query": "all:\xff\xfe"}',
    "binary garbage": _GARBAGE,
    "truncated JSON": b'{"ids": ["2309.06',
}

FEEDS_REJECTED = {
    "billion laughs": CannedResponse.feed("billion_laughs.xml"),
    "external entity (XXE)": CannedResponse.feed("external_entity.xml"),
    "truncated feed": CannedResponse.feed("truncated.xml"),
    "an HTML page": CannedResponse.feed("not_a_feed.html"),
    "binary garbage": CannedResponse(body=_GARBAGE),
    "invalid UTF-8": CannedResponse(
        body=b"<?xml version='1.0' encoding='UTF-8'?>"
        b"<feed xmlns='http://www.w3.org/2005/Atom'><title>\xff\xfe</title></feed>"
    ),
    "NUL byte": CannedResponse(body=b"<feed xmlns='http://www.w3.org/2005/Atom'>\x00</feed>"),
}


@pytest.fixture(scope="module")
def seeded_writable(
    backend: str, seeded_template: sa.Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    """A seeded database of this module's own; the tests prove they never change it.

    The first ingest on a freshly seeded database fills in the survey papers' identity keys
    (a derived matching column, see `_backfill_identity_keys`); one empty ingest here makes
    that happen before any test takes its "before" hash.
    """
    with fresh_database(
        backend, tmp_path_factory.mktemp("malformed"), template=seeded_template
    ) as engine:
        warm_up = ingest_bibtex(engine, "@comment{nothing to ingest}", file_name="warm-up.bib")
        assert (warm_up.handled, warm_up.ok) == (0, True)
        yield engine


@pytest.fixture(scope="module")
def fake(seeded_writable: sa.Engine) -> Iterator[FakeArxiv]:
    with serve_fake_arxiv() as served:
        yield served


@pytest.fixture(scope="module")
def client(seeded_writable: sa.Engine, fake: FakeArxiv) -> Iterator[TestClient]:
    settings = Settings(
        database_url=seeded_writable.url.render_as_string(False),
        arxiv_base_url=fake.base_url,
        arxiv_delay=0,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        test_client.headers.update(write_headers(seeded_writable))
        yield test_client


@pytest.fixture(autouse=True)
def arxiv_points_at_the_fake(fake: FakeArxiv, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in arxiv_env(fake).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    fake.router = None
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize("body", BIBTEX_REJECTED.values(), ids=BIBTEX_REJECTED.keys())
def test_bibtex_upload_is_refused(
    client: TestClient, seeded_writable: sa.Engine, body: bytes
) -> None:
    before = survey_hash(seeded_writable)
    response = client.post(
        "/api/v1/ingest/bibtex", content=body, headers={"content-type": "application/x-bibtex"}
    )
    assert_refused(response.status_code, response.json(), "invalid_input")
    assert survey_hash(seeded_writable) == before


@pytest.mark.parametrize(
    "params",
    [{"technique": "paged-attention\x00"}, {"file_name": "a\x00.bib"}, {"technique": "x" * 500}],
    ids=["NUL in a technique", "NUL in the file name", "a technique too long"],
)
def test_bibtex_parameters_are_checked(
    client: TestClient, seeded_writable: sa.Engine, params: dict[str, str]
) -> None:
    before = survey_hash(seeded_writable)
    response = client.post("/api/v1/ingest/bibtex", params=params, content=GOOD_ENTRY)
    assert_refused(response.status_code, response.json(), "invalid_input")
    assert survey_hash(seeded_writable) == before


def test_an_entry_with_a_huge_year_fails_alone_and_writes_no_paper(
    client: TestClient, seeded_writable: sa.Engine
) -> None:
    before = survey_hash(seeded_writable, with_runs=False)
    body = ENTRY.format(title="huge", year=10**30).encode()
    response = client.post("/api/v1/ingest/bibtex", content=body)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["added"], report["failed"]) == (0, 1)
    assert report["failures"][0]["location"] == "upload.bib:1"
    assert "year" in report["failures"][0]["message"]
    assert survey_hash(seeded_writable, with_runs=False) == before


@pytest.mark.parametrize("body", ARXIV_REJECTED.values(), ids=ARXIV_REJECTED.keys())
def test_arxiv_request_is_refused(
    client: TestClient, seeded_writable: sa.Engine, fake: FakeArxiv, body: bytes
) -> None:
    before = survey_hash(seeded_writable)
    asked = len(fake.requests)
    response = client.post(
        "/api/v1/ingest/arxiv", content=body, headers={"content-type": "application/json"}
    )
    assert_refused(response.status_code, response.json(), "invalid_input")
    assert len(fake.requests) == asked, "a refused request must not reach arXiv"
    assert survey_hash(seeded_writable) == before


@pytest.mark.parametrize("answer", FEEDS_REJECTED.values(), ids=FEEDS_REJECTED.keys())
def test_a_feed_that_is_not_atom_is_refused(
    client: TestClient, seeded_writable: sa.Engine, fake: FakeArxiv, answer: CannedResponse
) -> None:
    fake.router = lambda _request: answer
    before = survey_hash(seeded_writable)
    response = client.post("/api/v1/ingest/arxiv", json={"query": "all:llm", "max_results": 5})
    body = assert_refused(response.status_code, response.json(), "invalid_input")
    assert "is not a readable arXiv Atom feed" in body["message"]
    assert "root:" not in response.text  # the external entity was never resolved
    assert survey_hash(seeded_writable) == before


def test_arxiv_error_feed_is_reported_with_arxiv_words(
    client: TestClient, seeded_writable: sa.Engine, fake: FakeArxiv
) -> None:
    fake.router = lambda _request: CannedResponse(status=400, body=fixture_bytes("error.xml"))
    before = survey_hash(seeded_writable)
    response = client.post("/api/v1/ingest/arxiv", json={"query": "id:1234.12345"})
    body = assert_refused(response.status_code, response.json(), None)
    assert "incorrect id format" in body["message"]
    assert survey_hash(seeded_writable) == before


@pytest.mark.parametrize(
    "content", [_GARBAGE, BIBTEX_REJECTED["truncated"]], ids=["garbage", "truncated"]
)
def test_cli_ingest_refuses_a_malformed_file(
    seeded_writable: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    path = tmp_path / "input.bib"
    path.write_bytes(content)
    monkeypatch.setenv("INFERGRAPH_DATABASE_URL", seeded_writable.url.render_as_string(False))
    get_settings.cache_clear()
    before = survey_hash(seeded_writable)
    try:
        result = CliRunner().invoke(cli, ["ingest", "bibtex", str(path)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output  # refused before writing: a usage error
    assert "error: input.bib is not" in result.output
    assert "Traceback" not in result.output
    assert survey_hash(seeded_writable) == before


def assert_refused(status: int, payload: Any, code: str | None) -> dict[str, Any]:
    """A 4xx in the one error shape, with the expected code; returns the error object."""
    assert 400 <= status < 500, (status, payload)
    assert set(payload) == {"error"}, payload
    error: dict[str, Any] = payload["error"]
    assert set(error) == {"code", "message", "problems"}, error
    assert isinstance(error["message"], str) and error["message"], error
    assert all("message" in problem for problem in error["problems"]), error
    if code is not None:
        assert error["code"] == code, error
    return error
