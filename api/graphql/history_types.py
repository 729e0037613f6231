"""GraphQL types of the change feed (`Query.changes`)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import strawberry

import models as m
from api.db import as_utc
from api.services.changes import FactChangeEntry


@strawberry.type(description="One column of a changed fact.")
class FactColumn:
    column: str = strawberry.field(description="The column, e.g. `status`.")
    value: str = strawberry.field(description='Its value as JSON text (`"supported"`, `45100`).')
    previous: str | None = strawberry.field(
        description="Its value before the change as JSON text; null when it did not change."
    )


@strawberry.type(description="A survey fact added, changed or retired.")
class FactChange:
    number: int = strawberry.field(description="The change's number, in commit order.")
    action: str = strawberry.field(description="`added`, `changed` or `retired`.")
    table: str = strawberry.field(description="The fact's table, e.g. `feature_support`.")
    row_id: int = strawberry.field(description="The fact's row id in its table.")
    source: str | None = strawberry.field(
        description="The fact's source (slug); null for entity rows (engines, techniques, …)."
    )
    source_version: str = strawberry.field(description="The source version of the change.")
    released_on: date = strawberry.field(description="That version's date.")
    changed_at: datetime = strawberry.field(description="When the change was written.")
    columns: list[FactColumn] = strawberry.field(
        description="The fact's values after the change (before it, if retired)."
    )


@strawberry.type(description="A version of the survey the graph has held (what `asOf` names).")
class SourceVersion:
    name: str = strawberry.field(description="The version's name, e.g. `2025-12-02`.")
    released_on: date = strawberry.field(description="The document's date.")
    synced_at: datetime = strawberry.field(description="When the graph took it in.")
    file: str | None = strawberry.field(description="The file synced (none for the seed).")
    digest: str | None = strawberry.field(description="SHA-256 of that file, hex.")


def source_version(row: m.SourceVersion) -> SourceVersion:
    return SourceVersion(
        name=row.name,
        released_on=row.released_on,
        synced_at=as_utc(row.synced_at),
        file=row.file,
        digest=row.digest,
    )


def fact_change(entry: FactChangeEntry) -> FactChange:
    return FactChange(
        number=entry.id,
        action=entry.action,
        table=entry.table,
        row_id=entry.row_id,
        source=entry.source,
        source_version=entry.source_version,
        released_on=entry.released_on,
        changed_at=entry.changed_at,
        columns=[
            FactColumn(
                column=name,
                value=_json(value),
                previous=_json(entry.changed[name][0]) if name in entry.changed else None,
            )
            for name, value in entry.values.items()
        ],
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
