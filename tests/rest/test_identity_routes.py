"""Paper identity over HTTP: keys of any character, per-entry outcomes kept by each run, and
the conflicts an ingest records."""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from bibtexparser.entrypoint import parse_string
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.services.ingest import ingest_arxiv
from api.services.tokens import create_token
from models.access import TokenScope

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ODD_KEYS = ("10.1016/j.parco.2014.03.012", "He:2024:Deferred", "Yu–Jiang·2024")
BIBTEX_KEY = r"[A-Za-z0-9_:./+-]+"


@pytest.fixture
def curator(empty_engine: sa.Engine) -> Iterator[TestClient]:
    url = empty_engine.url.render_as_string(False)
    issued = create_token(empty_engine, name="curator", scope=TokenScope.WRITE)
    with TestClient(create_app(Settings(database_url=url))) as client:
        client.headers["authorization"] = f"Bearer {issued.token}"
        yield client


def _ingest(client: TestClient, name: str) -> dict:  # type: ignore[type-arg]
    response = client.post(
        "/api/v1/ingest/bibtex",
        params={"file_name": name},
        content=(FIXTURES / "bibtex" / "identity" / name).read_bytes(),
    )
    assert response.status_code == 200, response.text
    body: dict = response.json()  # type: ignore[type-arg]
    return body


def test_keys_with_slash_colon_and_non_ascii_work_on_every_paper_route(
    curator: TestClient,
) -> None:
    report = _ingest(curator, "odd_keys.bib")
    assert [e["paper_key"] for e in report["entries"]] == list(ODD_KEYS)

    for key in ODD_KEYS:
        for spelled in (key, quote(key, safe=""), quote(key, safe="/:")):
            detail = curator.get(f"/api/v1/papers/{spelled}")
            assert detail.status_code == 200, (spelled, detail.text)
            assert detail.json()["key"] == key
            for nested in ("citations", "techniques", "engines"):
                assert curator.get(f"/api/v1/papers/{spelled}/{nested}").json() == []
        bibtex = curator.get(f"/api/v1/papers/{quote(key, safe='')}", params={"format": "bibtex"})
        assert bibtex.status_code == 200
        assert "/" not in bibtex.headers["content-disposition"].split("filename=")[1]
        jsonld = curator.get(f"/api/v1/papers/{quote(key)}", params={"format": "jsonld"})
        assert jsonld.json()["identifier"][0]["value"] == key
    assert curator.get("/api/v1/papers/10.1016/j.parco.2014.03.999").status_code == 404


def test_exported_cite_keys_are_valid_bibtex(curator: TestClient) -> None:
    _ingest(curator, "odd_keys.bib")

    exported = curator.get("/api/v1/papers", params={"format": "bibtex"}).text

    library = parse_string(exported)
    assert not library.failed_blocks
    keys = sorted(entry.key for entry in library.entries)
    assert keys[:2] == ["10.1016/j.parco.2014.03.012", "He:2024:Deferred"]
    assert keys[2].startswith("Yu-Jiang-2024-")
    import re

    assert all(re.fullmatch(BIBTEX_KEY, key) for key in keys)
    again = parse_string(curator.get("/api/v1/papers", params={"format": "bibtex"}).text)
    assert sorted(entry.key for entry in again.entries) == keys  # stable across runs


