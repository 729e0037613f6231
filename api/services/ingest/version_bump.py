"""One data-version bump per bulk write on SQLite, instead of one per row.

SQLite has only row-level triggers, so the data-version counter (`api/data_version_schema.py`)
is written once for every row an ingest inserts: for a 10,000-entry arXiv feed that is over
100,000 extra updates of the same row, a fifth of the whole ingest. Around a bulk write the
writer therefore drops the counter's triggers on the tables it writes, writes, bumps the
counter (and the version of each of those tables) once and puts the very same triggers
back (their stored SQL), all inside its own transaction.

Nobody else can see the gap: SQLite DDL is transactional, the ingest holds the database's
write lock (`BEGIN IMMEDIATE`), so no other writer runs meanwhile, and readers keep reading
the snapshot from before the transaction. If the write fails, rolling back the enclosing
savepoint restores the triggers with everything else. PostgreSQL needs none of this: its
triggers run once per statement.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa

from api.data_version_schema import DATA_VERSION_OBJECT_PREFIX, TABLE_VERSIONS, table_bump_sql

_ROW_TRIGGERS = (
    "SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'trigger'"
    f" AND name LIKE '{DATA_VERSION_OBJECT_PREFIX}\\_%' ESCAPE '\\'"
    " AND tbl_name IN ({tables}) ORDER BY name"
)
_BUMP = "UPDATE data_version SET version = version + 1 WHERE id = 1"


@contextmanager
def single_version_bump(connection: sa.Connection, tables: Sequence[sa.Table]) -> Iterator[None]:
    """Within the body, writes to `tables` bump the data version once in all, at the end.

    Must run inside a transaction (a savepoint, for the failure path to restore the
    triggers); on an exception the triggers are left to that rollback.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    if not connection.in_transaction():
        raise RuntimeError("single_version_bump needs an open transaction to hide its DDL")
    names = ", ".join(f"'{table.name}'" for table in tables)
    triggers = connection.exec_driver_sql(_ROW_TRIGGERS.format(tables=names)).all()
    for name, _, _table in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    if triggers:
        connection.exec_driver_sql(_BUMP)
    # The versions per table too, for each table whose triggers would have bumped it.
    for table in sorted({str(table) for _, create, table in triggers if TABLE_VERSIONS in create}):
        connection.exec_driver_sql(table_bump_sql(table))
    for _, create, _table in triggers:
        connection.exec_driver_sql(create)
