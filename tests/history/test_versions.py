"""Source versions and what history records: survey facts only, never deleting, never leaking."""

import io
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select
from typer.testing import CliRunner

import models as m
from api.cli import app
from api.config import get_settings
from api.db import create_db_engine, upgrade_database
from api.errors import ConflictError, InvalidInputError, NotFoundError
from api.history_schema import VERSIONED_TABLES
from api.services.exports.dump import dump_graph, restore_graph
from api.services.history import (
    as_of_session,
    open_version,
    resolve_as_of,
    session_as_of,
    versions,
)
from models.base import SourceKind, SupportStatus
from tests.conftest import NEWER_README


@pytest.fixture
def seeded_writable(seeded_copy: sa.Engine) -> sa.Engine:
    return seeded_copy


def _count(engine: sa.Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text(sql)).scalar_one())


def test_the_seed_is_version_2025_12_02_and_every_survey_fact_appeared_in_it(
    seeded_writable: sa.Engine,
) -> None:
    with Session(seeded_writable) as session:
        [seed] = versions(session)
    assert (seed.name, seed.released_on) == ("2025-12-02", date(2025, 12, 2))
    for table in ("engine", "feature_support", "device_price", "layout_entry"):
        assert _count(seeded_writable, f"SELECT count(*) FROM {table}") == _count(
            seeded_writable,
            f"SELECT count(*) FROM history_{table} WHERE history_from = {seed.id}"
            " AND history_to IS NULL",
        ), table


def test_a_changed_cell_retires_the_old_row_and_nothing_is_deleted(
    synced_engine: sa.Engine,
) -> None:
    with Session(synced_engine) as session:
        old, new = versions(session)
    rows = _rows(
        synced_engine,
        "SELECT status, history_from, history_to FROM history_feature_support h"
        " JOIN engine e ON e.id = h.engine_id WHERE e.slug = 'ollama' AND h.feature_id ="
        " (SELECT id FROM optimization_feature WHERE slug = 'dynamic-batching')"
        " ORDER BY history_from",
    )
    assert rows == [("not_supported", old.id, new.id), ("supported", new.id, None)]
    # Nothing left the live tables: the history only grew.
    assert _count(synced_engine, "SELECT count(*) FROM history_device_price") == 1 + _count(
        synced_engine, "SELECT count(*) FROM device_price"
    )


def _rows(engine: sa.Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(sql))]


def test_facts_of_other_sources_are_not_versioned_and_read_as_they_are_now(
    seeded_writable: sa.Engine,
) -> None:
    with Session(seeded_writable) as session:
        curator = m.Source(slug="curator-notes", title="A curator's notes", kind=SourceKind.TEXT)
        session.add(curator)
        session.flush()
        engine = session.exec(select(m.Engine).where(m.Engine.slug == "ollama")).one()
        feature = session.exec(
            select(m.OptimizationFeature).where(
                m.OptimizationFeature.slug == "speculative-decoding"
            )
        ).one()
        assert curator.id and engine.id and feature.id
        session.add(
            m.FeatureSupport(
                engine_id=engine.id,
                feature_id=feature.id,
                status=SupportStatus.SUPPORTED,
                note="curator",
                source_id=curator.id,
            )
        )
        session.commit()
    before = _count(seeded_writable, "SELECT count(*) FROM fact_change")
    assert (
        _count(
            seeded_writable, "SELECT count(*) FROM history_feature_support WHERE note = 'curator'"
        )
        == 0
    )
    with Session(seeded_writable) as session:
        open_version(session, name="2026-02-01", released_on=None, file="x", text="x")
        session.commit()
    with as_of_session(seeded_writable, 1) as past:
        notes = past.exec(select(m.FeatureSupport.note).where(m.FeatureSupport.note == "curator"))
        assert list(notes) == ["curator"]
    assert _count(seeded_writable, "SELECT count(*) FROM fact_change") == before


def test_versions_follow_each_other_and_the_past_is_not_rewritten(
    seeded_writable: sa.Engine,
) -> None:
    # A bad name is invalid input; a name or date the stored versions rule out is a conflict.
    refusals: list[tuple[str, date | None, type[Exception], str]] = [
        ("early", date(2025, 1, 1), ConflictError, "before the newest version"),
        ("a b", None, InvalidInputError, "letters, digits"),
    ]
    for name, day, error, message in refusals:
        with Session(seeded_writable) as session, pytest.raises(error, match=message):
            open_version(session, name=name, released_on=day, file="f", text="")
    with Session(seeded_writable) as session:
        first = open_version(session, name="2026-04-01", released_on=None, file="f", text="one")
        assert first.released_on == date(2026, 4, 1)
        again = open_version(session, name="2026-04-01", released_on=None, file="g", text="two")
        assert again.id == first.id and again.file == "g"
        session.commit()
    with (
        Session(seeded_writable) as session,
        pytest.raises(ConflictError, match="not the newest"),
    ):
        open_version(session, name="2025-12-02", released_on=None, file="f", text="")


