"""Every cell of every survey table, regenerated from the database, equals the survey's.

Twice: on the seeded graph, and as of the seed's version (2025-12-02) on a graph that has
since synced a newer README, which must still give the 2025-12-02 tables cell for cell.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from api.services.history import session_as_of
from api.services.survey_tables import render_table, table_names

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "survey_tables.md"
LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def parse_markdown_tables(text: str) -> dict[str, list[list[str]]]:
    """`## name` headings, each followed by a Markdown table: name → rows of cells."""
    tables: dict[str, list[list[str]]] = {}
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            tables[current] = []
        elif line.startswith("|") and current is not None:
            cells = [_normalize(cell) for cell in line.strip().strip("|").split("|")]
            if not all(set(cell) <= set("-: ") for cell in cells):
                tables[current].append(cells)
    return tables


def parse_markdown_table(text: str) -> list[list[str]]:
    return parse_markdown_tables("## t\n" + text)["t"]


def _normalize(cell: str) -> str:
    return " ".join(cell.split())


def links(cell: str) -> list[tuple[str, str]]:
    return [(_normalize(label), url) for label, url in LINK.findall(cell)]


SURVEY = parse_markdown_tables(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(params=["seeded", "as-of-2025-12-02-after-a-sync"])
def survey_session(request: pytest.FixtureRequest, backend: str) -> Iterator[Session]:
    """`backend` is named so that both databases are run; the rest is built when needed."""
    if request.param == "seeded":
        yield request.getfixturevalue("session")
        return
    synced: sa.Engine = request.getfixturevalue("synced_engine")
    with session_as_of(synced, "2025-12-02") as past:
        yield past


def test_every_survey_table_can_be_regenerated(survey_session: Session) -> None:
    assert table_names(survey_session) == list(SURVEY)


@pytest.mark.parametrize("name", [n for n in SURVEY if not n.startswith("techniques-")])
def test_table_matches_the_survey_cell_for_cell(survey_session: Session, name: str) -> None:
    expected = SURVEY[name]
    actual = parse_markdown_table(render_table(survey_session, name).to_markdown())
    assert len(actual) == len(expected)
    for row_index, (got, want) in enumerate(zip(actual, expected, strict=True)):
        assert got == want, f"{name} row {row_index}"


@pytest.mark.parametrize("name", [n for n in SURVEY if n.startswith("techniques-")])
def test_technique_table_matches_names_and_references(survey_session: Session, name: str) -> None:
    """Technique names and every reference (label, link, order) match the survey.

    The Description column is InferGraph's own wording by design, so it is only required
    to be present and different from the survey's sentence.
    """
    expected = SURVEY[name]
    actual = parse_markdown_table(render_table(survey_session, name).to_markdown())
    assert actual[0] == ["Technique", "Description", "References"]
    assert len(actual) == len(expected)
    for got, want in zip(actual[1:], expected[1:], strict=True):
        assert got[0] == want[0]
        assert links(got[2]) == links(want[2])
        assert got[1] and got[1] != want[1]
