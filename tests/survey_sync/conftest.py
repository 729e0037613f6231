from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "survey_sync"


@pytest.fixture
def fresh(seeded_copy: sa.Engine) -> Iterator[Session]:
    """A seeded database of this test's own: an apply commits."""
    with Session(seeded_copy) as session:
        yield session
