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


def test_the_report_says_what_was_migrated_and_seeded_then_what_was_found(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'report.db'}"
    first = api.startup.start_preparing_database(url, seed_if_empty=True)()
    assert first.revision_before is None and first.revision_after is not None
    assert first.seeded_rows is not None and first.seeded_rows > 3000
    assert first.lines()[1] == (
        f"migrated the schema from an empty database to {first.revision_after}"
    )
    assert first.lines()[2] == (
        f"seeded the survey: {first.seeded_rows} rows inserted "
        "(27 engines, 56 techniques, 88 papers)"
    )
    again = api.startup.start_preparing_database(url, seed_if_empty=True)()
    assert again.seeded_rows is None
    assert again.lines()[1:] == [
        f"schema up to date ({first.revision_after})",
        "found an existing graph: 27 engines, 56 techniques, 88 papers",
    ]


def test_the_report_of_an_unseeded_database_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    report = api.startup.prepare_database(url, seed_if_empty=False)
    assert report.lines()[0] == f"database: {url}"
    assert report.lines()[2] == "the database is empty (not seeded: --no-seed)"


def test_served_urls_name_pages_graphiql_docs_and_the_api() -> None:
    lines = api.startup.served_urls("127.0.0.1", 8000)
    assert lines[0].split() == ["pages", "http://127.0.0.1:8000/"]
    assert "http://127.0.0.1:8000/graphql" in lines[1]
    assert "http://127.0.0.1:8000/docs" in lines[2]
    assert api.startup.served_urls("::1", 9000)[0].endswith("http://[::1]:9000/")


def test_the_head_read_from_the_migration_files_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    from api.db import alembic_config, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_a_database_at_head_is_checked_by_one_select_without_alembic(tmp_path: Path) -> None:
    from api.db import head_revision, upgrade_database

    engine = create_db_engine(f"sqlite:///{tmp_path / 'head.db'}")
    upgrade_database(engine)
    with engine.connect() as connection:
        assert schema_revision(connection) == head_revision()
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    upgrade_database(engine)
    engine.dispose()
    reads = [s for s in statements if s.startswith("SELECT") and "alembic_version" in s]
    assert reads == ["SELECT version_num FROM alembic_version"]
    assert not any(s.lstrip().upper().startswith(("CREATE", "ALTER", "UPDATE")) for s in statements)
