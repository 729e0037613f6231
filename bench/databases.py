"""Throwaway databases for the benchmarks: a SQLite file, or a uniquely named PostgreSQL
database dropped afterwards (so parallel runs and other engineers' tests never collide)."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from api.config import normalize_database_url
from api.db import create_db_engine
from seed.loader import seed_database

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url(given: str | None = None) -> str:
    return given or os.environ.get("INFERGRAPH_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


@contextmanager
def fresh_database(
    backend: str, folder: Path, label: str, postgres_url: str | None = None
) -> Iterator[str]:
    """The URL of an empty database on `backend` (`sqlite` or `postgresql`)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'{label}.db'}"
        return
    admin_url = normalize_database_url(postgres_admin_url(postgres_url))
    admin = create_db_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def seeded_database(
    backend: str, folder: Path, label: str, postgres_url: str | None = None
) -> Iterator[str]:
    """A fresh database built through the migrations and seeded with the survey."""
    with fresh_database(backend, folder, label, postgres_url) as url:
        engine = create_db_engine(url)
        seed_database(engine)
        engine.dispose()
        yield url
