"""Two ingests of overlapping sets at the same time: no duplicates, nothing lost."""

import threading
from collections.abc import Callable

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

import models as m
from api.services.ingest import IngestReport, ingest_bibtex


def _entries(numbers: range) -> str:
    """Odd entries have a DOI (a unique column); even ones only title + author + year, which
    no constraint guards. Shared authors make both threads race for the same author rows."""
    return "\n".join(
        f"@article{{paper{n}, title = {{Concurrent Work Number {n}}},"
        f" author = {{Shared, Sam and Person{n % 7}, Pat}}, journal = {{J}}, year = {{2024}}"
        + (f", doi = {{10.9999/C.{n}}}" if n % 2 else "")
        + "}"
        for n in numbers
    )


def _run_together(*jobs: Callable[[], IngestReport]) -> list[IngestReport]:
    barrier = threading.Barrier(len(jobs))
    reports: list[IngestReport | BaseException] = [RuntimeError("did not run")] * len(jobs)

    def run(position: int) -> None:
        barrier.wait()
        try:
            reports[position] = jobs[position]()
        except BaseException as error:  # surfaced below, with the thread's own traceback
            reports[position] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for report in reports:
        if isinstance(report, BaseException):
            raise report
    return [r for r in reports if isinstance(r, IngestReport)]


def test_overlapping_ingests_at_the_same_time(empty_engine: sa.Engine) -> None:
    first, second = _entries(range(0, 60)), _entries(range(30, 90))

    reports = _run_together(
        lambda: ingest_bibtex(empty_engine, first, file_name="a.bib", batch_size=10),
        lambda: ingest_bibtex(empty_engine, second, file_name="b.bib", batch_size=10),
    )

    assert [r.failed for r in reports] == [0, 0]
    # Each of the 30 shared entries was added by exactly one of the two runs.
    assert sum(r.added for r in reports) == 90
    assert sum(r.unchanged for r in reports) == 30
    with Session(empty_engine) as session:
        assert session.exec(select(func.count()).select_from(m.Paper)).one() == 90
        titles = session.exec(select(m.Paper.title)).all()
        assert len(set(titles)) == 90
        assert session.exec(select(func.count()).select_from(m.Author)).one() == 1 + 7
        per_paper = session.exec(
            select(m.PaperAuthor.paper_id, func.count())
            .group_by(col(m.PaperAuthor.paper_id))
            .having(func.count() != 2)
        ).all()
        assert per_paper == []
