"""Write transactions that two ingests can run at the same time without duplicating a paper.

Matching a record to a stored paper and inserting it must not interleave with another ingest
doing the same, or both would insert. Each batch therefore runs holding the database's write
lock: `BEGIN IMMEDIATE` on SQLite, a transaction-scoped advisory lock on PostgreSQL. Unique
constraints (arXiv id, DOI, cite key, author name) stay the backstop against any other writer;
the entry writer retries an entry once after an IntegrityError. Lock waits that time out and
PostgreSQL deadlocks roll the batch back and run it again.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import sqlalchemy as sa

T = TypeVar("T")

ADVISORY_LOCK_KEY = 0x1A6E57  # any constant shared by every ingest
BATCH_ATTEMPTS = 5
_RETRY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


@contextmanager
def exclusive_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that holds the ingest write lock from its first statement to commit."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # pysqlite would begin lazily (DEFERRED) at the first write; take the lock now.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            )
        try:
            yield connection
            connection.commit()
        except BaseException:
            connection.rollback()
            raise


def run_exclusive(engine: sa.Engine, work: Callable[[sa.Connection], T]) -> T:
    """`work` in an exclusive transaction, run again when the lock could not be had in time."""
    for attempt in range(1, BATCH_ATTEMPTS + 1):
        try:
            with exclusive_transaction(engine) as connection:
                return work(connection)
        except sa.exc.OperationalError as error:
            if attempt == BATCH_ATTEMPTS or not is_transient(error):
                raise
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


def is_transient(error: sa.exc.DBAPIError) -> bool:
    """A lock timeout or deadlock, which a later attempt can get past."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in _RETRY_SQLSTATES:
        return True
    message = str(error.orig).lower()
    return "database is locked" in message or "database is busy" in message
