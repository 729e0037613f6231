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


def create_trigger_statements(dialect: str, tables: list[str]) -> list[str]:
    """The triggers that make writes to `tables` bump the counter (which must exist), for a
    migration that adds content tables."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER data_version_{table}_{suffix} AFTER {event} ON {table}"
            " BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END"
            for table in tables
            for suffix, event in (("ai", "INSERT"), ("au", "UPDATE"), ("ad", "DELETE"))
        ]
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
