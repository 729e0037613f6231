"""Database engines, sessions and schema upgrades."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
POSTGRES_CONNECT_TIMEOUT = 3
"""Seconds to wait for a PostgreSQL connection before giving up (libpq `connect_timeout`)."""


def create_db_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An engine with the per-dialect settings InferGraph relies on."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        sa.event.listen(engine, "connect", _configure_sqlite_connection)
        return engine
    # A server that is down refuses at once; one that is unreachable would otherwise hold a
    # request for the operating system's TCP timeout (minutes). Fail within seconds and let
    # the API answer 503 (api/http/database_errors.py).
    connect_args = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT, **kwargs.pop("connect_args", {})}
    return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked, per connection; WAL lets readers
    # run while a seed or ingest writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime: SQLite hands them back without a zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def alembic_config(url: str | None = None, connection: sa.Connection | None = None) -> Config:
    """Alembic configuration that works from any working directory."""
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
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), revision)


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