def test_an_as_of_connection_goes_back_to_the_pool_without_its_views(
    synced_engine: sa.Engine,
) -> None:
    for _ in range(3):
        with session_as_of(synced_engine, "2025-12-02") as past:
            assert (
                past.exec(select(m.Engine.github_stars).where(m.Engine.slug == "vllm")).one()
                == 43400
            )
        with Session(synced_engine) as now:
            assert (
                now.exec(select(m.Engine.github_stars).where(m.Engine.slug == "vllm")).one()
                == 45100
            )
    assert _count(synced_engine, "SELECT count(*) FROM engine") == 27


def test_an_as_of_session_that_fails_mid_read_leaves_no_view_behind(
    synced_engine: sa.Engine,
) -> None:
    with pytest.raises(RuntimeError), session_as_of(synced_engine, "2025-12-02"):
        raise RuntimeError("the request failed")
    with Session(synced_engine) as now:
        assert now.exec(select(m.Engine.github_stars).where(m.Engine.slug == "vllm")).one() == 45100


def test_cli_sync_writes_into_the_named_version(
    seeded_writable: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFERGRAPH_DATABASE_URL", seeded_writable.url.render_as_string(False))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        applied = runner.invoke(
            app,
            [
                "sync",
                "survey",
                str(NEWER_README),
                "--apply",
                "--source-version",
                "spring",
                "--source-date",
                "2026-03-15",
            ],
        )
        refused = runner.invoke(
            app, ["sync", "survey", str(NEWER_README), "--apply", "--source-version", "2025-12-02"]
        )
    finally:
        get_settings.cache_clear()
    assert applied.exit_code == 0, applied.output
    assert "written into source version spring" in applied.output
    with Session(seeded_writable) as session:
        names = [(v.name, v.released_on, v.file) for v in versions(session)]
        assert names[1] == ("spring", date(2026, 3, 15), str(NEWER_README))
        assert versions(session)[1].digest is not None
    # Nothing is left to apply (the removed row stays held), so no version is needed.
    assert refused.exit_code == 0, refused.output


def test_every_history_table_has_every_column_its_table_has(seeded_writable: sa.Engine) -> None:
    """A migration that adds a column to a versioned table must add it to its history (and
    recreate the triggers); an as-of view would otherwise lack it."""
    inspector = sa.inspect(seeded_writable)
    for table in VERSIONED_TABLES:
        live = {column["name"] for column in inspector.get_columns(table)}
        kept = {column["name"] for column in inspector.get_columns(f"history_{table}")}
        assert live <= kept, (table, live - kept)
        assert set(m.metadata.tables[table].columns.keys()) <= kept, table


def test_one_connection_alternating_now_and_the_past_never_mixes_them(
    synced_engine: sa.Engine,
) -> None:
    """psycopg prepares a statement run five times on a connection; a prepared statement must
    not keep reading the table once a view shadows it, nor the view once it is gone."""
    single = (
        create_db_engine(synced_engine.url.render_as_string(False), pool_size=1, max_overflow=0)
        if synced_engine.dialect.name == "postgresql"
        else synced_engine
    )
    stars = select(m.Engine.github_stars).where(m.Engine.slug == "vllm")
    seen = []
    for _ in range(8):
        for as_of in (None, "2025-12-02"):
            with session_as_of(single, as_of) as session:
                seen.append(session.exec(stars).one())
    if single is not synced_engine:
        single.dispose()
    assert seen == [45100, 43400] * 8


def test_a_restore_starts_the_history_over(
    seeded_engine: sa.Engine, empty_engine: sa.Engine
) -> None:
    buffer = io.StringIO()
    dump_graph(seeded_engine, buffer)
    upgrade_database(empty_engine)
    restore_graph(empty_engine, io.BytesIO(buffer.getvalue().encode()))
    with Session(empty_engine) as session:
        [version] = versions(session)
        assert version.name.startswith("restored-")
        with pytest.raises(NotFoundError, match=f"earliest is {version.released_on}"):
            resolve_as_of(session, "2025-12-02")
    # Every restored survey fact appeared in it, and only once.
    assert _count(empty_engine, "SELECT count(*) FROM engine") == _count(
        empty_engine, f"SELECT count(*) FROM history_engine WHERE history_from = {version.id}"
    )
    # (A restore links rows that point at their own table in a second step: a few changes.)
    added = "SELECT count(*) FROM fact_change WHERE action = 'added'"
    assert _count(empty_engine, added) == _count(seeded_engine, added)
    retired = "SELECT count(*) FROM fact_change WHERE action = 'retired'"
    assert _count(empty_engine, retired) == 0
