"""Row counts remembered per data version: a count is recomputed only after a write.

A paged list reports how many rows match its filter (REST `meta.count`, GraphQL
`totalCount`). Counting is the one part of a page that grows with the graph: a broad filter
on a 100,000-paper graph matches tens of thousands of rows where the page itself reads fifty,
and paging through a result, or reloading it, asks for the same count again. The graph changes
only through writes, and every committed write bumps the data version
(`api/data_version_schema.py`), so a count is kept under the version it was read at and
serves every later request that sees the same version.

The version is read before the count. A write committing in between can only make a stored
count newer than its key, and any request that starts after that write reads the new version,
so no request is ever answered with a count older than what it would have counted itself.
Counts that read a table outside the data version (tokens, ingest audit rows) are never kept,
nor counts made inside a transaction that has written: they see data nobody else sees yet.

A count is keyed by the versions of the tables it reads (`data_version_table`), not the whole
counter, when every table it names is a content table and it holds no textual SQL (which could
name any table): a write to benchmark runs leaves a count of papers valid. The same argument
holds per table: each table's version is bumped in the writing transaction, read before the
count, and only ever moves forward.
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.selectable import AliasedReturnsRows
from sqlalchemy.sql.util import find_tables
from sqlalchemy.sql.visitors import iterate
from sqlmodel import Session

import models
from api.data_version_schema import NOT_CONTENT, TABLE_VERSIONS, touches_not_content
from api.history_schema import AS_OF_INFO

_VERSION = sa.text("SELECT epoch, version FROM data_version WHERE id = 1")
_PG_VERSION = sa.text(
    "SELECT epoch, version, txid_current_if_assigned() FROM data_version WHERE id = 1"
)
_CONTENT_TABLES = frozenset(models.metadata.tables) - NOT_CONTENT
"""Tables whose every write bumps their own version (tests/cache/test_data_version.py)."""
MAX_ENTRIES = 4096
"""Counts kept, least recently used dropped first; a few hundred bytes each."""

_counts: OrderedDict[Hashable, int] = OrderedDict()
_lock = threading.Lock()


def count_rows(session: Session, statement: sa.Select[Any]) -> int:
    """The number of rows `statement` selects, counted once per data version."""

    def count() -> int:
        counted = sa.select(sa.func.count()).select_from(statement.subquery())
        return int(session.execute(counted).scalar_one())

    if touches_not_content(statement):
        return count()  # writes to these tables leave the version alone
    version = _committed_version(session)
    if version is None:
        return count()
    url, as_of, structure, values = _statement_key(session, statement)
    key = (*_version_key(session, statement, version, structure), url, as_of, structure, values)
    with _lock:
        known = _counts.get(key)
        if known is not None:
            _counts.move_to_end(key)
            return known
    total = count()
    with _lock:
        _counts[key] = total
        if len(_counts) > MAX_ENTRIES:
            _counts.popitem(last=False)
    return total


def _committed_version(session: Session) -> tuple[str, int] | None:
    """The data version, or None when there is none to key on: the database has no counter,
    or this session's transaction has written, so what it counts is its own until commit (and
    gone after a rollback, which would hand the version number to different data)."""
    if session.get_bind().dialect.name == "sqlite":
        # pysqlite opens a transaction only for a write (or an explicit BEGIN, as ingests do).
        if getattr(session.connection().connection.dbapi_connection, "in_transaction", True):
            return None
        row = session.execute(_VERSION).first()
    else:
        row = session.execute(_PG_VERSION).first()
        if row is not None and row[2] is not None:  # a transaction id: it has written
            return None
    return None if row is None else (str(row[0]), int(row[1]))


def _version_key(
    session: Session, statement: sa.Select[Any], version: tuple[str, int], structure: Hashable
) -> tuple[Hashable, ...]:
    """The epoch and the versions of the tables `statement` reads, when they can be told;
    else the epoch and the whole counter. `structure` is the statement's shape without its
    values, which alone decides the tables it reads."""
    tables = _tables_of(statement, structure)
    if tables is None or not _has_table_versions(session):
        return version
    rows = session.execute(
        sa.text(f"SELECT name, version FROM {TABLE_VERSIONS} WHERE name IN :names").bindparams(
            sa.bindparam("names", expanding=True)
        ),
        {"names": sorted(tables)},
    ).all()
    written = {str(name): int(number) for name, number in rows}
    return version[0], "tables", tuple((name, written.get(name, 0)) for name in sorted(tables))


_versioned_databases: set[str] = set()
"""URLs of databases known to keep versions per table (remembered once seen: the table is
never dropped under a running server)."""


def _has_table_versions(session: Session) -> bool:
    # A read-only CLI command may open a database migrated before the table existed.
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    if url in _versioned_databases:
        return True
    if not sa.inspect(session.connection()).has_table(TABLE_VERSIONS):
        return False
    with _lock:
        _versioned_databases.add(url)
    return True


_tables_by_structure: dict[Hashable, frozenset[str] | None] = {}


def _tables_of(statement: sa.Select[Any], structure: Hashable) -> frozenset[str] | None:
    # Walking a statement's elements costs more than the count it keys; a list asks the
    # same few shapes again and again.
    if structure in _tables_by_structure:
        return _tables_by_structure[structure]
    tables = _tables_read(statement)
    with _lock:
        if len(_tables_by_structure) >= MAX_ENTRIES:
            _tables_by_structure.clear()
        _tables_by_structure[structure] = tables
    return tables


def _tables_read(statement: sa.Select[Any]) -> frozenset[str] | None:
    """The content tables `statement` names, or None when it may read something else."""
    for element in iterate(statement):
        if isinstance(element, sa.TextClause) or getattr(element, "is_literal", False):
            return None  # SQL as text: it may name any table
    names = set()
    for table in find_tables(statement, check_columns=True):
        if table is None:
            continue  # a column of no table (a label, a literal value)
        if isinstance(table, AliasedReturnsRows):
            continue  # an alias or subquery: the tables under it are found on their own
        if not isinstance(table, sa.Table):
            return None  # a lightweight `table()` (full-text tables): not versioned
        names.add(table.name)
    return frozenset(names) if names and names <= _CONTENT_TABLES else None


def _statement_key(session: Session, statement: sa.Select[Any]) -> tuple[Hashable, ...]:
    # SQLAlchemy's cache key is the statement's structure without its values (the key its own
    # compiled-statement cache uses), and building it costs microseconds where compiling the
    # statement to text cost a quarter of a millisecond on every counted page.
    cache_key = statement._generate_cache_key()
    if cache_key is None:  # an element that cannot be cached: fall back to the SQL text
        compiled = statement.compile(dialect=session.get_bind().dialect)
        structure: Hashable = str(compiled)
        values: tuple[Hashable, ...] = tuple(
            sorted((name, _hashable(v)) for name, v in compiled.params.items())
        )
    else:
        structure = cache_key.key
        values = tuple(_hashable(bind.effective_value) for bind in cache_key.bindparams)
    # The URL too: a copied database file keeps its epoch and version but goes its own way;
    # and the source version an as-of session reads, the same statement on other rows.
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    return url, session.info.get(AS_OF_INFO), structure, values


def _hashable(value: Any) -> Hashable:
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_hashable(item) for item in value)
    return value  # type: ignore[no-any-return]
