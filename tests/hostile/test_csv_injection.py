"""Text a spreadsheet would run as a formula is neutralised in every CSV we write (OWASP's
CSV-injection rule): the list downloads and the survey tables."""

import csv
import io

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

import models as m
from api.app import create_app
from api.config import Settings
from api.services import survey_tables
from api.services.exports.csv_writer import neutralised
from models.base import SourceKind

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\ry"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_prefixes_get_a_quote(text: str) -> None:
    assert neutralised(text) == "'" + text


@pytest.mark.parametrize("text", ["-", "-4.99", "12", "plain", "a=b", "", "'=already"])
def test_other_text_stays(text: str) -> None:
    assert neutralised(text) == text


def test_paper_titles_in_the_csv_download_are_neutralised(empty_engine: sa.Engine) -> None:
    with Session(empty_engine) as session:
        source = m.Source(slug="hostile", title="hostile", kind=SourceKind.BIBTEX)
        session.add(source)
        session.flush()
        assert source.id is not None
        for index, title in enumerate(FORMULAS):
            session.add(
                m.Paper(bibtex_key=f"k{index}", entry_type="misc", title=title, source_id=source.id)
            )
        session.commit()
    app = create_app(Settings(database_url=empty_engine.url.render_as_string(False)))
    with TestClient(app) as client:
        response = client.get("/api/v1/papers", params={"format": "csv", "sort": "key"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert [row["title"] for row in rows] == ["'" + title for title in FORMULAS]


def test_survey_table_cells_are_neutralised(session: Session) -> None:
    overview = session.exec(select(m.Source).where(m.Source.slug == "survey-overview")).one()
    entry = session.exec(
        select(m.LayoutEntry).where(
            m.LayoutEntry.source_id == overview.id, m.LayoutEntry.label == "vLLM"
        )
    ).one()
    entry.label = '=HYPERLINK("http://evil.example","vLLM")'
    session.flush()
    table = survey_tables.render_table(session, "overview")
    rows = list(csv.reader(io.StringIO(table.to_csv(), newline="")))
    cells = [cell for row in rows for cell in row]
    assert "'" + entry.label in cells
    assert entry.label not in cells
    assert rows == [[neutralised(cell) for cell in row] for row in [table.headers, *table.rows]]
