"""Database engines, sessions and schema upgrades."""

import re
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
POSTGRES_CONNECT_TIMEOUT = 3
"""Seconds to wait for a PostgreSQL connection before giving up (libpq `connect_timeout`)."""


def create_db_engine(url: str, statement_timeout: float = 0, **kwargs: Any) -> sa.Engine:
    """An engine with the per-dialect settings InferGraph relies on.

    `statement_timeout`: seconds one statement may run before the database cancels it
    (0: no limit). PostgreSQL enforces it per connection (`statement_timeout`); SQLite
    through a progress handler (`StatementDeadline`). The error it raises is answered as a
    503 `query_timeout` (api/http/database_errors.py)."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        sa.event.listen(engine, "connect", _configure_sqlite_connection)
        if statement_timeout > 0:
            limit_sqlite_statements(engine, statement_timeout)
        return engine
    # A server that is down refuses at once; one that is unreachable would otherwise hold a
    # request for the operating system's TCP timeout (minutes). Fail within seconds and let
    # the API answer 503 (api/http/database_errors.py).
    connect_args = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT, **kwargs.pop("connect_args", {})}
    if statement_timeout > 0:
        milliseconds = max(1, round(statement_timeout * 1000))
        connect_args["options"] = f"-c statement_timeout={milliseconds}"
    return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked, per connection; WAL lets readers
    # run while a seed or ingest writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


# --- a statement timeout for SQLite, which has none of its own ---------------------------
# SQLite calls a progress handler every few thousand virtual-machine instructions; a non-zero
# answer interrupts the statement (`sqlite3.OperationalError: interrupted`, `SQLITE_INTERRUPT`).
# The handler adds up the time between its calls and stops the statement once that exceeds the
# limit. Gaps longer than `IDLE_GAP` are not counted: rows are fetched lazily, so between two
# calls the engine may have been waiting on Python (a slow download, the GraphQL executor), and
# only the time SQLite itself works is what a timeout is about.

INSTRUCTIONS_PER_CHECK = 10_000
IDLE_GAP = 0.05
"""Seconds between two handler calls beyond which SQLite is taken to have been idle."""
DEADLINE_KEY = "infergraph_deadline"


class StatementDeadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.used = 0.0
        self.last = time.monotonic()

    def start(self) -> None:
        self.used, self.last = 0.0, time.monotonic()

    def __call__(self) -> int:
        now = time.monotonic()
        gap, self.last = now - self.last, now
        if gap < IDLE_GAP:
            self.used += gap
        return 1 if self.used > self.seconds else 0


def limit_sqlite_statements(engine: sa.Engine, seconds: float) -> None:
    """Interrupt any statement of `engine` that keeps SQLite busy longer than `seconds`."""

    def on_connect(dbapi_connection: Any, record: Any) -> None:
        deadline = StatementDeadline(seconds)
        dbapi_connection.set_progress_handler(deadline, INSTRUCTIONS_PER_CHECK)
        record.info[DEADLINE_KEY] = deadline

    def before_execute(connection: sa.Connection, *_args: Any) -> None:
        # Each statement gets the whole limit; the handler object lives with the connection.
        deadline = connection.info.get(DEADLINE_KEY)
        if deadline is not None:
            deadline.start()

    sa.event.listen(engine, "connect", on_connect)
    sa.event.listen(engine, "before_cursor_execute", before_execute)


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime: SQLite hands them back without a zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def alembic_config(url: str | None = None, connection: sa.Connection | None = None) -> "Config":
    """Alembic configuration that works from any working directory."""
    # Imported here, as all of Alembic: a start whose schema is at head never needs it.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "file_template",
        "%%(year)d-%%(month).2d-%%(day).2d-%%(hour).2d%%(minute).2d_%%(slug)s",
    )
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_database(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` through the migrations (never `create_all`)."""
    if revision == "head" and _at_head(engine):
        return
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), revision)


_REVISION_LINE = re.compile(r"^(down_revision|revision)\b[^=]*=\s*(None|\"(\w+)\")", re.MULTILINE)


def head_revision() -> str | None:
    """The newest migration's revision, read from the migration files' assignments (Alembic
    itself takes a third of a second to import); None when the history is not one line."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict((name, value) for name, _, value in _REVISION_LINE.findall(path.read_text()))
        if "revision" not in found:
            return None
        revisions.add(found["revision"])
        if found.get("down_revision"):
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(connection: sa.Connection) -> str | None:
    """The revision stored in `alembic_version`, by one SELECT; None on an empty database."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    if len(rows) > 1:
        raise ValueError(f"alembic_version holds {len(rows)} revisions; expected one")
    return str(rows[0][0]) if rows else None


def _at_head(engine: sa.Engine) -> bool:
    head = head_revision()
    if head is None:
        return False
    with engine.connect() as connection:
        return current_revision(connection) == head


@contextmanager
def session_scope(engine: sa.Engine) -> Iterator[Session]:
    """A session whose work is committed together or not at all."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


class ReadRoute(Protocol):
    """Where the read sessions of an engine go instead of the engine itself (api/replica.py)."""

    def session(self) -> Session: ...

    def health(self) -> dict[str, Any]: ...


_read_routes: "weakref.WeakKeyDictionary[sa.Engine, ReadRoute]" = weakref.WeakKeyDictionary()


def route_reads(engine: sa.Engine, route: ReadRoute) -> None:
    """Send the read sessions of `engine` through `route` from now on."""
    _read_routes[engine] = route


def read_route(engine: sa.Engine) -> ReadRoute | None:
    return _read_routes.get(engine)


def read_session(engine: sa.Engine) -> Session:
    """A session for work that only reads: on a read replica that has replayed every write
    committed before this call, when `engine` has one (api/replica.py), else on `engine`.
    Every read path of the server opens its session here; writes use `Session(engine)`."""
    route = _read_routes.get(engine)
    return Session(engine) if route is None else route.session()
