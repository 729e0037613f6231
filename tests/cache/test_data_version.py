"""The data version: bumped by every committed write to content, by anyone, and only then."""

import pytest
import sqlalchemy as sa

import models
from api.data_version_schema import NOT_CONTENT
from api.services.ingest import ingest_bibtex
from api.services.ingest.version_bump import single_version_bump
from api.services.tokens import create_token, revoke_token
from models.access import TokenScope
from tests.cache.conftest import Served, bibtex_entry, data_version


def _triggered_tables(engine: sa.Engine) -> set[str]:
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.execute(
                sa.text(
                    "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
                    " AND name LIKE 'data_version_%'"
                )
            )
        else:
            rows = connection.execute(
                sa.text(
                    "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                    " WHERE t.tgname LIKE 'data\\_version\\_%'"
                    " AND c.relname <> 'data_version_change'"
                )
            )
        return {str(row[0]) for row in rows}


def test_every_content_table_and_no_other_carries_the_triggers(served: Served) -> None:
    content = set(models.metadata.tables) - NOT_CONTENT
    assert _triggered_tables(served.engine) == content


def _touch_statement(table: sa.Table) -> sa.TextClause:
    """An UPDATE of one existing row that changes nothing: it still counts as a write."""
    column = next(iter(table.primary_key.columns)).name
    return sa.text(
        f"UPDATE {table.name} SET {column} = {column}"
        f" WHERE {column} = (SELECT min({column}) FROM {table.name})"
    )


def test_a_committed_write_to_any_content_table_bumps_the_version(served: Served) -> None:
    for name in sorted(set(models.metadata.tables) - NOT_CONTENT):
        table = models.metadata.tables[name]
        with served.other.connect() as connection:
            if connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0:
                continue  # nothing to update; inserts are covered by the ingest tests
            before = data_version(served.engine)
            connection.execute(_touch_statement(table))
            connection.rollback()
            assert data_version(served.engine) == before, f"{name}: a rollback bumped it"
            connection.execute(_touch_statement(table))
            connection.commit()
        assert data_version(served.engine) > before, name


def test_tokens_and_ingest_audit_rows_leave_the_version_alone(served: Served) -> None:
    text = bibtex_entry("audit2025same", "An Entry Ingested Twice")
    ingest_bibtex(served.other, text, file_name="twice.bib")
    before = data_version(served.engine)
    issued = create_token(served.other, name="audit", scope=TokenScope.READ)
    revoke_token(served.other, str(issued.view.id))
    assert data_version(served.engine) == before
    report = ingest_bibtex(served.other, text, file_name="twice.bib")
    assert (report.added, report.unchanged) == (0, 1)
    # An ingest that changes no paper still records its source (listed by GET /sources), one
    # row; the run and its per-paper audit rows do not count.
    assert data_version(served.engine) == before + 1


def test_one_transaction_is_one_bump_on_postgresql(served: Served) -> None:
    before = data_version(served.engine)
    with served.other.begin() as connection:
        for _ in range(3):
            connection.execute(sa.text("UPDATE engine SET name = name WHERE slug = 'vllm'"))
    bumps = data_version(served.engine) - before
    assert bumps == (1 if served.engine.dialect.name == "postgresql" else 3)
    if served.engine.dialect.name == "postgresql":
        with served.engine.connect() as connection:
            pending = connection.execute(sa.text("SELECT count(*) FROM data_version_change"))
            assert pending.scalar_one() == 0


