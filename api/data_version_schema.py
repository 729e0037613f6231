"""DDL of the data version: a counter that every committed write to the graph's content bumps.

The response cache (`api/cache/`) and ETags rest on it, so it must not miss a writer: the
database bumps it itself, whoever writes (this server, the CLI, another process, psql).

SQLite: row-level triggers on every content table (SQLite has no statement-level ones). The
counter row is written inside the writing transaction, so it becomes visible with the data.

PostgreSQL: a statement-level trigger on every content table notes, once per transaction, that
the transaction changed content (a row in `data_version_change`); a deferred constraint trigger
on that row bumps the counter at commit. Bumping at commit, not at the first write, keeps the
counter row's lock to the last moment of a transaction, so two writers cannot deadlock over it
while each holds rows the other wants.

Audit tables (ingest runs, paper changes) and access tokens are not content: an ingest that
changes nothing, or a token being used, leaves the version (and every cached response) alone.
So whatever is kept per data version (counts, responses) must not rest on a read of them:
`touches_not_content` tells which statements do.
"""

from sqlalchemy import ClauseElement
from sqlalchemy.sql.util import find_tables

DATA_VERSION_OBJECT_PREFIX = "data_version"
"""Every object here is named with this prefix; Alembic autogenerate leaves them alone."""

NOT_CONTENT = frozenset(
    {"api_token", "ingest_run", "ingest_entry", "paper_change", "alembic_version"}
)
"""Tables whose writes do not change what any read route answers."""


def touches_not_content(statement: ClauseElement) -> bool:
    """Whether a statement reads (or names) a table in `NOT_CONTENT`; textual SQL is opaque."""
    # Columns not bound to a table (labels, literals) come back as None.
    tables = find_tables(statement, check_columns=True)
    return any(table is not None and table.name in NOT_CONTENT for table in tables)


_NOTED_SETTING = "infergraph.data_version_noted"


def create_statements(dialect: str, tables: list[str], epoch: str) -> list[str]:
    """The counter (starting at 0 in a database identified by `epoch`) and its triggers."""
    statements = [
        "CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1),"
        " epoch VARCHAR(32) NOT NULL, version BIGINT NOT NULL)",
        f"INSERT INTO data_version (id, epoch, version) VALUES (1, '{epoch}', 0)",
    ]
    if dialect == "postgresql":
        statements += [
            "CREATE TABLE data_version_change (txid BIGINT PRIMARY KEY)",
            "CREATE FUNCTION data_version_note_change() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN IF current_setting('{_NOTED_SETTING}', true) IS DISTINCT FROM 'on' THEN"
            f" PERFORM set_config('{_NOTED_SETTING}', 'on', true);"
            " INSERT INTO data_version_change (txid) VALUES (txid_current())"
            " ON CONFLICT DO NOTHING; END IF; RETURN NULL; END $$",
            "CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1;"
            " DELETE FROM data_version_change WHERE txid = NEW.txid; RETURN NULL; END $$",
            "CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT ON data_version_change"
            " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump()",
        ]
    return statements + create_trigger_statements(dialect, tables)


def create_trigger_statements(
    dialect: str, tables: list[str], *, per_table: bool = False
) -> list[str]:
    """The triggers that make writes to `tables` bump the counter (which must exist), for a
    migration that adds content tables. Migrations after versions per table came
    (2026-12-01-1500) pass `per_table`: on SQLite the row triggers bump both."""
    if dialect == "sqlite":
        return _sqlite_row_triggers(tables, per_table)
    if dialect == "postgresql":
        return [
            f"CREATE TRIGGER data_version_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
            f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION data_version_note_change()"
            for table in tables
        ]
    return []


def drop_trigger_statements(dialect: str, tables: list[str]) -> list[str]:
    if dialect == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS data_version_{table}_{suffix}"
            for table in tables
            for suffix in ("ai", "au", "ad")
        ]
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS data_version_{table} ON {table}" for table in tables]
    return []


def drop_statements(dialect: str, tables: list[str]) -> list[str]:
    statements = drop_trigger_statements(dialect, tables)
    if dialect == "postgresql":
        statements += [
            "DROP TABLE IF EXISTS data_version_change",
            "DROP FUNCTION IF EXISTS data_version_bump()",
            "DROP FUNCTION IF EXISTS data_version_note_change()",
        ]
    statements.append("DROP TABLE IF EXISTS data_version")
    return statements


