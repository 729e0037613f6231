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
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from api.data_version_schema import touches_not_content
from api.history_schema import AS_OF_INFO

_VERSION = sa.text("SELECT epoch, version FROM data_version WHERE id = 1")
_PG_VERSION = sa.text(
    "SELECT epoch, version, txid_current_if_assigned() FROM data_version WHERE id = 1"
)
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
    key = (*version, *_statement_key(session, statement))
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


def _statement_key(session: Session, statement: sa.Select[Any]) -> tuple[Hashable, ...]:
    bind = session.get_bind()
    compiled = statement.compile(dialect=bind.dialect)
    parameters = tuple(sorted((name, _hashable(value)) for name, value in compiled.params.items()))
    # The URL too: a copied database file keeps its epoch and version but goes its own way;
    # and the source version an as-of session reads, the same statement on other rows.
    url = bind.engine.url.render_as_string(hide_password=True)
    return url, session.info.get(AS_OF_INFO), str(compiled), parameters


def _hashable(value: Any) -> Hashable:
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_hashable(item) for item in value)
    return value  # type: ignore[no-any-return]
