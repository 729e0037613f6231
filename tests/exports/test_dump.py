"""Dump / restore round trips, on each backend and across them, checked by content hash."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

import models as m
from api.db import upgrade_database
from api.errors import InvalidInputError
from api.services.exports import content_hash, dump_graph, restore_graph
from api.services.exports.content_hash import connection_content_hash
from api.services.search import search_ids
from models.base import OrganizationKind
from tests.databases import POSTGRES_URL_ENV, fresh_database, postgres_admin_url
from tests.exports.factories import table, table_count


@pytest.fixture(scope="module")
def dumped(seeded_engine: sa.Engine) -> str:
    buffer = io.StringIO()
    dump_graph(seeded_engine, buffer)
    return buffer.getvalue()


def _restore(engine: sa.Engine, text: str) -> dict[str, int]:
    return restore_graph(engine, io.BytesIO(text.encode()))


def test_the_dump_is_one_documented_json_document(seeded_engine: sa.Engine, dumped: str) -> None:
    document = json.loads(dumped)
    assert document["format"] == "infergraph-dump"
    assert document["version"] == 1
    assert document["content_hash"] == content_hash(seeded_engine)
    names = [t["name"] for t in document["tables"]]
    # Every table of the models, parents before children, found at run time; API tokens are
    # access, not content, and never leave the database in a dump; nor does the history
    # (source versions, the change feed), which a restored database starts anew; nor the
    # derived `category_paper`, which the restored citations' triggers build again.
    left_out = {"api_token", "source_version", "fact_change", "category_paper"}
    assert names == [t.name for t in SQLModel.metadata.sorted_tables if t.name not in left_out]
    assert names.index("engine") < names.index("feature_support")
    engines = next(t for t in document["tables"] if t["name"] == "engine")
    assert engines["row_count"] == len(engines["rows"]) == 27
    assert [c["name"] for c in engines["columns"]][:3] == ["slug", "name", "organization_id"]
    prices = next(t for t in document["tables"] if t["name"] == "model_price")
    column = [c["name"] for c in prices["columns"]].index("input_usd_per_mtok")
    assert {c["type"] for c in prices["columns"] if c["name"] == "input_usd_per_mtok"} == {
        "decimal"
    }
    assert all(isinstance(row[column], str) for row in prices["rows"])


def test_restore_into_an_empty_database_gives_the_same_graph(
    seeded_engine: sa.Engine, empty_engine: sa.Engine, dumped: str
) -> None:
    counts = _restore(empty_engine, dumped)
    assert counts["paper"] == 88 and counts["engine"] == 27
    assert content_hash(empty_engine) == content_hash(seeded_engine)
    buffer = io.StringIO()
    dump_graph(empty_engine, buffer)
    assert buffer.getvalue() == dumped
    # Sequences follow the restored ids, so new rows can be added afterwards.
    with Session(empty_engine) as session:
        session.add(m.Organization(slug="new-lab", name="New Lab", kind=OrganizationKind.ACADEMIC))
        session.commit()
        org = session.exec(select(m.Organization).where(m.Organization.slug == "new-lab")).one()
        assert org.id == 23


def test_a_binary_file_and_full_text_search_after_restore(
    empty_engine: sa.Engine, dumped: str, tmp_path: Path
) -> None:
    path = tmp_path / "graph.json"
    path.write_text(dumped, encoding="utf-8")
    with path.open("rb") as file:
        restore_graph(empty_engine, file)
    with Session(empty_engine) as session:
        hits = search_ids(session, "paper", "memory management serving", limit=5)
        keys = [session.get(m.Paper, hit.id).bibtex_key for hit in hits]  # type: ignore[union-attr]
    assert "kwon2023efficient" in keys


def test_restore_across_backends(
    backend: str, seeded_engine: sa.Engine, dumped: str, tmp_path: Path
) -> None:
    if postgres_admin_url() is None:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set: no second backend to restore into")
    other = "postgresql" if backend == "sqlite" else "sqlite"
    with fresh_database(other, tmp_path) as target:
        upgrade_database(target)
        _restore(target, dumped)
        assert content_hash(target) == content_hash(seeded_engine)
        # …and back again: the other backend's dump restores into this one's kind.
        buffer = io.StringIO()
        dump_graph(target, buffer)
        with fresh_database(backend, tmp_path) as back:
            upgrade_database(back)
            _restore(back, buffer.getvalue())
            assert content_hash(back) == content_hash(seeded_engine)


def test_the_hash_ignores_ids_and_row_order(
    empty_engine: sa.Engine, seeded_engine: sa.Engine, dumped: str
) -> None:
    document = json.loads(dumped)
    renumbered = {t.name: _id_columns(t) for t in SQLModel.metadata.sorted_tables}
    for dumped_table in document["tables"]:
        names = [c["name"] for c in dumped_table["columns"]]
        shifted = [i for i, n in enumerate(names) if n in renumbered[dumped_table["name"]]]
        for row in dumped_table["rows"]:
            for i in shifted:
                if row[i] is not None:
                    row[i] += 1000
        # Reversed, children come before their parents (sub-categories before categories).
        dumped_table["rows"].reverse()
    # The stated hash still holds: restore checks it against the renumbered rows.
    _restore(empty_engine, json.dumps(document))
    with empty_engine.connect() as connection:
        lowest = connection.execute(sa.select(sa.func.min(table("engine").c.id))).scalar_one()
    assert lowest == 1001
    assert content_hash(empty_engine) == content_hash(seeded_engine)


def _id_columns(table: sa.Table) -> set[str]:
    """Surrogate ids and the foreign keys pointing at them."""
    names = {fk.parent.name for fk in table.foreign_keys}
    if table.autoincrement_column is not None:
        names.add(table.autoincrement_column.name)
    return names


def test_the_hash_sees_every_meaningful_change(seeded_engine: sa.Engine) -> None:
    before = content_hash(seeded_engine)

    def hash_after(change: Any) -> str:
        with seeded_engine.connect() as connection:
            transaction = connection.begin()
            connection.execute(change)
            changed = connection_content_hash(connection)
            transaction.rollback()
        return changed

    feature_support, paper, price, engine = (
        table(name) for name in ("feature_support", "paper", "model_price", "engine")
    )
    one_fact = sa.select(sa.func.min(feature_support.c.id)).scalar_subquery()
    changes = [
        feature_support.update().where(feature_support.c.id == one_fact).values(status="unknown"),
        paper.update()
        .where(paper.c.bibtex_key == "kwon2023efficient")
        .values(bibtex_fields={"title": "changed"}),
        price.update()
        .where(price.c.id == sa.select(sa.func.min(price.c.id)).scalar_subquery())
        .values(input_usd_per_mtok=price.c.input_usd_per_mtok + 0.0001),
        engine.update().where(engine.c.slug == "vllm").values(has_forum=None),
    ]
    hashes = {hash_after(change) for change in changes}
    assert len(hashes) == len(changes) and before not in hashes
    assert content_hash(seeded_engine) == before


def test_restore_refuses_a_database_that_is_not_empty(
    seeded_engine: sa.Engine, dumped: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        _restore(seeded_engine, dumped)
    assert refused.value.message == "restore needs an empty database; nothing was written"
    assert {p.field for p in refused.value.problems} >= {"engine", "paper"}


@pytest.mark.parametrize(
    ("member", "value"),
    [("format", "something-else"), ("version", 2), ("schema_revision", "0000abc")],
)
def test_restore_refuses_another_format_version_or_schema(
    empty_engine: sa.Engine, dumped: str, member: str, value: Any
) -> None:
    document = json.loads(dumped)
    document[member] = value
    with pytest.raises(InvalidInputError) as refused:
        _restore(empty_engine, json.dumps(document))
    assert refused.value.message == "the dump does not fit this database"
    [problem] = refused.value.problems
    assert (problem.field, problem.value) == (member, value)
    assert _is_empty(empty_engine)


def test_a_damaged_dump_writes_nothing(empty_engine: sa.Engine, dumped: str) -> None:
    cut = dumped[: len(dumped) // 2]
    with pytest.raises(InvalidInputError) as truncated:
        _restore(empty_engine, cut)
    assert truncated.value.message == "the dump cannot be read"
    assert _is_empty(empty_engine)

    document = json.loads(dumped)
    engines = next(t for t in document["tables"] if t["name"] == "engine")
    engines["rows"].pop()
    with pytest.raises(InvalidInputError) as short:
        _restore(empty_engine, json.dumps(document))
    assert short.value.message == "the dump is cut short or altered"
    assert _is_empty(empty_engine)

    document = json.loads(dumped)
    document["tables"] = [t for t in document["tables"] if t["name"] != "layout_entry"]
    with pytest.raises(InvalidInputError) as missing:
        _restore(empty_engine, json.dumps(document))
    assert [p.value for p in missing.value.problems] == ["layout_entry"]
    assert _is_empty(empty_engine)


def test_an_edited_dump_fails_its_content_hash(empty_engine: sa.Engine, dumped: str) -> None:
    document = json.loads(dumped)
    engines = next(t for t in document["tables"] if t["name"] == "engine")
    engines["rows"][0][1] = "Renamed Engine"
    with pytest.raises(InvalidInputError) as refused:
        _restore(empty_engine, json.dumps(document, indent=2))
    assert refused.value.problems[0].field == "content_hash"
    assert _is_empty(empty_engine)


def test_restore_needs_a_migrated_database(blank_engine: sa.Engine, dumped: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        _restore(blank_engine, dumped)
    assert "infergraph db upgrade" in refused.value.message


def _is_empty(engine: sa.Engine) -> bool:
    with engine.connect() as connection:
        return all(table_count(connection, name) == 0 for name in ("source", "engine", "paper"))