# --- versions per table (migration 2026-12-01-1500) -------------------------------------
# Beside the one counter, `data_version_table` counts the committed writes of each content
# table (a table never written since has no row: version 0). A count that reads only some
# tables (api/services/count_cache.py) stays valid across writes to the others. Bumped in the
# same places and transactions as the counter, so it is exactly as trustworthy.

TABLE_VERSIONS = "data_version_table"
_TABLE_NOTED_PREFIX = "infergraph.data_version_table_"


def table_bump_sql(table: str) -> str:
    """Add one to `table`'s version (SQLite and PostgreSQL alike)."""
    return (
        f"INSERT INTO {TABLE_VERSIONS} (name, version) VALUES ('{table}', 1)"
        f" ON CONFLICT (name) DO UPDATE SET version = {TABLE_VERSIONS}.version + 1"
    )


def _pg_note_function(per_table: bool) -> str:
    table_note = (
        f" IF current_setting('{_TABLE_NOTED_PREFIX}' || TG_TABLE_NAME, true)"
        " IS DISTINCT FROM 'on' THEN"
        f" PERFORM set_config('{_TABLE_NOTED_PREFIX}' || TG_TABLE_NAME, 'on', true);"
        f" INSERT INTO {TABLE_VERSIONS}_change (txid, name) VALUES (txid_current(), TG_TABLE_NAME)"
        " ON CONFLICT DO NOTHING; END IF;"
        if per_table
        else ""
    )
    return (
        "CREATE OR REPLACE FUNCTION data_version_note_change() RETURNS trigger"
        " LANGUAGE plpgsql AS $$"
        f" BEGIN IF current_setting('{_NOTED_SETTING}', true) IS DISTINCT FROM 'on' THEN"
        f" PERFORM set_config('{_NOTED_SETTING}', 'on', true);"
        " INSERT INTO data_version_change (txid) VALUES (txid_current())"
        f" ON CONFLICT DO NOTHING; END IF;{table_note} RETURN NULL; END $$"
    )


def _pg_bump_function(per_table: bool) -> str:
    # The counter row is locked first, by every committing writer alike, so the table rows
    # after it are only ever updated by one transaction at a time: no deadlock between them.
    tables = (
        f" INSERT INTO {TABLE_VERSIONS} (name, version)"
        f" SELECT name, 1 FROM {TABLE_VERSIONS}_change WHERE txid = NEW.txid"
        f" ON CONFLICT (name) DO UPDATE SET version = {TABLE_VERSIONS}.version + 1;"
        f" DELETE FROM {TABLE_VERSIONS}_change WHERE txid = NEW.txid;"
        if per_table
        else ""
    )
    return (
        "CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1;{tables}"
        " DELETE FROM data_version_change WHERE txid = NEW.txid; RETURN NULL; END $$"
    )


def _sqlite_row_triggers(tables: list[str], per_table: bool) -> list[str]:
    return [
        f"CREATE TRIGGER data_version_{table}_{suffix} AFTER {event} ON {table}"
        " BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1;"
        + (f" {table_bump_sql(table)};" if per_table else "")
        + " END"
        for table in tables
        for suffix, event in (("ai", "INSERT"), ("au", "UPDATE"), ("ad", "DELETE"))
    ]


def create_table_version_statements(dialect: str, tables: list[str]) -> list[str]:
    """Versions per table for `tables` (every content table, whose triggers exist)."""
    statements = [
        f"CREATE TABLE {TABLE_VERSIONS} (name VARCHAR(64) PRIMARY KEY, version BIGINT NOT NULL)"
    ]
    if dialect == "sqlite":
        return (
            statements
            + drop_trigger_statements(dialect, tables)
            + _sqlite_row_triggers(tables, per_table=True)
        )
    if dialect == "postgresql":
        # The statement triggers stay: they call the functions, which now note the table too.
        return [
            *statements,
            f"CREATE TABLE {TABLE_VERSIONS}_change (txid BIGINT NOT NULL,"
            " name VARCHAR(64) NOT NULL, PRIMARY KEY (txid, name))",
            _pg_note_function(per_table=True),
            _pg_bump_function(per_table=True),
        ]
    return []


def drop_table_version_statements(dialect: str, tables: list[str]) -> list[str]:
    if dialect == "sqlite":
        return [
            *drop_trigger_statements(dialect, tables),
            *_sqlite_row_triggers(tables, per_table=False),
            f"DROP TABLE {TABLE_VERSIONS}",
        ]
    if dialect == "postgresql":
        return [
            _pg_note_function(per_table=False),
            _pg_bump_function(per_table=False),
            f"DROP TABLE {TABLE_VERSIONS}_change",
            f"DROP TABLE {TABLE_VERSIONS}",
        ]
    return []
