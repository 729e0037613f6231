"""Idempotent writes: make a table hold exactly the desired rows, touching only differences."""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

Model = TypeVar("Model", bound=SQLModel)
Key = tuple[Hashable, ...]


@dataclass
class SyncReport:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.inserted + self.updated + self.deleted

    def __iadd__(self, other: "SyncReport") -> "SyncReport":
        self.inserted += other.inserted
        self.updated += other.updated
        self.deleted += other.deleted
        self.unchanged += other.unchanged
        return self


def sync_rows(
    session: Session,
    model: type[Model],
    key: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    scope: sa.ColumnElement[bool] | None = None,
) -> tuple[dict[Key, Model], SyncReport]:
    """Insert missing rows, update changed ones, and leave equal ones alone.

    `key` names the natural key columns. With `scope`, rows matching it that are not
    desired are deleted: a source owns its facts, so re-seeding removes what it no
    longer states without touching facts from other sources.
    Returns the rows by key (flushed, so new rows have ids) and what changed.
    """
    statement = select(model) if scope is None else select(model).where(scope)
    existing: dict[Key, Model] = {
        tuple(getattr(row, column) for column in key): row for row in session.exec(statement)
    }
    report = SyncReport()
    result: dict[Key, Model] = {}
    for values in rows:
        row_key = tuple(values[column] for column in key)
        if row_key in result:
            raise ValueError(f"{model.__name__}: the key {row_key} is given twice")
        current = existing.pop(row_key, None)
        if current is None:
            current = model(**values)
            session.add(current)
            report.inserted += 1
        elif _apply_changes(current, values):
            report.updated += 1
        else:
            report.unchanged += 1
        result[row_key] = current
    if scope is not None:
        for stale in existing.values():
            session.delete(stale)
            report.deleted += 1
    session.flush()
    return result, report


def _apply_changes(row: SQLModel, values: Mapping[str, Any]) -> bool:
    changed = False
    for column, value in values.items():
        if getattr(row, column) != value:
            setattr(row, column, value)
            changed = True
    return changed
