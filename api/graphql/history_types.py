"""GraphQL types of the change feed (`Query.changes`)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import strawberry

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
