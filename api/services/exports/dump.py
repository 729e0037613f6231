"""Dump the whole graph to one JSON document, and restore it into an empty database.

The format is described in docs/dump-format.md. Tables are discovered from the models'
metadata, so a table added by a later migration is dumped and restored without changes
here; the schema revision in the header keeps dumps and databases of different schemas
apart.
"""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import sqlalchemy as sa

from api.errors import InvalidInputError, Problem
from api.services.exports.content_hash import connection_content_hash, graph_tables
from api.services.exports.dump_reader import DumpReader, DumpTable
from api.services.exports.text import json_text
from api.services.exports.values import (
    checked_value,
    from_json_value,
    shown,
    to_json_value,
    type_name,
)
from api.services.history import restart_history

DUMP_FORMAT = "infergraph-dump"
DUMP_VERSION = 1
MEDIA_TYPE = "application/json"
# Rows per database round trip. Small, so memory stays flat on any graph size.
_READ_BATCH = 100
_INSERT_BATCH = 500


def dump_graph(engine: sa.Engine, file_obj: IO[str] | IO[bytes]) -> None:
    """Write the whole database to `file_obj` (text or binary; binary gets UTF-8)."""
    binary = not isinstance(file_obj, io.TextIOBase)
    for chunk in dump_stream(engine):
        file_obj.write(chunk.encode() if binary else chunk)  # type: ignore[arg-type]


def dump_stream(engine: sa.Engine) -> Iterator[str]:
    """The dump as text chunks (one per row), read from one consistent snapshot."""
    with _snapshot(engine) as connection:
        revision = _schema_revision(connection)
        if revision is None:
            raise InvalidInputError(
                "the database has no schema",
                [Problem("run `infergraph db upgrade` first", field="schema_revision")],
            )
        header = {
            "format": DUMP_FORMAT,
            "version": DUMP_VERSION,
            "schema_revision": revision,
            "content_hash": connection_content_hash(connection),
        }
        yield "{\n"
        for key, value in header.items():
            yield f"{json_text(key)}: {json_text(value)},\n"
        yield '"tables": ['
        for index, table in enumerate(graph_tables()):
            yield from _table_chunks(connection, table, first=index == 0)
        yield "\n]\n}\n"


def _table_chunks(connection: sa.Connection, table: sa.Table, *, first: bool) -> Iterator[str]:
    count = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    columns = [
        {"name": c.name, "type": type_name(c), "nullable": bool(c.nullable)} for c in table.columns
    ]
    yield (
        ("\n" if first else ",\n")
        + f'{{"name": {json_text(table.name)}, "row_count": {count},\n'
        + f' "columns": {json_text(columns)},\n "rows": ['
    )
    statement = (
        sa.select(table)
        .order_by(*table.primary_key.columns)
        .execution_options(yield_per=_READ_BATCH)
    )
    result = connection.execute(statement)
    for index, row in enumerate(result):
        values = [to_json_value(value) for value in row]
        yield ("\n  " if index == 0 else ",\n  ") + json_text(values)
    yield "\n ]}"


@contextmanager
def _snapshot(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection whose reads all see one state of the database."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        elif connection.dialect.name == "sqlite":
            # pysqlite opens no transaction for reads; an explicit one pins a WAL snapshot.
            connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            connection.rollback()


def _schema_revision(connection: sa.Connection) -> str | None:
    # Imported here: Alembic is slow to import and the server loads this module at start.
    from alembic.runtime.migration import MigrationContext

    heads = MigrationContext.configure(connection).get_current_heads()
    return ",".join(sorted(heads)) if heads else None


# --- restore -------------------------------------------------------------------------


def restore_graph(
    engine: sa.Engine, file_obj: IO[str] | IO[bytes], location: str = "dump", *, verify: bool = True
) -> dict[str, int]:
    """Load a dump into an empty, migrated database in one transaction.

    Refuses (InvalidInputError, nothing written) a file of another format, version or
    schema revision, a database that holds any row, a value its column could not hold as the
    seed would refuse it, and — unless `verify` is off — a dump without a content hash or
    whose rows do not give it back. Returns the rows restored per table.
    """
    reader = DumpReader(file_obj, location)
    header = reader.header()
    if verify and not isinstance(header.get("content_hash"), str):
        # Without the hash an edited dump restores silently; the hash is what makes it ours.
        raise InvalidInputError(
            "the dump has no content hash; nothing was written",
            [
                Problem(
                    "a dump written by `infergraph dump` has one; restore with --no-verify "
                    "to load a dump you edited on purpose",
                    location=location,
                    field="content_hash",
                )
            ],
        )
    with engine.begin() as connection:
        _check_header(connection, header, location)
        _check_empty(connection)
        restart_history(connection, location)
        counts = _restore_tables(connection, reader.tables(), location)
        restored = connection_content_hash(connection)
        if verify and header.get("content_hash") != restored:
            raise InvalidInputError(
                "the restored graph differs from the dumped one; nothing was written",
                [
                    Problem(
                        f"content hash is {restored}",
                        location=location,
                        field="content_hash",
                        value=header.get("content_hash"),
                    )
                ],
            )
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection)
    return counts


def _check_header(connection: sa.Connection, header: dict[str, Any], location: str) -> None:
    expected = {
        "format": DUMP_FORMAT,
        "version": DUMP_VERSION,
        "schema_revision": _schema_revision(connection),
    }
    if expected["schema_revision"] is None:
        raise InvalidInputError(
            "the database has no schema; run `infergraph db upgrade` before restoring",
            [Problem("no schema revision", field="schema_revision")],
        )
    problems = [
        Problem(f"expected {want!r}", location=location, field=key, value=header.get(key))
        for key, want in expected.items()
        if header.get(key) != want
    ]
    if problems:
        raise InvalidInputError("the dump does not fit this database", problems)


