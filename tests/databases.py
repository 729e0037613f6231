"""Throw-away test databases on SQLite and PostgreSQL, built through the migrations."""

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from api.config import normalize_database_url
from api.db import create_db_engine

POSTGRES_URL_ENV = "INFERGRAPH_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgresql")


def postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_URL_ENV)
    return normalize_database_url(url) if url else None


@contextmanager
def fresh_database(
    backend: str, tmp_dir: Path, template: sa.Engine | None = None
) -> Iterator[sa.Engine]:
    """An empty database of its own, or a copy of `template` (a database of the same
    backend that nothing is connected to); dropped afterwards.

    Copying is how the tests get many databases built through the migrations (and the seed)
    without running them each time: a file copy through SQLite's backup API, a `CREATE
    DATABASE … TEMPLATE` on PostgreSQL, each a small part of a migration's cost.
    """
    if backend == "sqlite":
        path = tmp_dir / f"test-{uuid.uuid4().hex}.db"
        if template is not None:
            _copy_sqlite(template, path)
        engine = create_db_engine(f"sqlite:///{path}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    admin_url = postgres_admin_url()
    assert admin_url is not None
    name = f"infergraph_test_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(admin_url, isolation_level="AUTOCOMMIT")
    copying = ""
    if template is not None:
        # PostgreSQL copies only a database no session is connected to.
        template.dispose()
        copying = f' TEMPLATE "{template.url.database}"'
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"{copying}'))
    engine = create_db_engine(make_url(admin_url).set(database=name).render_as_string(False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _copy_sqlite(template: sa.Engine, path: Path) -> None:
    """Copy the template's committed content (its WAL included) into a new file at `path`."""
    template.dispose()
    assert template.url.database is not None
    source = sqlite3.connect(template.url.database)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
