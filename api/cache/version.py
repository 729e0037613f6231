"""Reading the data version (see api/data_version_schema.py) once per request, cheaply.

Each read starts after the request arrived, so a write committed before a request was sent,
by this server or by any other process, is always seen by it: there is no staleness window.

SQLite: one dedicated connection of our own; a one-row SELECT costs a few microseconds, so it
runs in place, on the event loop.

PostgreSQL: a round trip per request would cost more than serving a cached response, so reads
are coalesced: one thread with one autocommit connection runs one SELECT for every request
that arrived while the previous SELECT was in flight. A request never joins a SELECT that was
already sent, which keeps the guarantee above.
"""

import asyncio
import contextlib
import sqlite3
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import sqlalchemy as sa

if TYPE_CHECKING:
    import psycopg

_SELECT = "SELECT epoch, version FROM data_version WHERE id = 1"
_PG_TIMEOUT_MS = 5_000
"""Longest a version read may take on PostgreSQL; requests wait for it."""


class VersionUnavailableError(Exception):
    """The version could not be read: the request is served without the cache."""


@dataclass(frozen=True, order=True)
class DataVersion:
    epoch: str
    """Tells databases apart: a database built anew restarts its counter."""
    version: int

    @property
    def tag(self) -> str:
        return f"{self.epoch}.{self.version}"


class VersionSource(Protocol):
    async def read(self) -> DataVersion:
        """The version as committed when this call was made (or later)."""
        ...

    def close(self) -> None: ...


def version_source_for(engine: sa.Engine) -> VersionSource | None:
    """A source for the engine's database, or None where none can be had (in-memory SQLite)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        path = url.database
        if not path or path == ":memory:" or path.startswith("file:"):
            return None
        return SQLiteVersionSource(path)
    if url.get_backend_name() == "postgresql":
        return PostgresVersionSource(url.set(drivername="postgresql").render_as_string(False))
    return None


def _version(row: tuple[object, ...] | None) -> DataVersion:
    if row is None:
        raise VersionUnavailableError("the data_version row is missing")
    epoch, version = row
    return DataVersion(str(epoch), int(str(version)))


class SQLiteVersionSource:
    def __init__(self, path: str) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None
        # Test clients may call from more than one thread; the lock is uncontended when serving.
        self._lock = threading.Lock()

    async def read(self) -> DataVersion:
        return self.read_now()

    def read_now(self) -> DataVersion:
        with self._lock:
            try:
                if self._connection is None:
                    self._connection = sqlite3.connect(
                        self._path, check_same_thread=False, isolation_level=None, timeout=1.0
                    )
                return _version(self._connection.execute(_SELECT).fetchone())
            except sqlite3.Error as error:
                self._close_locked()
                raise VersionUnavailableError(str(error)) from error

    def close(self) -> None:
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


_Waiter = asyncio.Future[DataVersion]


class PostgresVersionSource:
    def __init__(self, url: str) -> None:
        self._url = url
        self._connection: psycopg.Connection[tuple[object, ...]] | None = None
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._waiting: list[_Waiter] = []
        self._thread: threading.Thread | None = None
        self._closed = False

    async def read(self) -> DataVersion:
        waiter: _Waiter = asyncio.get_running_loop().create_future()
        with self._lock:
            if self._closed:
                raise VersionUnavailableError("the version source is closed")
            self._waiting.append(waiter)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._serve, name="infergraph-data-version", daemon=True
                )
                self._thread.start()
            self._arrived.notify()
        return await waiter

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._arrived.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=_PG_TIMEOUT_MS / 1000 + 1)

    def _serve(self) -> None:
        while True:
            with self._lock:
                while not self._waiting and not self._closed:
                    self._arrived.wait()
                batch, self._waiting = self._waiting, []
                closed = self._closed
            if closed:
                _settle_all(batch, VersionUnavailableError("the version source is closed"))
                self._disconnect()
                return
            outcome: DataVersion | VersionUnavailableError
            try:
                outcome = self._fetch()
            except VersionUnavailableError as error:
                outcome = error
            _settle_all(batch, outcome)

    def _fetch(self) -> DataVersion:
        # Imported here: a SQLite server never loads the PostgreSQL driver (a tenth of the
        # app's import time, on the cold-start path).
        import psycopg

        try:
            if self._connection is None:
                self._connection = psycopg.connect(
                    self._url,
                    autocommit=True,
                    connect_timeout=_PG_TIMEOUT_MS // 1000,
                    options=f"-c statement_timeout={_PG_TIMEOUT_MS}",
                    application_name="infergraph-data-version",
                )
            return _version(self._connection.execute(_SELECT, prepare=True).fetchone())
        except psycopg.Error as error:
            self._disconnect()
            raise VersionUnavailableError(str(error)) from error

    def _disconnect(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _settle_all(waiters: list[_Waiter], outcome: DataVersion | VersionUnavailableError) -> None:
    """Hand the outcome to every waiter, one call into each event loop (each is a wake-up)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Waiter]] = {}
    for waiter in waiters:
        by_loop.setdefault(waiter.get_loop(), []).append(waiter)
    for loop, group in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: its requests are gone
            loop.call_soon_threadsafe(_settle, group, outcome)


def _settle(waiters: list[_Waiter], outcome: DataVersion | VersionUnavailableError) -> None:
    for waiter in waiters:
        if waiter.done():  # cancelled: the client went away
            continue
        if isinstance(outcome, DataVersion):
            waiter.set_result(outcome)
        else:
            waiter.set_exception(VersionUnavailableError(str(outcome)))