def _trigger_definitions(engine: sa.Engine) -> list[tuple[str, str]]:
    """Every data-version trigger with its definition, as the database stores it."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            query = (
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                " AND name LIKE 'data\\_version\\_%' ESCAPE '\\' ORDER BY name"
            )
        else:
            query = (
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger"
                " WHERE tgname LIKE 'data\\_version%' ORDER BY tgname"
            )
        return [(str(name), str(sql)) for name, sql in connection.execute(sa.text(query))]


def _authored_entries(count: int) -> str:
    return "".join(
        f"@article{{bulkbump{n},\n  title = {{Bulk Version Bump Study Number {n}}},\n"
        f"  author = {{Writer, First{n} and Writer, Second{n} and Writer, Third{n}}},\n"
        f"  year = {{2025}}\n}}\n"
        for n in range(count)
    )


def test_a_bulk_ingest_batch_bumps_the_version_once_and_keeps_every_trigger(
    served: Served,
) -> None:
    triggers = _trigger_definitions(served.engine)
    before = data_version(served.engine)
    # 20 papers, 60 authors, 60 authorships in one batch: 140 row writes to content tables.
    report = ingest_bibtex(served.other, _authored_entries(20), file_name="bulk-bump.bib")
    assert report.added == 20
    # One bump for the batch and one for recording the source (its own transaction), on both
    # databases: on SQLite the row triggers are set aside during the batch's bulk write.
    assert data_version(served.engine) == before + 2
    assert _trigger_definitions(served.engine) == triggers
    with served.other.connect() as connection:
        papers = connection.execute(
            sa.text("SELECT count(*) FROM paper WHERE bibtex_key LIKE 'bulkbump%'")
        )
        assert papers.scalar_one() == 20


def test_a_failed_bulk_write_restores_the_triggers_with_its_savepoint(served: Served) -> None:
    if served.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's statement-level triggers are never set aside")
    author = models.metadata.tables["author"]
    triggers = _trigger_definitions(served.engine)
    before = data_version(served.engine)
    with served.other.connect() as connection, connection.begin():
        try:
            with connection.begin_nested(), single_version_bump(connection, [author]):
                assert _trigger_definitions_on(connection) == []
                connection.execute(
                    author.insert().values(name="Half Written", family="Written", name_key="half")
                )
                raise RuntimeError("the write fails half way")
        except RuntimeError:
            pass
        assert len(_trigger_definitions_on(connection)) == 3
    assert _trigger_definitions(served.engine) == triggers
    assert data_version(served.engine) == before
    with served.other.begin() as connection:  # and they still fire
        connection.execute(
            sa.text("UPDATE author SET name = name WHERE id = (SELECT min(id) FROM author)")
        )
    assert data_version(served.engine) == before + 1


def _trigger_definitions_on(connection: sa.Connection) -> list[str]:
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'author'"
        " AND name LIKE 'data\\_version\\_%' ESCAPE '\\'"
    )
    return [str(name) for (name,) in connection.execute(sa.text(query))]


def _table_versions(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT name, version FROM data_version_table"))
        return {str(name): int(version) for name, version in rows}


def test_a_committed_write_bumps_its_own_tables_version_and_no_other(served: Served) -> None:
    for name in sorted(set(models.metadata.tables) - NOT_CONTENT):
        table = models.metadata.tables[name]
        with served.other.connect() as connection:
            if connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0:
                continue
            before = _table_versions(served.engine)
            connection.execute(_touch_statement(table))
            connection.rollback()
            assert _table_versions(served.engine) == before, f"{name}: a rollback bumped it"
            connection.execute(_touch_statement(table))
            connection.commit()
        after = _table_versions(served.engine)
        assert after.get(name, 0) > before.get(name, 0), name
        assert {k: v for k, v in after.items() if k != name} == {
            k: v for k, v in before.items() if k != name
        }, name


def test_a_bulk_ingest_bumps_the_versions_of_the_tables_it_wrote(served: Served) -> None:
    before = _table_versions(served.engine)
    entries = (
        _authored_entries(3)
        .replace("bulkbump", "tablebump")
        .replace("Bulk", "Table")
        .replace("Writer", "Keeper")
    )
    assert ingest_bibtex(served.other, entries, file_name="table-bump.bib").added == 3
    after = _table_versions(served.engine)
    for name in ("paper", "author", "paper_author"):
        assert after.get(name, 0) > before.get(name, 0), name
    assert after.get("engine", 0) == before.get("engine", 0)
