"""Write routes: BibTeX and arXiv ingest over HTTP and the review queue (tokens: tests/auth)."""

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.services.tokens import create_token
from models.access import TokenScope
from tests.ingest.arxiv_server import (
    CannedResponse,
    FakeArxiv,
    arxiv_settings_fixture,  # noqa: F401 - provides the `arxiv_settings` fixture
    fake_arxiv_fixture,  # noqa: F401 - provides the `fake_arxiv` fixture
)

BIBTEX = b"""@inproceedings{leviathan2023fast,
  title = {Fast Inference from Transformers via Speculative Decoding},
  author = {Leviathan, Yaniv and Kalman, Matan and Matias, Yossi},
  year = {2023},
  eprint = {2211.17192},
  archiveprefix = {arXiv}
}
@misc{broken,
  title = {No closing brace}
"""


@pytest.fixture
def writable(seeded_copy: sa.Engine) -> Iterator[tuple[sa.Engine, TestClient]]:
    url = seeded_copy.url.render_as_string(False)
    issued = create_token(seeded_copy, name="curator", scope=TokenScope.WRITE)
    with TestClient(create_app(Settings(database_url=url))) as client:
        client.headers["authorization"] = f"Bearer {issued.token}"
        yield seeded_copy, client


def test_bibtex_ingest_reports_each_entry_and_is_idempotent(
    writable: tuple[sa.Engine, TestClient],
) -> None:
    _, client = writable
    first = client.post(
        "/api/v1/ingest/bibtex",
        params={"file_name": "mine.bib", "technique": "eagle"},
        content=BIBTEX,
        headers={"content-type": "application/x-bibtex"},
    ).json()
    assert (first["added"], first["failed"], first["links"]) == (1, 1, 1)
    assert first["failures"][0]["location"].startswith("mine.bib:")
    again = client.post(
        "/api/v1/ingest/bibtex", params={"file_name": "mine.bib"}, content=BIBTEX
    ).json()
    assert (again["added"], again["unchanged"]) == (0, 1)
    paper = client.get("/api/v1/papers/leviathan2023fast").json()
    assert paper["arxiv_id"] == "2211.17192"
    assert paper["authors"] == ["Yaniv Leviathan", "Matan Kalman", "Yossi Matias"]


def test_not_bibtex_at_all_is_refused(writable: tuple[sa.Engine, TestClient]) -> None:
    _, client = writable
    response = client.post("/api/v1/ingest/bibtex", content=b"<html>nope</html>")
    assert response.status_code == 400
    assert "is not a BibTeX file" in response.json()["error"]["message"]


@pytest.mark.usefixtures("arxiv_settings")
def test_arxiv_ingest_and_review_queue(
    writable: tuple[sa.Engine, TestClient], fake_arxiv: FakeArxiv
) -> None:
    engine, client = writable
    fake_arxiv.queue(CannedResponse.feed("query_ids.xml"))
    report = client.post("/api/v1/ingest/arxiv", json={"ids": ["2309.06180"]}).json()
    # The vLLM paper is already the survey's PagedAttention paper: merged, not duplicated.
    assert report["added"] + report["updated"] + report["unchanged"] + report["merged"] >= 1
    vllm = client.get("/api/v1/papers/kwon2023efficient").json()
    assert vllm["doi"] == "10.1145/3600006.3613165"
    with engine.connect() as connection:
        copies = connection.execute(
            sa.text("SELECT count(*) FROM paper WHERE arxiv_id = '2309.06180'")
        ).scalar_one()
    assert copies == 1
    suggestions = client.get("/api/v1/suggestions", params={"status": "suggested"}).json()
    if suggestions:
        decided = client.post(
            f"/api/v1/suggestions/{suggestions[0]['id']}/reject", json={"note": "off topic"}
        ).json()
        assert (decided["status"], decided["note"]) == ("rejected", "off topic")
    missing = client.post("/api/v1/suggestions/999999/accept")
    assert missing.status_code == 404
    both = client.post("/api/v1/ingest/arxiv", json={"ids": ["1"], "query": "x"})
    assert both.status_code == 400
