"""Counts of paged lists are kept per data version: reused until a write, then counted anew."""

import sqlalchemy as sa
from sqlmodel import Session, select

import models as m
from api.services.count_cache import count_rows
from api.services.ingest import ingest_bibtex
from api.services.literature import PaperFilter, list_papers
from api.services.pagination import PageRequest
from tests.cache.conftest import Served, bibtex_entry, data_version

SAMPLING = PaperFilter(category="sampling-optimization")
SAMPLING_SINCE_1900 = PaperFilter(category="sampling-optimization", year_from=1900)


def _count_statements(engine: sa.Engine) -> list[str]:
    seen: list[str] = []

    def note(*args: object) -> None:
        statement = str(args[2])
        # The count of a list's rows; not the bounded look at citations a filter takes.
        if statement.lstrip().startswith("SELECT count(*)") and "LIMIT" not in statement:
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", note)
    return seen


def _count(served: Served, paper_filter: PaperFilter) -> int:
    with Session(served.engine) as session:
        return list_papers(session, paper_filter, page=PageRequest(first=1)).count()


def test_a_count_is_read_once_per_version_and_again_after_a_write(served: Served) -> None:
    counted = _count_statements(served.engine)
    first = _count(served, SAMPLING)
    assert len(counted) == 1

    assert _count(served, SAMPLING) == first
    assert _count(served, PaperFilter(category="sampling-optimization")) == first
    assert len(counted) == 1  # the same question at the same version: not counted again

    title = "Speculative Decoding for Counting Caches"
    ingest_bibtex(served.other, bibtex_entry("countcache2025", title), file_name="count.bib")
    with Session(served.engine) as session:
        added = session.exec(select(m.Paper).where(m.Paper.bibtex_key == "countcache2025")).one()
    assert added.title == title

    # Not cited by a technique of the category: the category's papers (`category_paper`, all
    # its count reads) were not written, so the count stands; a count that reads `paper` is
    # read again and stays the same; a filter the new paper passes sees it at once.
    assert _count(served, SAMPLING) == first
    assert len(counted) == 1
    assert _count(served, SAMPLING_SINCE_1900) == first
    assert len(counted) == 2
    assert _count(served, PaperFilter(year_from=2025, author="Cache")) == 1
    assert len(counted) == 3

    # Cited by one of the category's techniques: its papers changed, counted again.
    with served.other.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO technique_citation (technique_id, paper_id, position, label, url,"
                " source_id) SELECT t.id, :paper, 9000, 'x', 'https://example.org', :source"
                " FROM technique t JOIN technique_category c ON c.id = t.category_id"
                " WHERE c.slug = 'sampling-optimization' ORDER BY t.id LIMIT 1"
            ),
            {"paper": added.id, "source": added.source_id},
        )
    assert _count(served, SAMPLING) == first + 1
    assert len(counted) == 4


def test_different_filters_are_counted_apart(served: Served) -> None:
    counted = _count_statements(served.engine)
    everything = _count(served, PaperFilter())
    recent = _count(served, PaperFilter(year_from=2024))
    assert len(counted) == 2
    assert 0 < recent < everything


def test_counts_over_tables_outside_the_data_version_are_never_kept(served: Served) -> None:
    counted = _count_statements(served.engine)
    tokens = sa.select(m.ApiToken)

    with Session(served.engine) as session:
        totals = [count_rows(session, tokens) for _ in range(2)]

    assert totals[0] == totals[1] >= 1  # the fixture's own token
    assert len(counted) == 2


def test_a_count_inside_a_transaction_that_wrote_is_never_kept(served: Served) -> None:
    recent = PaperFilter(year_from=2031)
    assert _count(served, recent) == 0
    with Session(served.engine) as session:
        source = session.exec(select(m.Source.id)).first()
        assert source is not None
        session.add(
            m.Paper(bibtex_key="uncommitted2031", entry_type="article", year=2031, source_id=source)
        )
        session.flush()
        inside = list_papers(session, recent, page=PageRequest(first=1)).count()
        session.rollback()
    assert inside == 1  # the transaction sees its own paper

    # PostgreSQL bumps at commit: the version read inside was the committed one.
    assert _count(served, recent) == 0
    # SQLite bumps per row: the version read inside was the one this committed write of
    # one row now takes.
    before = data_version(served.engine)
    with served.other.begin() as connection:
        connection.execute(sa.text("UPDATE engine SET name = name WHERE slug = 'vllm'"))
    assert data_version(served.engine) == before + 1
    assert _count(served, recent) == 0


def test_a_write_to_other_tables_leaves_a_count_valid(served: Served) -> None:
    counted = _count_statements(served.engine)
    first = _count(served, SAMPLING_SINCE_1900)
    assert len(counted) == 1
    before = data_version(served.engine)
    with served.other.begin() as connection:  # engines and runs: tables no paper count reads
        connection.execute(sa.text("UPDATE engine SET name = name WHERE slug = 'vllm'"))
    assert data_version(served.engine) > before
    assert _count(served, SAMPLING_SINCE_1900) == first
    assert len(counted) == 1  # still valid: nothing it reads was written
    with served.other.begin() as connection:  # a table it reads: counted again, and right
        connection.execute(
            sa.text(
                "DELETE FROM technique_citation WHERE id = (SELECT min(id)"
                " FROM technique_citation WHERE paper_id IN"
                " (SELECT paper_id FROM technique_citation tc JOIN technique t"
                " ON t.id = tc.technique_id))"
            )
        )
    recount = _count(served, SAMPLING_SINCE_1900)
    assert len(counted) == 2
    with Session(served.engine) as session:
        exact = list_papers(session, SAMPLING_SINCE_1900, page=PageRequest(first=1)).count()
    assert recount == exact


def test_a_database_from_before_the_versions_per_table_is_counted_by_the_counter(
    blank_engine: sa.Engine,
) -> None:
    from api.db import upgrade_database

    upgrade_database(blank_engine, "b6d1f4a8c2e7")  # the revision before data_version_table
    papers = sa.select(m.Paper.__table__)  # type: ignore[attr-defined]
    with Session(blank_engine) as session:
        assert count_rows(session, papers) == 0
    with Session(blank_engine) as session:  # and again, now from the cache, keyed the old way
        assert count_rows(session, papers) == 0
