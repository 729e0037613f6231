"""Multi-row inserts for the ingest writer, cheap enough for 100,000 rows a run.

On SQLite, SQLAlchemy's executemany spends more time building each row's parameters than
SQLite spends inserting it. There, rows go to the driver as plain tuples, each value passed
through its column type's own bind processor first (the conversion SQLAlchemy would apply),
so what is stored is the same. PostgreSQL keeps SQLAlchemy's batched "insertmanyvalues".
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa


def insert_rows(connection: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows`, which all name the same columns (as an executemany requires)."""
    if not rows:
        return
    names = list(rows[0])
    if connection.dialect.name != "sqlite" or _needs_defaults(table, names):
        connection.execute(table.insert(), list(rows))
        return
    quote = connection.dialect.identifier_preparer.quote
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)})"
        f" VALUES ({', '.join('?' for _ in names)})"
    )
    converters = [_bind_processor(table.c[name], connection.dialect) for name in names]
    # Processors see None too: JSON columns store Python None as JSON `null`, as SQLAlchemy does.
    parameters = [
        tuple(
            value if convert is None else convert(value)
            for convert, value in zip(converters, (row[name] for name in names), strict=True)
        )
        for row in rows
    ]
    connection.exec_driver_sql(statement, parameters)


def insert_with_ids(
    connection: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]
) -> dict[int, int]:
    """Insert rows planned with placeholder ids (in `id`); returns placeholder → real id."""
    if not rows:
        return {}
    if connection.dialect.name == "sqlite":
        # SQLAlchemy can match RETURNING rows to parameters on SQLite only by inserting one
        # row per statement. The ingest holds SQLite's write lock (BEGIN IMMEDIATE), so the
        # next ids are known: the ones SQLite itself would pick.
        last = connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
        ids = {row["id"]: last + offset for offset, row in enumerate(rows, start=1)}
        insert_rows(connection, table, [row | {"id": ids[row["id"]]} for row in rows])
        return ids
    statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    without_ids = [{name: value for name, value in row.items() if name != "id"} for row in rows]
    inserted = connection.execute(statement, without_ids).scalars()
    return {row["id"]: real for row, real in zip(rows, inserted, strict=True)}


def _needs_defaults(table: sa.Table, names: list[str]) -> bool:
    """Whether a column left out has a Python-side default that only SQLAlchemy would apply."""
    return any(column.default is not None for column in table.columns if column.name not in names)


def _bind_processor(column: sa.Column[Any], dialect: sa.Dialect) -> Callable[[Any], Any] | None:
    processor: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).bind_processor(
        dialect
    )
    return processor
