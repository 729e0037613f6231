"""Telling "the database cannot be reached right now" apart from every other database error.

An unreachable database (PostgreSQL stopped or restarting, a connection cut, the pool
exhausted, SQLite's file locked past its busy timeout) is the server's temporary condition,
not the request's fault and not a bug: it answers 503 with `Retry-After`, quickly, and the
next request after the database is back succeeds without restarting the app (connections
are pre-pinged, so dead ones are replaced on checkout).
"""

import logging
from dataclasses import dataclass

import sqlalchemy as sa

from api.errors import InferGraphError, retry_after

logger = logging.getLogger("infergraph.database")

RETRY_AFTER_SECONDS = 2
"""What a 503 suggests: long enough for a PostgreSQL restart, short enough to notice recovery."""

# SQLSTATE classes that mean the server, not the statement, is the problem:
# 08 connection exception, 53 insufficient resources (too many connections, out of memory),
# 57P operator intervention (admin/crash shutdown, "the database system is starting up").
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "53", "57P")
QUERY_CANCELED = "57014"
_UNAVAILABLE_SQLITE_ERRORS = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN"})


@dataclass
class DatabaseUnavailableError(InferGraphError):
    code: str = "database_unavailable"
    status: int = 503
    headers: dict[str, str] = retry_after(RETRY_AFTER_SECONDS)


@dataclass
class QueryTimeoutError(DatabaseUnavailableError):
    """A statement ran past `INFERGRAPH_STATEMENT_TIMEOUT` and the database cancelled it."""

    code: str = "query_timeout"


def database_unavailable(error: BaseException) -> DatabaseUnavailableError | None:
    """The 503 to answer when `error`, or an error it wraps, means the database is unreachable
    or cancelled the statement at the statement timeout (`QueryTimeoutError`).

    Follows `__cause__`, `__context__` and GraphQL's `original_error`, so a failure that
    surfaced as a field error or as the error of a cleanup step is still recognized.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_timeout(current):
            logger.warning("statement timeout: %s", _first_line(current))
            return QueryTimeoutError(
                "the query took longer than the server allows and was cancelled; "
                "ask for less (smaller pages, fewer filter values) or try again"
            )
        if _is_unavailable(current):
            logger.warning("database unavailable: %s", _first_line(current))
            return DatabaseUnavailableError("the database is unavailable; try again shortly")
        original = getattr(current, "original_error", None)
        current = (
            original
            if isinstance(original, BaseException)
            else current.__cause__ or current.__context__
        )
    return None


def _is_timeout(error: BaseException) -> bool:
    if not isinstance(error, sa.exc.OperationalError):
        return False
    # 57014 query_canceled: the statement timeout (or a cancel request) stopped it.
    if str(getattr(error.orig, "sqlstate", "")) == QUERY_CANCELED:
        return True
    return str(getattr(error.orig, "sqlite_errorname", "")) == "SQLITE_INTERRUPT"


def _is_unavailable(error: BaseException) -> bool:
    if isinstance(error, sa.exc.TimeoutError | sa.exc.DisconnectionError):
        return True  # no pooled connection could be had in time, or one was found dead
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:
        return str(sqlstate).startswith(_UNAVAILABLE_SQLSTATE_PREFIXES)
    sqlite_error = getattr(error.orig, "sqlite_errorname", None)
    if sqlite_error is not None:
        return str(sqlite_error) in _UNAVAILABLE_SQLITE_ERRORS
    # psycopg gives no SQLSTATE when the failure is the connection itself
    # (refused, reset, closed by the server): that is exactly unavailability.
    return error.orig is not None and type(error.orig).__module__.startswith("psycopg")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
