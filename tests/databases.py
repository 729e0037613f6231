"""Throw-away test databases on SQLite and PostgreSQL, built through the migrations."""

import os
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
def fresh_database(backend: str, tmp_dir: Path) -> Iterator[sa.Engine]:
    """An empty database of its own; dropped afterwards."""
    if backend == "sqlite":
        engine = create_db_engine(f"sqlite:///{tmp_dir / f'test-{uuid.uuid4().hex}.db'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    admin_url = postgres_admin_url()
    assert admin_url is not None
    name = f"infergraph_test_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = create_db_engine(make_url(admin_url).set(database=name).render_as_string(False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
