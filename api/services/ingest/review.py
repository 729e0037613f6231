"""Reading ingest runs back (each entry's outcome) and reviewing the paper conflicts they found.

One function per question, for the CLI, REST and GraphQL alike.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.db import as_utc, session_scope
from api.errors import InvalidInputError, NotFoundError, Problem
from api.services.pagination import FIRST_PAGE, Page, PageRequest, SortKey, keyset_page
from models.ingest import ConflictStatus, EntryOutcome


def get_run(session: Session, run_id: int) -> m.IngestRun:
    run = session.get(m.IngestRun, run_id)
    if run is None:
        raise NotFoundError(
            f"no ingest run with id {run_id}", [Problem("not found", field="id", value=run_id)]
        )
    return run


def list_runs(session: Session, limit: int = 100) -> list[m.IngestRun]:
    """The newest runs first."""
    statement = select(m.IngestRun).order_by(col(m.IngestRun.id).desc()).limit(limit)
    return list(session.exec(statement))


def run_outcomes(session: Session, run_id: int) -> dict[str, int]:
    """How many of the run's entries came to each outcome (every outcome named, 0 or more)."""
    counted: dict[Any, int] = {
        outcome: number
        for outcome, number in session.execute(
            sa.select(col(m.IngestEntry.outcome), sa.func.count())
            .where(col(m.IngestEntry.run_id) == run_id)
            .group_by(col(m.IngestEntry.outcome))
        ).all()
    }
    return {outcome.value: int(counted.get(outcome, 0)) for outcome in EntryOutcome}


ENTRY_KEYS = [SortKey(col(m.IngestEntry.position)), SortKey(col(m.IngestEntry.id))]
"""A run's entries in input order: their cursors' grammar."""


def run_entries(
    session: Session,
    run_id: int,
    outcomes: Sequence[EntryOutcome] = (),
    page: PageRequest = FIRST_PAGE,
    after_position: int | None = None,
) -> Page[m.IngestEntry]:
    """A run's entries in input order, optionally only those of some outcomes, or only those
    after a position (where an ingest's own answer stopped). The cursor is checked before
    the run: a forged one is refused whatever run it names."""
    statement = select(m.IngestEntry).where(m.IngestEntry.run_id == run_id)
    if after_position is not None:
        statement = statement.where(col(m.IngestEntry.position) > after_position)
    if outcomes:
        statement = statement.where(col(m.IngestEntry.outcome).in_(list(outcomes)))
    found = keyset_page(session, statement, ENTRY_KEYS, page, lambda e: [e.position, e.id])
    if not found.items:
        get_run(session, run_id)
    return found


@dataclass(frozen=True)
class ConflictView:
    id: int
    paper_key: str
    paper_title: str | None
    other_key: str
    other_title: str | None
    evidence: str
    fields: dict[str, Any]
    location: str | None
    run_id: int | None
    status: ConflictStatus
    note: str | None
    created_at: datetime
    decided_at: datetime | None

    def described(self) -> str:
        disagreeing = ", ".join(self.fields) or "nothing"
        return (
            f"#{self.id} {self.status.value}: {self.paper_key} / {self.other_key} share "
            f"{self.evidence}; they differ in {disagreeing}"
        )


def list_conflicts(
    session: Session, status: ConflictStatus | None = ConflictStatus.OPEN, limit: int = 100
) -> list[ConflictView]:
    """Conflicts of one status (None: all), oldest first."""
    return _conflicts(session, status=status, limit=limit)


def get_conflict(session: Session, conflict_id: int) -> ConflictView:
    found = _conflicts(session, conflict_id=conflict_id)
    if not found:
        raise NotFoundError(
            f"no paper conflict with id {conflict_id}",
            [Problem("not found", field="id", value=conflict_id)],
        )
    return found[0]


def _conflicts(
    session: Session,
    *,
    status: ConflictStatus | None = None,
    conflict_id: int | None = None,
    limit: int | None = None,
) -> list[ConflictView]:
    paper = sa.orm.aliased(m.Paper)
    other = sa.orm.aliased(m.Paper)
    statement = (
        sa.select(
            m.PaperConflict,
            col(paper.bibtex_key),
            col(paper.title),
            col(other.bibtex_key),
            col(other.title),
        )
        .join(paper, col(paper.id) == m.PaperConflict.paper_id)
        .join(other, col(other.id) == m.PaperConflict.other_paper_id)
        .order_by(col(m.PaperConflict.id))
    )
    if status is not None:
        statement = statement.where(col(m.PaperConflict.status) == status)
    if conflict_id is not None:
        statement = statement.where(col(m.PaperConflict.id) == conflict_id)
    if limit is not None:
        statement = statement.limit(limit)
    return [
        ConflictView(
            id=int(conflict.id or 0),
            paper_key=key,
            paper_title=title,
            other_key=other_key,
            other_title=other_title,
            evidence=conflict.evidence,
            fields=dict(conflict.fields),
            location=conflict.location,
            run_id=conflict.run_id,
            status=conflict.status,
            note=conflict.note,
            created_at=as_utc(conflict.created_at),
            decided_at=as_utc(conflict.decided_at) if conflict.decided_at else None,
        )
        for conflict, key, title, other_key, other_title in session.execute(statement).all()
    ]


def mark_distinct(engine: sa.Engine, conflict_id: int, note: str | None = None) -> ConflictView:
    """A curator says the two papers are indeed different: the conflict is closed."""
    if note is not None and "\x00" in note:
        raise InvalidInputError("the note contains a NUL character", [Problem("NUL", field="note")])
    with session_scope(engine) as session:
        conflict = session.get(m.PaperConflict, conflict_id, with_for_update=True)
        if conflict is None:
            raise NotFoundError(
                f"no paper conflict with id {conflict_id}",
                [Problem("not found", field="id", value=conflict_id)],
            )
        conflict.status = ConflictStatus.DISTINCT
        conflict.note = note
        conflict.decided_at = datetime.now(UTC)
        session.add(conflict)
        session.flush()
        return get_conflict(session, conflict_id)
