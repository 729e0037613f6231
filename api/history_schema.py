"""DDL of survey fact history: every row a versioned table held, with its source versions.

Each versioned table `t` has a `history_t` with `t`'s columns and two more: `history_from`,
the source version a row's values appeared in, and `history_to`, the one they were retired
in (NULL while they hold). Triggers on `t` keep it, and write the change feed
(`fact_change`) beside it, so whoever writes a survey fact (the sync, a writer added
later, the seed, psql) is recorded without calling anything.

A write is recorded under the newest source version: a sync creates its version first, in
its own transaction, so everything it writes lands in it; a write between two syncs (a
curator's correction, a re-seed) belongs to the version then in force. A version therefore
stands for the graph at the end of its era, up to the next sync.

Only survey facts are versioned: rows of a table with a `source_id` are recorded only when
that source is one of the survey's (`survey`, `survey-…`); an ingest's or a curator's rows
are not, and an as-of read shows them as they are now.
"""

from collections.abc import Mapping, Sequence

HISTORY_OBJECT_PREFIX = "history_"
"""Every object here is named with this prefix; Alembic autogenerate leaves them alone."""

FROM, TO = "history_from", "history_to"
AS_OF_INFO = "infergraph_as_of"
"""`Session.info` key: the source version id an as-of session reads (caches key on it)."""

VERSIONED_TABLES: dict[str, bool] = {
    "organization": False,
    "engine": False,
    "engine_alias": False,
    "technique_category": False,
    "technique": False,
    "technique_alias": False,
    "optimization_feature": False,
    "platform": False,
    "precision": False,
    "device": False,
    "llm_model": False,
    "feature_support": True,
    "platform_support": True,
    "precision_support": True,
    "device_price": True,
    "model_price": True,
    "technique_citation": True,
    "engine_paper": True,
    "layout_entry": True,
}
"""Tables whose survey rows are versioned, and whether their rows name a source. Each has an
integer `id` key (the history follows a row by it)."""

SURVEY_SOURCES = "SELECT id FROM {schema}source WHERE slug = 'survey' OR slug LIKE 'survey-%'"
_VERSION = "(SELECT max(id) FROM source_version)"
FEED_LOCK = 4_152_015
"""PostgreSQL advisory lock key the history triggers hold until commit."""


def history_table(table: str) -> str:
    return f"{HISTORY_OBJECT_PREFIX}{table}"


def _quoted(columns: Sequence[str], prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{column}"' for column in columns)


def _survey_row(table: str, row: str) -> str:
    """SQL true when `row` (NEW or OLD) is a survey fact of `table`."""
    if not VERSIONED_TABLES[table]:
        return "1 = 1"
    return f"{row}.source_id IN ({SURVEY_SOURCES.format(schema='')})"


def _sqlite_json(columns: Sequence[str], row: str) -> str:
    return "json_object(" + ", ".join(f"'{c}', {row}.\"{c}\"" for c in columns) + ")"


def _feed_insert(table: str, row: str, action: str, values: tuple[str, str], now: str) -> str:
    source = f"{row}.source_id" if VERSIONED_TABLES[table] else "NULL"
    return (
        "INSERT INTO fact_change (table_name, row_id, action, source_version_id, source_id,"
        f" changed_at, old, new) SELECT '{table}', {row}.id, {action}, {_VERSION}, {source},"
        f" {now}, {values[0]}, {values[1]}"
    )


def create_trigger_statements(dialect: str, table: str, columns: Sequence[str]) -> list[str]:
    """The triggers that keep `history_<table>` and the feed (both must exist)."""
    history = history_table(table)
    names = _quoted(columns)
    if dialect == "sqlite":
        return _sqlite_triggers(table, history, names, columns)
    if dialect == "postgresql":
        return _postgresql_triggers(table, history, names, columns)
    return []


def _sqlite_triggers(table: str, history: str, names: str, columns: Sequence[str]) -> list[str]:
    new, old = _survey_row(table, "NEW"), _survey_row(table, "OLD")
    now = "CURRENT_TIMESTAMP"
    differs = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in columns)
    retire = f"UPDATE {history} SET {TO} = {_VERSION} WHERE id = OLD.id AND {TO} IS NULL"
    added = _feed_insert(table, "NEW", "'added'", ("NULL", _sqlite_json(columns, "NEW")), now)
    retired = _feed_insert(table, "OLD", "'retired'", (_sqlite_json(columns, "OLD"), "NULL"), now)
    changed = _feed_insert(
        table,
        "NEW",
        f"CASE WHEN NOT ({new}) THEN 'retired' WHEN NOT ({old}) THEN 'added' ELSE 'changed' END",
        (
            f"CASE WHEN {old} THEN {_sqlite_json(columns, 'OLD')} END",
            f"CASE WHEN {new} THEN {_sqlite_json(columns, 'NEW')} END",
        ),
        now,
    )
    return [
        f"CREATE TRIGGER {history}_ai AFTER INSERT ON {table} WHEN {new} BEGIN"
        f" INSERT INTO {history} ({names}, {FROM}) VALUES ({_quoted(columns, 'NEW.')}, {_VERSION});"
        f" {added}; END",
        f"CREATE TRIGGER {history}_au AFTER UPDATE ON {table}"
        f" WHEN (({old}) OR ({new})) AND ({differs}) BEGIN {retire};"
        f" INSERT INTO {history} ({names}, {FROM})"
        f" SELECT {_quoted(columns, 'NEW.')}, {_VERSION} WHERE {new}; {changed}; END",
        f"CREATE TRIGGER {history}_ad AFTER DELETE ON {table} WHEN {old} BEGIN {retire};"
        f" {retired}; END",
    ]


