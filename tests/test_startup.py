"""`infergraph serve` prepares the database in a child process while the app imports."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

import api.startup
from api.db import create_db_engine
from api.errors import InferGraphError
from api.services.stats import is_seeded, schema_revision


def _state(url: str) -> tuple[str | None, bool]:
    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            revision = schema_revision(session.connection())
            return revision, revision is not None and is_seeded(session)
    finally:
        engine.dispose()


def test_the_first_query_after_waiting_sees_the_seeded_survey(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cold.db'}"
    wait = api.startup.start_preparing_database(url, seed_if_empty=True)
    wait()
    revision, seeded = _state(url)
    assert revision is not None and seeded
    engine = create_db_engine(url)
    with engine.connect() as connection:
        engines = connection.execute(sa.text("SELECT count(*) FROM engine")).scalar_one()
    engine.dispose()
    assert engines == 27


def test_no_seed_leaves_the_migrated_database_empty(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    api.startup.start_preparing_database(url, seed_if_empty=False)()
    revision, seeded = _state(url)
    assert revision is not None and not seeded


def test_a_failure_in_the_child_is_raised_by_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_seed(_engine: sa.Engine) -> None:
        raise InferGraphError("the seed has 1 problem(s); nothing was written")

    # The child is forked, so it runs the patched function.
    monkeypatch.setattr(api.startup, "seed_database", broken_seed)
    wait = api.startup.start_preparing_database(
        f"sqlite:///{tmp_path / 'bad.db'}", seed_if_empty=True
    )
    with pytest.raises(InferGraphError, match="the seed has 1 problem"):
        wait()
