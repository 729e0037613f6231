"""Reads on a streaming replica that has replayed every write committed before the read.

`INFERGRAPH_READ_DATABASE_URL` names a PostgreSQL hot standby of the primary. A read session
(`api.db.read_session`) goes there only once the standby has replayed the primary's WAL up
to where it was flushed when the read began:

1. read the primary's `pg_current_wal_flush_lsn()`. A write that committed before this read
   was sent has its commit record flushed (synchronous commit, the default), so its position
   is at or before this one: written by this process, another worker, the CLI or psql alike;
2. on the connection the read will use, `pg_last_wal_replay_lsn()` of the standby; once it
   reaches the position, every statement of the session (read committed, so each takes a new
   snapshot) sees that write;
3. a standby that is behind is polled for up to `INFERGRAPH_READ_REPLICA_WAIT` seconds; then,
   or when it cannot be reached or is no standby, the read goes to the primary.

The cost is a round trip to each server per read session: the primary's position is read
once for every caller that arrived while the previous read of it was in flight, on one
connection of its own. A standby that failed is not asked again for `RETRY_SECONDS`, so a
dead one costs one refused connection a second, not one per request.
"""

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import psycopg
import sqlalchemy as sa
from sqlmodel import Session

from api.config import Settings, normalize_database_url
from api.db import POSTGRES_CONNECT_TIMEOUT, create_db_engine, route_reads

RETRY_SECONDS = 1.0
"""How long reads stay on the primary after the standby failed, before it is tried again."""
NOT_A_STANDBY = "the read database is not a standby (pg_last_wal_replay_lsn() is NULL)"
_FIRST_POLL = 0.001
_REPLAY_POSITION = sa.text("SELECT pg_last_wal_replay_lsn()::text")
_FLUSH_POSITION = "SELECT pg_current_wal_flush_lsn()::text"

T = TypeVar("T")


def wal_position(text: str) -> int:
    """`16/B374D848` (a `pg_lsn`) as a number that orders like the position."""
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


class Coalesced(Generic[T]):
    """Calls `fetch` for many threads at once, sharing calls: a thread takes the outcome of a
    call that began after it asked, never of one already under way (that one may predate a
    write the thread's caller knows of)."""

    def __init__(self, fetch: Callable[[], T]) -> None:
        self._fetch = fetch
        self._changed = threading.Condition()
        self._started = 0
        self._finished = 0
        self._running = False
        self._outcome: T | BaseException | None = None

    def get(self) -> T:
        with self._changed:
            wanted = self._started + 1
            while self._finished < wanted:
                if not self._running:
                    self._running = True
                    self._started += 1
                    mine = self._started
                    break
                self._changed.wait()
            else:
                return self._settled()
        outcome: T | BaseException
        try:
            outcome = self._fetch()
        except Exception as error:  # handed to every thread that shares this call
            outcome = error
        with self._changed:
            self._running = False
            self._finished, self._outcome = mine, outcome
            self._changed.notify_all()
            return self._settled()

    def _settled(self) -> T:
        outcome = self._outcome
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome  # type: ignore[return-value]


class PrimaryPosition:
    """The primary's flushed WAL position, over one autocommit connection of its own."""

    def __init__(self, primary: sa.Engine) -> None:
        self._url = primary.url.set(drivername="postgresql").render_as_string(False)
        self._connection: psycopg.Connection[tuple[Any, ...]] | None = None
        self._shared = Coalesced(self._fetch)

    def read(self) -> int:
        return self._shared.get()

    def _fetch(self) -> int:
        try:
            if self._connection is None:
                self._connection = psycopg.connect(
                    self._url,
                    autocommit=True,
                    connect_timeout=POSTGRES_CONNECT_TIMEOUT,
                    application_name="infergraph-wal-position",
                )
            row = self._connection.execute(_FLUSH_POSITION, prepare=True).fetchone()
        except psycopg.Error:
            self.close()
            raise
        assert row is not None
        return wal_position(str(row[0]))

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class ReadReplica:
    """Opens read sessions on the standby when it has caught up, else on the primary."""

    def __init__(self, primary: sa.Engine, replica: sa.Engine, wait: float) -> None:
        self.primary = primary
        self.replica = replica
        self.wait = wait
        self._position = PrimaryPosition(primary)
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._problem: str | None = None
        self.sent = {"replica": 0, "primary": 0}
        """Read sessions opened on each, for /health and the tests."""

    def session(self) -> Session:
        if time.monotonic() >= self._down_until:
            try:
                target = self._position.read()
            except psycopg.Error:
                # The primary is down: its own session will answer 503 as it always has.
                return self._on_primary()
            ready = self._caught_up_session(target)
            if ready is not None:
                self._count("replica")
                return ready
        return self._on_primary()

    def _caught_up_session(self, target: int) -> Session | None:
        session = Session(self.replica)
        deadline = time.monotonic() + self.wait
        pause = _FIRST_POLL
        try:
            while True:
                replayed = session.execute(_REPLAY_POSITION).scalar_one()
                if replayed is None:
                    self._failed(NOT_A_STANDBY)
                    break
                if wal_position(str(replayed)) >= target:
                    self._recovered()
                    return session
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    with self._lock:
                        self._problem = "behind the primary: reads waited, then went to the primary"
                    break
                time.sleep(min(pause, remaining))
                pause *= 2
        except sa.exc.DBAPIError as error:
            self._failed(f"unreachable: {_first_line(error)}")
        session.close()
        return None

    def _on_primary(self) -> Session:
        self._count("primary")
        return Session(self.primary)

    def _count(self, where: str) -> None:
        with self._lock:
            self.sent[where] += 1

    def _failed(self, problem: str) -> None:
        with self._lock:
            self._problem = problem
            self._down_until = time.monotonic() + RETRY_SECONDS
        # Connections to a standby that went away are dead; new ones are made on recovery.
        self.replica.dispose()

    def _recovered(self) -> None:
        if self._problem is not None:
            with self._lock:
                self._problem = None

    def health(self) -> dict[str, Any]:
        """The standby as a fresh probe sees it: replaying (and how far behind) or not usable."""
        try:
            with self.replica.connect() as connection:
                replayed = connection.execute(_REPLAY_POSITION).scalar_one()
            primary = self._position.read()
        except (sa.exc.DBAPIError, psycopg.Error) as error:
            self._failed(f"unreachable: {_first_line(error)}")
            return self._report("unavailable")
        if replayed is None:
            self._failed(NOT_A_STANDBY)
            return self._report("unavailable")
        self._recovered()
        report = self._report("ok")
        report["replay_lag_bytes"] = max(0, primary - wal_position(str(replayed)))
        return report

    def _report(self, status: str) -> dict[str, Any]:
        with self._lock:
            return {
                "status": status,
                "reads_go_to": "replica" if status == "ok" else "primary",
                "problem": self._problem,
                "read_sessions": dict(self.sent),
            }

    def close(self) -> None:
        self._position.close()
        self.replica.dispose()


def attach_read_replica(primary: sa.Engine, settings: Settings) -> ReadReplica | None:
    """Route the read sessions of `primary` through the configured standby, if any."""
    if not settings.read_database_url:
        return None
    url = normalize_database_url(settings.read_database_url)
    if primary.dialect.name != "postgresql" or not url.startswith("postgresql"):
        raise ValueError("INFERGRAPH_READ_DATABASE_URL needs PostgreSQL for both databases")
    replica = ReadReplica(
        primary,
        create_db_engine(url, settings.statement_timeout),
        settings.read_replica_wait,
    )
    route_reads(primary, replica)
    return replica


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__