def test_each_run_keeps_its_entries_and_conflicts_are_readable(
    curator: TestClient, empty_engine: sa.Engine
) -> None:
    ingest_arxiv(empty_engine, feed_file=FIXTURES / "arxiv" / "query_ids.xml")

    report = _ingest(curator, "wrong_eprint.bib")

    assert report["conflicts"] == 3 and report["entries_next"] is None
    first = report["entries"][0]
    assert (first["outcome"], first["paper_key"], first["location"]) == (
        "conflict",
        "borstnik2014sparse",
        "wrong_eprint.bib:5",
    )
    run = curator.get(f"/api/v1/ingest-runs/{report['run_id']}").json()
    assert run["outcomes"]["conflict"] == 3 and run["status"] == "finished"
    entries = curator.get(run["entries"], params={"per_page": 2}).json()
    assert [e["paper_key"] for e in entries["results"]] == ["borstnik2014sparse", "he2024deferred"]
    assert entries["meta"]["count"] == 3
    rest = curator.get(entries["meta"]["next"]).json()
    assert [e["paper_key"] for e in rest["results"]] == ["yu2024twinpilots"]
    assert rest["meta"]["next"] is None
    # Cursors are the list's own: a forged one, or another list's, is a 400.
    papers_cursor = curator.get("/api/v1/papers", params={"per_page": 1}).json()["meta"]
    for cursor in ("W3t9LCAxXQ", papers_cursor["next_cursor"]):
        refused = curator.get(run["entries"], params={"cursor": cursor})
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["problems"][0]["field"] == "cursor"
    assert curator.get("/api/v1/ingest-runs/999/entries").status_code == 404
    only = curator.get(run["entries"], params={"outcome": "added"}).json()
    assert only["results"] == []

    conflicts = curator.get("/api/v1/paper-conflicts").json()
    assert [(c["paper"], c["other"]) for c in conflicts] == [
        ("borstnik2014sparse", "kwon2023efficient"),
        ("he2024deferred", "kwon2023efficient"),
        ("yu2024twinpilots", "kwon2023efficient"),
    ]
    assert conflicts[0]["evidence"] == "arXiv id 2309.06180"
    assert conflicts[0]["fields"]["title"][0].startswith("Sparse Matrix Multiplication")
    decided = curator.post(
        f"/api/v1/paper-conflicts/{conflicts[0]['id']}/distinct", json={"note": "wrong eprint"}
    ).json()
    assert (decided["status"], decided["note"]) == ("distinct", "wrong eprint")
    assert len(curator.get("/api/v1/paper-conflicts").json()) == 2
    assert curator.get("/api/v1/paper-conflicts/999").status_code == 404
    assert curator.get("/api/v1/ingest-runs/999").status_code == 404


def test_graphql_reads_runs_entries_and_conflicts(
    curator: TestClient, empty_engine: sa.Engine
) -> None:
    ingest_arxiv(empty_engine, feed_file=FIXTURES / "arxiv" / "query_ids.xml")
    report = _ingest(curator, "wrong_eprint.bib")
    query = """query ($id: Int!) {
      ingestRun(id: $id) {
        kind locator status
        outcomes { outcome entries }
        entries(first: 2, outcome: [CONFLICT]) {
          totalCount
          nodes { position location outcome paperKey conflictId message }
        }
      }
      paperConflicts {
        evidence status
        paper { bibtexKey doi arxivId }
        other { bibtexKey arxivId }
        disagreements { field paperValue otherValue }
      }
      missing: ingestRun(id: 999) { id }
    }"""

    body = curator.post(
        "/graphql", json={"query": query, "variables": {"id": report["run_id"]}}
    ).json()

    assert "errors" not in body, body
    run = body["data"]["ingestRun"]
    assert (run["kind"], run["status"]) == ("bibtex", "finished")
    assert {"outcome": "CONFLICT", "entries": 3} in run["outcomes"]
    assert run["entries"]["totalCount"] == 3
    assert [n["paperKey"] for n in run["entries"]["nodes"]] == [
        "borstnik2014sparse",
        "he2024deferred",
    ]
    conflict = body["data"]["paperConflicts"][0]
    assert conflict["paper"] == {
        "bibtexKey": "borstnik2014sparse",
        "doi": "10.1016/j.parco.2014.03.012",
        "arxivId": None,
    }
    assert conflict["other"] == {"bibtexKey": "kwon2023efficient", "arxivId": "2309.06180"}
    title = next(d for d in conflict["disagreements"] if d["field"] == "title")
    assert title["paperValue"].startswith('"Sparse Matrix')
    assert body["data"]["missing"] is None


def test_a_large_ingest_answers_500_entries_and_pages_the_rest(curator: TestClient) -> None:
    text = "".join(
        f"@misc{{w{n}, title = {{Work number {n} on paged caches}}, year = {{2024}}}}\n"
        for n in range(503)
    )

    report = curator.post(
        "/api/v1/ingest/bibtex", params={"file_name": "big.bib"}, content=text.encode()
    ).json()

    assert report["added"] == 503 and len(report["entries"]) == 500
    rest = curator.get(report["entries_next"]).json()
    assert [e["entry_key"] for e in rest["results"]] == ["w500", "w501", "w502"]
    assert [e["position"] for e in rest["results"]] == [500, 501, 502]
