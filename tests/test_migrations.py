"""Alembic owns the schema: one head, upgrades cleanly, matches the models, round-trips.

Runs on SQLite and PostgreSQL through the `backend` fixture.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pytest_alembic import Config
from pytest_alembic.tests import (  # noqa: F401  (collected as tests here)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

from api.db import MIGRATIONS_DIR
from api.db import alembic_config as make_alembic_config
from tests.databases import fresh_database


@pytest.fixture
def alembic_config() -> Config:
    return Config(alembic_config=make_alembic_config())


@pytest.fixture
def alembic_engine(backend: str, tmp_path: Path) -> Iterator[sa.Engine]:
    with fresh_database(backend, tmp_path) as engine:
        yield engine


def test_revision_files_are_date_named() -> None:
    names = [p.name for p in (MIGRATIONS_DIR / "versions").glob("*.py")]
    assert names
    for name in names:
        date, _, slug = name.partition("_")
        assert len(date) == len("2026-11-28-1200") and date[:4].isdigit(), name
        assert slug.endswith(".py")
