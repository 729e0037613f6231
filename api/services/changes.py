"""The change feed: survey facts added, changed and retired, in the order they were written.

The history triggers (`api/history_schema.py`) append one `fact_change` row per write of a
survey fact, so the feed is that table read in id order; a cursor names the last change
seen and resumes after it. On PostgreSQL the triggers take one transaction-level lock
before numbering a change, so changes are numbered in commit order and a reader resuming
from a cursor never skips a change committed after it read.

REST (JSON and Atom) and GraphQL read the same function, `fact_changes`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.db import as_utc
from api.services.pagination import Page, PageRequest, SortKey, keyset_page


@dataclass(frozen=True)
class FactChangeEntry:
    """One change of one survey fact."""

    id: int
    action: str
    """`added`, `changed` or `retired`."""
    table: str
    row_id: int
    source: str | None
    """Slug of the fact's source (`survey-optimization-matrix`); entity rows (engines,
    techniques, …) have none of their own: null."""
    source_version: str
    released_on: date
    changed_at: datetime
    values: dict[str, Any]
    """The fact's values after the change (before it, for a retired fact)."""
    changed: dict[str, tuple[Any, Any]]
    """For a changed fact: each column that changed, old value and new."""

    @property
    def title(self) -> str:
        key = self.values.get("slug") or self.values.get("name") or f"#{self.row_id}"
        return f"{self.action} {self.table} {key}"


FEED_ORDER = (SortKey(col(m.FactChange.id)),)
"""The feed's one order: the order changes were numbered in, which is their commit order."""


def fact_changes(session: Session, page: PageRequest) -> Page[FactChangeEntry]:
    """A page of the change feed, oldest first, after the cursor `page.after`."""
    found = keyset_page(session, select(m.FactChange), FEED_ORDER, page, lambda change: [change.id])
    return Page(
        _entries(session, found.items),
        found.cursor_at,
        found.has_next,
        found.has_previous,
        found.count,
        found.matching,
    )


def _entries(session: Session, rows: list[m.FactChange]) -> list[FactChangeEntry]:
    version_ids = {row.source_version_id for row in rows}
    source_ids = {row.source_id for row in rows if row.source_id is not None}
    versions = {
        version.id: version
        for version in session.exec(
            select(m.SourceVersion).where(col(m.SourceVersion.id).in_(version_ids))
        )
    }
    sources = {
        source.id: source.slug
        for source in session.exec(select(m.Source).where(col(m.Source.id).in_(source_ids)))
    }
    entries = []
    for row in rows:
        assert row.id is not None
        version = versions[row.source_version_id]
        old, new = _typed(row.table_name, row.old), _typed(row.table_name, row.new)
        entries.append(
            FactChangeEntry(
                id=row.id,
                action=row.action.value,
                table=row.table_name,
                row_id=row.row_id,
                source=sources.get(row.source_id) if row.source_id is not None else None,
                source_version=version.name,
                released_on=version.released_on,
                changed_at=as_utc(row.changed_at),
                values=dict(new or old),
                changed=_differences(old, new) if old and new else {},
            )
        )
    return entries


def _typed(table: str, values: Mapping[str, Any] | None) -> dict[str, Any]:
    """SQLite's JSON writes booleans as 0 and 1; PostgreSQL's as true and false. Both read
    back as booleans, so the feed says the same on either."""
    if not values:
        return {}
    columns = m.metadata.tables[table].columns if table in m.metadata.tables else None
    typed = dict(values)
    for name, value in values.items():
        if (
            columns is not None
            and name in columns
            and isinstance(columns[name].type, sa.Boolean)
            and isinstance(value, int)
        ):
            typed[name] = bool(value)
    return typed


def _differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {name: (old.get(name), value) for name, value in new.items() if old.get(name) != value}
