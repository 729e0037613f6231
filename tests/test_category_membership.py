"""`category_paper` is kept equal to the citations by the database, whatever writes them.

After each kind of write the kept rows must equal the ones computed afresh from
`technique_citation` and `technique`, and every category filter's count (read from the kept
rows, `api/services/literature.py`) must equal a fresh COUNT(DISTINCT) over its subtree's
citations.
"""

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from api.db import upgrade_database
from api.history_schema import AS_OF_INFO
from api.services.exports import dump_graph, restore_graph
from api.services.history import session_as_of
from api.services.ingest import ingest_bibtex
from api.services.literature import PaperFilter, list_papers
from api.services.pagination import Page, PageRequest
from api.services.paper_merges import merge_papers, undo_merge
from api.services.techniques import category_subtree_ids
from tests.cache.conftest import bibtex_entry
from tests.databases import fresh_database

_KEPT = "SELECT category_id, paper_id, citations FROM category_paper"
_FRESH = (
    "SELECT t.category_id, c.paper_id, count(*) FROM technique_citation c"
    " JOIN technique t ON t.id = c.technique_id GROUP BY t.category_id, c.paper_id"
)
_CITED_IN = (
    "SELECT count(DISTINCT c.paper_id) FROM technique_citation c"
    " JOIN technique t ON t.id = c.technique_id WHERE t.category_id IN :ids"
)


@pytest.fixture(scope="module")
def engine(module_seeded_copy: sa.Engine) -> sa.Engine:
    return module_seeded_copy


def _rows(engine: sa.Engine, sql: str) -> set[tuple[int, int, int]]:
    with engine.connect() as connection:
        return {(int(a), int(b), int(c)) for a, b, c in connection.execute(sa.text(sql))}


def _assert_kept(engine: sa.Engine) -> None:
    kept = _rows(engine, _KEPT)
    assert kept == _rows(engine, _FRESH)
    assert kept  # the seeded survey cites papers: an empty table would pass by accident
    with Session(engine) as session:
        for slug, page, fresh in _category_pages(session):
            assert (slug, page.count()) == (slug, fresh)


def _category_pages(session: Session) -> Iterator[tuple[str, Page[Any], int]]:
    """Each category's first page of papers, with the count of its papers read straight
    from the citations the session sees."""
    for slug in session.execute(sa.text("SELECT slug FROM technique_category")).scalars().all():
        ids = category_subtree_ids(session, slug)
        cited = session.execute(
            sa.text(_CITED_IN).bindparams(sa.bindparam("ids", expanding=True)), {"ids": ids}
        ).scalar_one()
        yield (
            slug,
            list_papers(session, PaperFilter(category=slug), page=PageRequest(first=1)),
            cited,
        )


def _scalar(engine: sa.Engine, sql: str, **values: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text(sql), values).scalar_one())


def _execute(engine: sa.Engine, sql: str, **values: object) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text(sql), values)


def _uncited_paper(engine: sa.Engine) -> int:
    return _scalar(
        engine,
        "SELECT min(id) FROM paper WHERE id NOT IN (SELECT paper_id FROM technique_citation)",
    )


def _technique_with_citations(engine: sa.Engine, nth: int = 0) -> int:
    return _scalar(
        engine,
        "SELECT technique_id FROM technique_citation GROUP BY technique_id"
        " ORDER BY count(*) DESC, technique_id LIMIT 1 OFFSET :nth",
        nth=nth,
    )


def test_the_migration_fills_the_table_from_the_citations(engine: sa.Engine) -> None:
    _assert_kept(engine)


def test_inserting_and_deleting_citations(engine: sa.Engine) -> None:
    technique = _technique_with_citations(engine)
    paper = _uncited_paper(engine)
    source = _scalar(engine, "SELECT min(id) FROM source")
    insert = (
        "INSERT INTO technique_citation (technique_id, paper_id, position, label, url, source_id)"
        " VALUES (:technique, :paper, :position, 'x', 'https://example.org', :source)"
    )
    # Twice by the same technique: one row, two citations behind it.
    for position in (9000, 9001):
        _execute(engine, insert, technique=technique, paper=paper, position=position, source=source)
    _assert_kept(engine)
    assert _scalar(engine, "SELECT citations FROM category_paper WHERE paper_id = :p", p=paper) == 2
    _execute(engine, "DELETE FROM technique_citation WHERE position = 9000")
    _assert_kept(engine)
    _execute(engine, "DELETE FROM technique_citation WHERE position = 9001")
    _assert_kept(engine)
    assert _scalar(engine, "SELECT count(*) FROM category_paper WHERE paper_id = :p", p=paper) == 0


