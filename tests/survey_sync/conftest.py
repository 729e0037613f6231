from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from seed.loader import seed_database

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "survey_sync"


@pytest.fixture
def fresh(empty_engine: sa.Engine) -> Iterator[Session]:
    """A seeded database of this test's own: an apply commits."""
    seed_database(empty_engine)
    with Session(empty_engine) as session:
        yield session