def _check_empty(connection: sa.Connection) -> None:
    problems = []
    for table in graph_tables():
        count = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        if count:
            problems.append(Problem(f"holds {count} row(s)", field=table.name))
    if problems:
        raise InvalidInputError("restore needs an empty database; nothing was written", problems)


def _restore_tables(
    connection: sa.Connection, tables: Iterator[DumpTable], location: str
) -> dict[str, int]:
    known = {table.name: table for table in graph_tables()}
    counts: dict[str, int] = {}
    for dumped in tables:
        name = dumped.meta.get("name")
        if not isinstance(name, str) or name not in known:
            raise InvalidInputError(
                "the dump names an unknown table",
                [
                    Problem(
                        "not a table of this schema", location=location, field="name", value=name
                    )
                ],
            )
        if name in counts:
            raise InvalidInputError(
                "the dump holds a table twice",
                [Problem("duplicate table", location=location, field="name", value=name)],
            )
        counts[name] = _restore_table(connection, known[name], dumped, location)
    missing = [name for name in known if name not in counts]
    if missing:
        raise InvalidInputError(
            "the dump lacks tables of this schema",
            [Problem("missing table", location=location, field="name", value=n) for n in missing],
        )
    return counts


def _restore_table(
    connection: sa.Connection, table: sa.Table, dumped: DumpTable, location: str
) -> int:
    where = f"{location}: table {table.name}"
    names = _column_names(table, dumped, where)
    columns = [table.c[name] for name in names]
    # Rows of a tree (a category and its parent) may come in any order, so their links
    # to their own table are written after all rows are in.
    self_links = [
        c.name
        for c in columns
        if c.nullable and any(fk.column.table is table for fk in c.foreign_keys)
    ]
    primary = [c.name for c in table.primary_key.columns]
    deferred: list[dict[str, Any]] = []
    batch: list[dict[str, Any]] = []
    count = 0
    for row in dumped.rows:
        count += 1
        values = _row_values(columns, row, f"{where} row {count}")
        if self_links and any(values[name] is not None for name in self_links):
            deferred.append(
                {f"k_{n}": values[n] for n in primary} | {n: values[n] for n in self_links}
            )
            values |= dict.fromkeys(self_links)
        batch.append(values)
        if len(batch) >= _INSERT_BATCH:
            _insert(connection, table, batch, where)
            batch = []
    if batch:
        _insert(connection, table, batch, where)
    if deferred:
        update = (
            table.update()
            .where(*(table.c[n] == sa.bindparam(f"k_{n}") for n in primary))
            .values({n: sa.bindparam(n) for n in self_links})
        )
        _execute(connection, update, deferred, where)
    declared = dumped.meta.get("row_count")
    if declared is not None and declared != count:
        raise InvalidInputError(
            "the dump is cut short or altered",
            [Problem(f"{count} row(s) found", location=where, field="row_count", value=declared)],
        )
    return count


def _column_names(table: sa.Table, dumped: DumpTable, where: str) -> list[str]:
    columns = dumped.meta.get("columns")
    if not isinstance(columns, list):
        raise InvalidInputError(
            "the dump's table has no column list",
            [Problem("missing", location=where, field="columns")],
        )
    names = [c.get("name") if isinstance(c, dict) else c for c in columns]
    expected = {c.name for c in table.columns}
    if sorted(map(str, names)) != sorted(expected) or len(set(names)) != len(names):
        raise InvalidInputError(
            "the dump's columns differ from this schema",
            [Problem(f"expected {sorted(expected)}", location=where, field="columns", value=names)],
        )
    return [str(name) for name in names]


def _row_values(columns: list[sa.Column[Any]], row: list[Any], where: str) -> dict[str, Any]:
    if len(row) != len(columns):
        raise InvalidInputError(
            "a dumped row has the wrong number of values",
            [Problem(f"expected {len(columns)}", location=where, value=len(row))],
        )
    values: dict[str, Any] = {}
    for column, value in zip(columns, row, strict=True):
        try:
            values[column.name] = from_json_value(column, checked_value(column, value))
        except (TypeError, ValueError) as error:
            raise InvalidInputError(
                "a dumped value does not fit its column",
                [Problem(str(error), location=where, field=column.name, value=shown(value))],
            ) from None
    return values


def _insert(
    connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]], where: str
) -> None:
    _execute(connection, table.insert(), rows, where)


def _execute(
    connection: sa.Connection, statement: Any, rows: list[dict[str, Any]], where: str
) -> None:
    try:
        connection.execute(statement, rows)
    except (sa.exc.IntegrityError, sa.exc.DataError, sa.exc.StatementError) as error:
        detail = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise InvalidInputError(
            "the database refused rows of the dump; nothing was written",
            [Problem(detail, location=where)],
        ) from None


def _reset_sequences(connection: sa.Connection) -> None:
    # Rows came with their ids, which PostgreSQL sequences do not see; without this the
    # next insert would collide with a restored id.
    for table in graph_tables():
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = connection.execute(
            sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": column.name},
        ).scalar_one()
        if sequence is None:
            continue
        connection.execute(
            sa.text(
                f'SELECT setval(:sequence, COALESCE(MAX("{column.name}"), 1),'
                f' MAX("{column.name}") IS NOT NULL) FROM "{table.name}"'
            ),
            {"sequence": sequence},
        )