def _postgresql_triggers(table: str, history: str, names: str, columns: Sequence[str]) -> list[str]:
    now = "now()"
    source = "COALESCE(NEW.source_id, OLD.source_id)" if VERSIONED_TABLES[table] else "NULL"
    return [
        f"CREATE FUNCTION {history}() RETURNS trigger LANGUAGE plpgsql AS $$"
        " DECLARE v_version integer; v_was boolean; v_is boolean;"
        " BEGIN"
        " IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN RETURN NULL; END IF;"
        f" v_was := TG_OP <> 'INSERT' AND {_survey_row(table, 'OLD')};"
        f" v_is := TG_OP <> 'DELETE' AND {_survey_row(table, 'NEW')};"
        " IF NOT (v_was OR v_is) THEN RETURN NULL; END IF;"
        # Numbers changes in commit order (api/services/changes.py): a second writer waits
        # here until the first commits, before it takes a number.
        f" PERFORM pg_advisory_xact_lock({FEED_LOCK});"
        f" v_version := {_VERSION};"
        f" IF v_was THEN UPDATE {history} SET {TO} = v_version"
        f" WHERE id = OLD.id AND {TO} IS NULL; END IF;"
        f" IF v_is THEN INSERT INTO {history} ({names}, {FROM})"
        f" VALUES ({_quoted(columns, 'NEW.')}, v_version); END IF;"
        " INSERT INTO fact_change (table_name, row_id, action, source_version_id, source_id,"
        f" changed_at, old, new) VALUES ('{table}', COALESCE(NEW.id, OLD.id),"
        " CASE WHEN NOT v_is THEN 'retired' WHEN NOT v_was THEN 'added' ELSE 'changed' END,"
        f" v_version, {source}, {now},"
        " CASE WHEN v_was THEN to_json(OLD) END, CASE WHEN v_is THEN to_json(NEW) END);"
        " RETURN NULL; END $$",
        f"CREATE TRIGGER {history} AFTER INSERT OR UPDATE OR DELETE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {history}()",
    ]


def drop_trigger_statements(dialect: str, table: str) -> list[str]:
    history = history_table(table)
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {history}_{suffix}" for suffix in ("ai", "au", "ad")]
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {history} ON {table}",
            f"DROP FUNCTION IF EXISTS {history}()",
        ]
    return []


def backfill_statement(table: str, columns: Sequence[str], version_id: int) -> str:
    """Record the rows a table holds now as appeared in `version_id`."""
    where = (
        f" WHERE source_id IN ({SURVEY_SOURCES.format(schema='')})"
        if VERSIONED_TABLES[table]
        else ""
    )
    names = _quoted(columns)
    return (
        f"INSERT INTO {history_table(table)} ({names}, {FROM})"
        f" SELECT {names}, {version_id} FROM {table}{where} ORDER BY id"
    )


def as_of_view_statements(
    dialect: str, schema: str, columns: Mapping[str, Sequence[str]], version_id: int
) -> tuple[list[str], list[str]]:
    """Statements that shadow each versioned table by a temporary view of its rows as of
    `version_id` (an integer, never caller text), and the ones that drop the views again.

    Both databases look an unqualified name up among temporary objects first, so every
    ordinary query of the connection then reads the graph as it was; `schema` names the
    real tables (`main` on SQLite, the current schema on PostgreSQL)."""
    version = int(version_id)
    temp = "temp" if dialect == "sqlite" else "pg_temp"
    creates, drops = [], []
    for table, names in columns.items():
        listed = _quoted(names)
        body = (
            f"SELECT {listed} FROM {schema}.{history_table(table)}"
            f" WHERE {FROM} <= {version} AND ({TO} IS NULL OR {TO} > {version})"
        )
        if VERSIONED_TABLES[table]:
            # Facts of other sources are not versioned: as they are now.
            body += (
                f" UNION ALL SELECT {listed} FROM {schema}.{table}"
                f" WHERE source_id NOT IN ({SURVEY_SOURCES.format(schema=schema + '.')})"
            )
        creates.append(f"CREATE TEMPORARY VIEW {table} AS {body}")
        drops.append(f"DROP VIEW IF EXISTS {temp}.{table}")
    return creates, drops
