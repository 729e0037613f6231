"""Merging two papers that are one work, and undoing it: old ids keep resolving."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.config import Settings, get_settings
from api.services.ingest import ingest_bibtex
from api.services.tokens import create_token
from models.access import TokenScope
from tests.ingest.helpers import fingerprint

CHUNKED = """@misc{chunked2024,
  title = {Chunked Prefill Revisited for Serving},
  author = {Kwon, Woosuk},
  year = {2024},
  doi = {10.1/chunked}
}
"""


@pytest.fixture
def curator(seeded_copy: sa.Engine) -> Iterator[TestClient]:
    url = seeded_copy.url.render_as_string(False)
    issued = create_token(seeded_copy, name="curator", scope=TokenScope.WRITE)
    with TestClient(create_app(Settings(database_url=url))) as client:
        client.headers["authorization"] = f"Bearer {issued.token}"
        yield client


def test_merge_redirects_old_ids_and_undo_restores_everything(
    curator: TestClient, seeded_copy: sa.Engine
) -> None:
    ingest_bibtex(seeded_copy, CHUNKED, file_name="chunked.bib")
    before = fingerprint(seeded_copy)
    citations = curator.get("/api/v1/papers/kwon2023efficient/citations").json()

    merged = curator.post(
        "/api/v1/paper-merges",
        json={"survivor": "kwon2023efficient", "absorbed": "chunked2024", "note": "test"},
    )

    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert body["aliases"] == [
        {"kind": "key", "value": "chunked2024"},
        {"kind": "doi", "value": "10.1/chunked"},
    ]
    moved = curator.get("/api/v1/papers/chunked2024/citations", follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"] == "/api/v1/papers/kwon2023efficient/citations"
    moved = curator.get("/api/v1/papers/chunked2024?format=bibtex", follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"] == "/api/v1/papers/kwon2023efficient?format=bibtex"
    assert curator.get("/api/v1/papers/chunked2024").json()["key"] == "kwon2023efficient"
    query = """{ byKey: paper(bibtexKey: "chunked2024") { bibtexKey absorbedIds { kind value } }
      byDoi: paper(doi: "10.1/CHUNKED") { bibtexKey } }"""
    data = curator.post("/graphql", json={"query": query}).json()["data"]
    assert data["byKey"]["bibtexKey"] == "kwon2023efficient"
    assert {"kind": "doi", "value": "10.1/chunked"} in data["byKey"]["absorbedIds"]
    assert data["byDoi"] == {"bibtexKey": "kwon2023efficient"}
    # The matcher follows the alias too: re-ingesting the absorbed entry adds nothing.
    again = ingest_bibtex(seeded_copy, CHUNKED, file_name="chunked.bib")
    assert (again.added, again.entries[0].paper_key) == (0, "kwon2023efficient")

    undone = curator.post(f"/api/v1/paper-merges/{body['id']}/undo")

    assert undone.status_code == 200, undone.text
    assert undone.json()["undone_at"] is not None
    assert curator.get("/api/v1/papers/chunked2024").json()["doi"] == "10.1/chunked"
    assert curator.get("/api/v1/papers/kwon2023efficient/citations").json() == citations
    after = fingerprint(seeded_copy)
    for table in ("paper", "paper_author", "technique_link"):
        assert after[table] == before[table], table
    assert curator.post(f"/api/v1/paper-merges/{body['id']}/undo").status_code == 400
    same = curator.post(
        "/api/v1/paper-merges", json={"survivor": "chunked2024", "absorbed": "chunked2024"}
    )
    assert same.status_code == 400
    unknown = curator.post(
        "/api/v1/paper-merges", json={"survivor": "chunked2024", "absorbed": "nope"}
    )
    assert unknown.status_code == 404


def test_cli_merge_conflicts_and_undo(
    seeded_copy: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFERGRAPH_DATABASE_URL", seeded_copy.url.render_as_string(False))
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        wrong = Path(__file__).parent / "fixtures" / "bibtex" / "identity" / "wrong_eprint.bib"
        ingested = runner.invoke(cli, ["ingest", "bibtex", str(wrong)])
        assert ingested.exit_code == 1, ingested.output
        listed = runner.invoke(cli, ["papers", "conflicts"])
        assert listed.exit_code == 0, listed.output
        assert "borstnik2014sparse / kwon2023efficient share arXiv id 2309.06180" in listed.output
        ingest_bibtex(seeded_copy, CHUNKED, file_name="chunked.bib")
        merged = runner.invoke(cli, ["papers", "merge", "kwon2023efficient", "chunked2024"])
        assert merged.exit_code == 0, merged.output
        assert "chunked2024 → kwon2023efficient" in merged.output
        merge_id = merged.output.split()[1].rstrip(":")
        undone = runner.invoke(cli, ["papers", "undo", merge_id])
        assert undone.exit_code == 0, undone.output
        assert runner.invoke(cli, ["papers", "undo", merge_id]).exit_code == 1
    finally:
        get_settings.cache_clear()
