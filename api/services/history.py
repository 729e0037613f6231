"""Source versions and as-of reads: the graph's survey facts as a version of the survey had them.

History itself is written by database triggers (`api/history_schema.py`); this module names
versions, opens the one a sync writes into, and hands out sessions that read the past.

An as-of session is an ordinary session on a connection where every versioned table is
shadowed by a temporary view of its rows valid at that version: both SQLite and
PostgreSQL resolve an unqualified table name to a temporary object first, so every service
function answers for the past without a line of its own changed. The views are dropped
before the connection goes back to the pool (or the connection is thrown away).
"""

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.db import read_session
from api.errors import ConflictError, InvalidInputError, NotFoundError, Problem
from api.history_schema import (
    AS_OF_INFO,
    VERSIONED_TABLES,
    as_of_view_statements,
    history_table,
)
from api.services.pagination import Page, PageRequest, table_page

SEED_VERSION = "2025-12-02"
AS_OF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$"
"""A source version's name, and so what `as_of` may be (a date is one too)."""
_NAME = re.compile(AS_OF_PATTERN)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_NAMED = 10
"""Versions named in an error at most."""


def versions(session: Session) -> list[m.SourceVersion]:
    """Every source version, oldest first."""
    return list(session.exec(select(m.SourceVersion).order_by(col(m.SourceVersion.id))))


def version_page(session: Session, page: PageRequest) -> Page[m.SourceVersion]:
    """A page of the source versions, oldest first."""
    return table_page(session, m.SourceVersion, "id", page)


def latest_version(session: Session) -> m.SourceVersion | None:
    return session.exec(
        select(m.SourceVersion).order_by(col(m.SourceVersion.id).desc()).limit(1)
    ).first()


def resolve_as_of(session: Session, text: str, *, field: str = "as_of") -> m.SourceVersion:
    """The version `text` names: a version's name, or a date (`YYYY-MM-DD`), which means the
    newest version released on or before it. Text outside the names' grammar is refused (400);
    a well-formed name or date that no version answers to is not found (404), like an unknown
    slug in a path: the graph as of it does not exist."""
    if not _NAME.match(text):
        raise InvalidInputError(
            "as_of is neither a version name nor a date",
            [
                Problem(
                    f"a version name ({AS_OF_PATTERN}) or YYYY-MM-DD", field=field, value=text[:100]
                )
            ],
        )
    named = session.exec(select(m.SourceVersion).where(m.SourceVersion.name == text)).first()
    if named is not None:
        return named
    day = _as_date(text)
    if day is not None:
        found = session.exec(
            select(m.SourceVersion)
            .where(col(m.SourceVersion.released_on) <= day)
            .order_by(col(m.SourceVersion.id).desc())
            .limit(1)
        ).first()
        if found is not None:
            return found
        first = session.exec(select(m.SourceVersion).order_by(col(m.SourceVersion.id))).first()
        earliest = first.released_on.isoformat() if first else "none"
        raise NotFoundError(
            f"the graph has no version as of {text}: its earliest is {earliest}",
            [Problem(f"before the earliest version ({earliest})", field=field, value=text)],
        )
    known = ", ".join(version.name for version in versions(session)[-_MAX_NAMED:]) or "none"
    why = f"no version of that name, and not a date; known versions: {known}"
    raise NotFoundError(f"unknown source version {text!r}", [Problem(why, field=field, value=text)])


def _as_date(text: str) -> date | None:
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2025-13-45: shaped like a date, naming no day
        return None


def open_version(
    session: Session,
    *,
    name: str | None,
    released_on: date | None,
    file: str,
    text: str,
) -> m.SourceVersion:
    """The version a sync writes into, created in the sync's transaction (so every write it
    makes lands in it; see api/history_schema.py). Its name defaults to its date, the date
    to today (UTC) or to the name when that is one. Syncing again under the newest version's
    name adds to it; an older version's name, or a date before the newest, is refused: the
    past is not rewritten."""
    if name is not None and not _NAME.match(name):
        raise InvalidInputError(
            "a source version is named with letters, digits, `.`, `_` and `-` (at most 60)",
            [Problem("not a version name", field="source_version", value=name[:100])],
        )
    if released_on is None:
        released_on = _date_in(name) or datetime.now(UTC).date()
    name = name or released_on.isoformat()
    latest = latest_version(session)
    digest = hashlib.sha256(text.encode()).hexdigest()
    now = datetime.now(UTC)
    if latest is not None and latest.name == name:
        latest.synced_at, latest.file, latest.digest = now, file[:300], digest
        session.add(latest)
        session.flush()
        return latest
    existing = session.exec(select(m.SourceVersion).where(m.SourceVersion.name == name)).first()
    # Both refusals are about the versions stored, not the request: 409, like a held change
    # of a plan that has moved on.
    if existing is not None:
        raise ConflictError(
            f"source version {name!r} is not the newest; a sync writes only into a new version"
            " or the newest",
            [Problem("an older version", field="source_version", value=name)],
        )
    if latest is not None and released_on < latest.released_on:
        raise ConflictError(
            f"{released_on} is before the newest version {latest.name!r}"
            f" ({latest.released_on}); versions follow each other in time",
            [Problem("before the newest version", field="source_date", value=str(released_on))],
        )
    version = m.SourceVersion(
        name=name, released_on=released_on, synced_at=now, file=file[:300], digest=digest
    )
    session.add(version)
    session.flush()
    return version