def test_repointing_a_citation(engine: sa.Engine) -> None:
    citation = _scalar(engine, "SELECT min(id) FROM technique_citation")
    paper = _uncited_paper(engine)
    repoint = "UPDATE technique_citation SET paper_id = :p WHERE id = :c"
    _execute(engine, repoint, p=paper, c=citation)
    _assert_kept(engine)
    # To a technique of another category (a position of its own, which the key wants).
    other = _scalar(
        engine,
        "SELECT min(t.id) FROM technique t WHERE t.category_id <> (SELECT o.category_id"
        " FROM technique o JOIN technique_citation c ON c.technique_id = o.id WHERE c.id = :c)",
        c=citation,
    )
    _execute(
        engine,
        "UPDATE technique_citation SET technique_id = :t, position = 8000 WHERE id = :c",
        t=other,
        c=citation,
    )
    _assert_kept(engine)


def test_moving_a_technique_to_another_category(engine: sa.Engine) -> None:
    technique = _technique_with_citations(engine)
    home = _scalar(engine, "SELECT category_id FROM technique WHERE id = :t", t=technique)
    elsewhere = _scalar(engine, "SELECT min(id) FROM technique_category WHERE id <> :c", c=home)
    move = "UPDATE technique SET category_id = :c WHERE id = :t"
    _execute(engine, move, c=elsewhere, t=technique)
    _assert_kept(engine)
    _execute(engine, move, c=home, t=technique)
    _assert_kept(engine)


def test_deleting_a_technique_with_its_citations(engine: sa.Engine) -> None:
    technique = _technique_with_citations(engine, nth=5)
    # Its citations go with it: the foreign key cascades, the trigger deletes them first.
    _execute(engine, "DELETE FROM technique WHERE id = :t", t=technique)
    left = "SELECT count(*) FROM technique_citation WHERE technique_id = :t"
    assert _scalar(engine, left, t=technique) == 0
    _assert_kept(engine)


def test_merging_and_undoing_papers(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        # Two papers cited by techniques of different categories: the merge re-points the
        # absorbed one's citations, the undo points them back.
        survivor, absorbed = connection.execute(
            sa.text(
                "SELECT p.bibtex_key FROM paper p JOIN technique_citation c ON c.paper_id = p.id"
                " GROUP BY p.bibtex_key ORDER BY count(*) DESC, p.bibtex_key LIMIT 2"
            )
        ).scalars()
    merge = merge_papers(engine, survivor, absorbed)
    _assert_kept(engine)
    undo_merge(engine, merge.id)
    _assert_kept(engine)


def test_a_bulk_ingest_keeps_the_table(engine: sa.Engine) -> None:
    # The bulk writer sets the data-version triggers aside while it writes; never these.
    text = "\n".join(bibtex_entry(f"membership{n}2025", f"Membership {n}") for n in range(30))
    report = ingest_bibtex(engine, text, file_name="membership.bib", techniques=["gptq"])
    assert report.added == 30
    _assert_kept(engine)


def test_a_restored_dump_rebuilds_the_table(
    engine: sa.Engine, backend: str, tmp_path: Path
) -> None:
    dump = io.StringIO()
    dump_graph(engine, dump)
    with fresh_database(backend, tmp_path) as restored:
        upgrade_database(restored)
        dump.seek(0)
        restore_graph(restored, dump)
        _assert_kept(restored)
        assert len(_rows(restored, _KEPT)) == len(_rows(engine, _KEPT))


def test_a_survey_sync_keeps_the_table(synced_engine: sa.Engine) -> None:
    _assert_kept(synced_engine)


def test_an_as_of_session_counts_past_citations_not_the_kept_rows(
    synced_engine: sa.Engine,
) -> None:
    # `category_paper` holds the present; a session reading an earlier version filters by
    # the citations of that version (the history's temporary views stand in for the table).
    with session_as_of(synced_engine, "2025-12-02") as session:
        assert session.info.get(AS_OF_INFO) is not None
        for slug, page, past in _category_pages(session):
            assert (slug, page.count()) == (slug, past)
            assert "category_paper" not in str(page.matching)
