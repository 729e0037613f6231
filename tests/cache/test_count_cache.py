"""Counts of paged lists are kept per data version: reused until a write, then counted anew."""

import sqlalchemy as sa
from sqlmodel import Session, select

import models as m
from api.services.count_cache import cached_count
from api.services.ingest import ingest_bibtex
from api.services.literature import PaperFilter, list_papers
from api.services.pagination import PageRequest
from tests.cache.conftest import Served, bibtex_entry

SAMPLING = PaperFilter(category="sampling-optimization")


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

    # Not cited by a technique of the category: the count is read again and stays the same,
    # while a filter the new paper passes sees it at once.
    assert _count(served, SAMPLING) == first
    assert len(counted) == 2
    assert _count(served, PaperFilter(year_from=2025, author="Cache")) == 1
    assert len(counted) == 3


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
        totals = [
            cached_count(session, tokens, lambda: session.execute(_count_of(tokens)).scalar_one())
            for _ in range(2)
        ]

    assert totals[0] == totals[1] >= 1  # the fixture's own token
    assert len(counted) == 2


def _count_of(statement: sa.Select[m.ApiToken]) -> sa.Select[int]:
    return sa.select(sa.func.count()).select_from(statement.subquery())