def restart_history(connection: sa.Connection, file: str) -> None:
    """Start an empty database's history over, before a restore writes the graph into it.

    A dump carries the graph, not its history, so what it restores appeared in the version
    this opens (`restored-…`, dated today), not in 2025-12-02: as of an earlier date the
    restored database has no answer rather than a wrong one."""
    for table in VERSIONED_TABLES:
        connection.execute(sa.text(f"DELETE FROM {history_table(table)}"))
    connection.execute(sa.delete(m.FactChange))
    connection.execute(sa.delete(m.SourceVersion))
    now = datetime.now(UTC)
    connection.execute(
        sa.insert(m.SourceVersion).values(
            name=f"restored-{now:%Y%m%dT%H%M%S}",
            released_on=now.date(),
            synced_at=now,
            file=file[:300],
        )
    )


def _date_in(name: str | None) -> date | None:
    if name is None or not _DATE.match(name):
        return None
    try:
        return date.fromisoformat(name)
    except ValueError:
        return None


@contextmanager
def session_as_of(engine: sa.Engine, as_of: str | None) -> Iterator[Session]:
    """A session reading the graph now (on a read replica when `engine` has one), or as of
    the version `as_of` names (on the primary, which can make temporary views: one pooled
    connection for the lookup of the version and the reads)."""
    if as_of is None:
        with read_session(engine) as session:
            yield session
        return
    with engine.connect() as connection:
        with Session(bind=connection) as lookup:
            version = resolve_as_of(lookup, as_of)
            newest = latest_version(lookup)
        assert version.id is not None and newest is not None
        if newest.id == version.id:
            # Every write since lands in the newest version: as of it is now.
            with Session(bind=connection) as session:
                yield session
            return
        with _shadowed(connection, version.id) as session:
            yield session


@contextmanager
def as_of_session(engine: sa.Engine, version_id: int) -> Iterator[Session]:
    """A session reading the graph as of the version with id `version_id`."""
    with engine.connect() as connection, _shadowed(connection, version_id) as session:
        yield session


@contextmanager
def _shadowed(connection: sa.Connection, version_id: int) -> Iterator[Session]:
    dialect = connection.dialect.name
    schema, search_path = ("main", "") if dialect == "sqlite" else _schema_and_path(connection)
    creates, drops = as_of_view_statements(dialect, schema, _view_columns(), version_id)
    try:
        if dialect == "postgresql":
            # One round trip for all the views; made inside the transaction, they go with
            # its rollback. PostgreSQL re-parses a prepared statement (psycopg prepares
            # repeated ones) when the search path changes, not when a temporary object comes
            # to shadow a table: naming pg_temp first changes the path for this transaction.
            path = ", ".join(part for part in ("pg_temp", search_path.strip()) if part)
            script = [f"SET LOCAL search_path TO {path}", *creates]
            connection.exec_driver_sql("; ".join(script).replace("%", "%%"))
        else:
            for statement in creates:
                connection.exec_driver_sql(statement)
        with Session(bind=connection) as session:
            session.info[AS_OF_INFO] = version_id
            yield session
    finally:
        _drop_views(connection, [] if dialect == "postgresql" else drops)


def _drop_views(connection: sa.Connection, drops: list[str]) -> None:
    """A pooled connection must never keep the views: the next request would read the past."""
    try:
        connection.rollback()
        for statement in drops:  # SQLite made them outside any transaction
            connection.exec_driver_sql(statement)
        connection.commit()
    except Exception:
        connection.invalidate()
        raise


def _schema_and_path(connection: sa.Connection) -> tuple[str, str]:
    """The schema of the tables (quoted) and the search path as set."""
    schema, path = connection.exec_driver_sql(
        "SELECT current_schema(), current_setting('search_path')"
    ).one()
    return '"' + str(schema).replace('"', '""') + '"', str(path)


def _view_columns() -> dict[str, list[str]]:
    """The columns the models read, per versioned table (what a view must offer)."""
    return {table: list(m.metadata.tables[table].columns.keys()) for table in VERSIONED_TABLES}
