"""DDL of the full-text search indexes, per dialect. Used by the migrations.

SQLite: FTS5 tables with external content, kept in sync with their base table by triggers.
PostgreSQL: GIN expression indexes over `to_tsvector`, which the database keeps in sync itself.
"""

SEARCH_OBJECT_PREFIXES = ("fts_", "ix_search_")

# (base table, columns) of every searchable entity.
SEARCHABLE = {
    "paper": ("title", "abstract"),
    "technique": ("name", "description"),
}


def tsvector_sql(table: str, alias: str | None = None) -> str:
    """The `tsvector` expression used both by the PostgreSQL index and by queries."""
    prefix = f"{alias}." if alias else ""
    joined = " || ' ' || ".join(f"coalesce({prefix}{c}, '')" for c in SEARCHABLE[table])
    return f"to_tsvector('english', {joined})"


def create_statements(dialect: str) -> list[str]:
    statements: list[str] = []
    for table, columns in SEARCHABLE.items():
        if dialect == "sqlite":
            fts = f"fts_{table}"
            cols = ", ".join(columns)
            new = ", ".join(f"new.{c}" for c in columns)
            old = ", ".join(f"old.{c}" for c in columns)
            statements += [
                f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}',"
                f" content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
                f"INSERT INTO {fts}(rowid, {cols}) SELECT id, {cols} FROM {table}",
                f"CREATE TRIGGER fts_{table}_ai AFTER INSERT ON {table} BEGIN"
                f" INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
                f"CREATE TRIGGER fts_{table}_ad AFTER DELETE ON {table} BEGIN"
                f" INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
                f"CREATE TRIGGER fts_{table}_au AFTER UPDATE ON {table} BEGIN"
                f" INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
                f" INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
            ]
        elif dialect == "postgresql":
            statements.append(
                f"CREATE INDEX ix_search_{table} ON {table} USING gin (({tsvector_sql(table)}))"
            )
    return statements


def drop_statements(dialect: str) -> list[str]:
    statements: list[str] = []
    for table in SEARCHABLE:
        if dialect == "sqlite":
            statements += [f"DROP TRIGGER IF EXISTS fts_{table}_{s}" for s in ("ai", "ad", "au")]
            statements.append(f"DROP TABLE IF EXISTS fts_{table}")
        elif dialect == "postgresql":
            statements.append(f"DROP INDEX IF EXISTS ix_search_{table}")
    return statements
