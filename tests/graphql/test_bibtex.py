"""`Paper.bibtex` is the entry the BibTeX export writes for that paper, raw fields or not."""

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

import models as m
from api.app import create_app
from api.config import Settings
from api.services.exports import bibtex_stream
from api.services.ingest import ingest_arxiv
from tests.graphql.conftest import run
from tests.ingest.helpers import ARXIV_FIXTURES

QUERY = """
query ($id: String!) {
  paper(arxivId: $id) { title bibtex authors { nodes { family given } } }
}
"""


def test_a_paper_ingested_without_raw_fields_has_bibtex_built_from_its_columns(
    empty_engine: sa.Engine,
) -> None:
    ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "query_ids.xml")
    # Today's ingests keep the fields they derive; rows written before that, or by other
    # tools, have only their columns.
    with Session(empty_engine) as session:
        paper = session.exec(select(m.Paper).where(col(m.Paper.arxiv_id) == "2309.06180")).one()
        paper.bibtex_fields = {}
        session.add(paper)
        session.commit()
        assert paper.id is not None
        exported = "".join(bibtex_stream(session, [paper.id]))
    app = create_app(Settings(database_url=empty_engine.url.render_as_string(False)))
    with TestClient(app) as client:
        found = run(client, QUERY, {"id": "2309.06180"})["paper"]

    entry = found["bibtex"]
    assert entry == exported
    assert "Efficient Memory Management for Large Language Model Serving" in entry
    authors = [(a["family"], a["given"]) for a in found["authors"]["nodes"]]
    assert authors[:2] == [("Kwon", "Woosuk"), ("Li", "Zhuohan")]
    assert "author = {Kwon, Woosuk and Li, Zhuohan and" in entry
    assert "eprint = {2309.06180}" in entry


def test_a_survey_paper_keeps_its_raw_fields(client: TestClient, session: Session) -> None:
    exported = "".join(
        bibtex_stream(session, select(m.Paper.id).where(m.Paper.bibtex_key == "kwon2023efficient"))
    )
    found = run(client, '{ paper(bibtexKey: "kwon2023efficient") { bibtex } }')["paper"]
    assert found["bibtex"] == exported
    assert "{PagedAttention}" in exported
