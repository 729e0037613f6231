"""A curator's merge of two papers that are one work, and its undo.

The absorbed paper's row goes; everything that pointed at it (citations, engine papers,
technique links, conflicts, change records, ingest entries, earlier aliases) points at the
survivor, which fills the columns it lacked from the absorbed one. Its key, DOI and arXiv id
become aliases of the survivor, so they keep resolving (REST answers 301, GraphQL and the
ingest matcher find the survivor). What undoing needs is kept on the merge row: the absorbed
row and its authorships, the ids of every row moved, the rows dropped as duplicates and the
survivor's columns before.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

import models as m
from api.db import as_utc
from api.errors import InvalidInputError, NotFoundError, Problem
from api.services.ingest.identity import Evidence, published_doi
from api.services.ingest.transactions import run_exclusive
from models.ingest import ConflictStatus

PAPER = m.metadata.tables["paper"]
ALIAS = m.metadata.tables["paper_alias"]
MERGE = m.metadata.tables["paper_merge"]
AUTHORSHIP = m.metadata.tables["paper_author"]
CONFLICT = m.metadata.tables["paper_conflict"]

_FILLED = (
    "title",
    "year",
    "month",
    "venue",
    "doi",
    "arxiv_id",
    "url",
    "preprint_url",
    "abstract",
    "arxiv_version",
    "arxiv_published",
    "arxiv_updated",
    "primary_category",
    "categories",
    "journal_ref",
    "comment",
    "pdf_url",
)
"""Columns the survivor takes from the absorbed paper when it has none of its own."""
_MOVED = (
    ("technique_citation", "paper_id"),
    ("engine_paper", "paper_id"),
    ("technique_link", "paper_id"),
    ("paper_change", "paper_id"),
    ("ingest_entry", "paper_id"),
    ("paper_alias", "paper_id"),
    ("paper_conflict", "paper_id"),
    ("paper_conflict", "other_paper_id"),
)
_ONE_PER_PAPER = {"engine_paper": "engine_id", "technique_link": "technique_id"}
"""Tables with one row per paper and this column: the absorbed paper's duplicate is dropped."""
_DATETIMES = ("arxiv_published", "arxiv_updated")


@dataclass(frozen=True)
class MergeView:
    id: int
    survivor_key: str
    absorbed_key: str
    aliases: tuple[tuple[str, str], ...]
    """(kind, value) of each identifier that now names the survivor."""
    merged_at: datetime
    undone_at: datetime | None
    note: str | None


def merge_papers(
    engine: sa.Engine, survivor_key: str, absorbed_key: str, note: str | None = None
) -> MergeView:
    """Merge the paper `absorbed_key` into `survivor_key` (both cite keys, or a key a merge
    already absorbed). Refuses one paper twice and unknown keys."""
    if note is not None and "\x00" in note:
        raise InvalidInputError("the note contains a NUL character", [Problem("NUL", field="note")])

    def merge(connection: sa.Connection) -> int:
        survivor = _paper_row(connection, survivor_key, "survivor")
        absorbed = _paper_row(connection, absorbed_key, "absorbed")
        if survivor["id"] == absorbed["id"]:
            raise InvalidInputError(
                "a paper cannot be merged into itself",
                [Problem("the same paper", field="absorbed", value=absorbed_key)],
            )
        return _merge(connection, survivor, absorbed, note)

    merge_id = run_exclusive(engine, merge)
    return get_merge(engine, merge_id)


def _paper_row(connection: sa.Connection, key: str, role: str) -> dict[str, Any]:
    row = connection.execute(sa.select(PAPER).where(PAPER.c.bibtex_key == key)).first()
    if row is None:
        paper_id = connection.execute(
            sa.select(ALIAS.c.paper_id).where(ALIAS.c.kind == "key", ALIAS.c.value == key)
        ).scalar()
        if paper_id is not None:
            row = connection.execute(sa.select(PAPER).where(PAPER.c.id == paper_id)).first()
    if row is None:
        raise NotFoundError(
            f"no paper with key {key!r}", [Problem("not found", field=role, value=key)]
        )
    return dict(row._mapping)


def _merge(
    connection: sa.Connection, survivor: dict[str, Any], absorbed: dict[str, Any], note: str | None
) -> int:
    survivor_id, absorbed_id = survivor["id"], absorbed["id"]
    now = datetime.now(UTC)
    authorships = [
        dict(r._mapping)
        for r in connection.execute(
            sa.select(AUTHORSHIP).where(AUTHORSHIP.c.paper_id == absorbed_id)
        ).all()
    ]
    moved: dict[str, list[int]] = {}
    dropped: dict[str, list[dict[str, Any]]] = {}
    for table_name, column in _MOVED:
        table = m.metadata.tables[table_name]
        if table_name in _ONE_PER_PAPER:
            other = table.c[_ONE_PER_PAPER[table_name]]
            kept = sa.select(other).where(table.c.paper_id == survivor_id)
            duplicates = connection.execute(
                sa.select(table).where(table.c[column] == absorbed_id, other.in_(kept))
            ).all()
            dropped[table_name] = [_json_row(dict(r._mapping)) for r in duplicates]
            if duplicates:
                ids = [r.id for r in duplicates]
                connection.execute(sa.delete(table).where(table.c.id.in_(ids)))
        ids = list(
            connection.execute(sa.select(table.c.id).where(table.c[column] == absorbed_id))
            .scalars()
            .all()
        )
        moved[f"{table_name}.{column}"] = ids
        if ids:
            connection.execute(
                sa.update(table).where(table.c.id.in_(ids)).values({column: survivor_id})
            )
    # Conflicts between the two are settled by the merge.
    settled = list(
        connection.execute(
            sa.select(CONFLICT.c.id).where(
                CONFLICT.c.paper_id == survivor_id,
                CONFLICT.c.other_paper_id == survivor_id,
                CONFLICT.c.status == ConflictStatus.OPEN.value,
            )
        )
        .scalars()
        .all()
    )
    if settled:
        connection.execute(
            sa.update(CONFLICT)
            .where(CONFLICT.c.id.in_(settled))
            .values(status=ConflictStatus.MERGED.value, decided_at=now)
        )
    connection.execute(sa.delete(PAPER).where(PAPER.c.id == absorbed_id))
    filled = {
        name: absorbed[name]
        for name in _FILLED
        if survivor.get(name) is None and absorbed.get(name) is not None
    }
    after = survivor | filled
    if (
        not survivor.get("joined_by")
        and after.get("arxiv_id")
        and (after.get("venue") or published_doi(after.get("doi")))
    ):
        filled["joined_by"] = Evidence.CURATOR
    if filled:
        connection.execute(sa.update(PAPER).where(PAPER.c.id == survivor_id).values(filled))
    snapshot = {
        "absorbed": _json_row(absorbed),
        "authorships": [_json_row(r) for r in authorships],
        "moved": moved,
        "dropped": dropped,
        "survivor_before": {name: _json_value(survivor.get(name)) for name in filled},
        "settled": settled,
    }
    merge_id = connection.execute(
        sa.insert(MERGE).values(
            survivor_id=survivor_id,
            absorbed_id=absorbed_id,
            absorbed_key=absorbed["bibtex_key"],
            snapshot=snapshot,
            note=note,
            merged_at=now,
        )
    ).inserted_primary_key
    assert merge_id is not None
    aliases = [("key", absorbed["bibtex_key"])]
    if absorbed.get("doi"):
        aliases.append(("doi", str(absorbed["doi"]).casefold()))
    if absorbed.get("arxiv_id"):
        aliases.append(("arxiv", absorbed["arxiv_id"]))
    for kind, value in aliases:
        connection.execute(
            sa.insert(ALIAS).values(
                paper_id=survivor_id, kind=kind, value=value, merge_id=merge_id[0]
            )
        )
    return int(merge_id[0])


def undo_merge(engine: sa.Engine, merge_id: int) -> MergeView:
    """Put the absorbed paper back as it was, with everything that pointed at it. Only the
    survivor's latest merge can be undone, and only while the survivor is itself unmerged."""

    def undo(connection: sa.Connection) -> None:
        merge = connection.execute(sa.select(MERGE).where(MERGE.c.id == merge_id)).first()
        if merge is None:
            raise NotFoundError(
                f"no paper merge with id {merge_id}",
                [Problem("not found", field="id", value=merge_id)],
            )
        if merge.undone_at is not None:
            raise InvalidInputError(
                "this merge was undone already", [Problem("undone", field="id", value=merge_id)]
            )
        survivor = connection.execute(
            sa.select(PAPER.c.id).where(PAPER.c.id == merge.survivor_id)
        ).scalar()
        later = connection.execute(
            sa.select(MERGE.c.id).where(
                MERGE.c.survivor_id == merge.survivor_id,
                MERGE.c.id > merge_id,
                MERGE.c.undone_at.is_(None),
            )
        ).first()
        if survivor is None or later is not None:
            raise InvalidInputError(
                "undo the later merges of this paper first",
                [Problem("a later merge depends on it", field="id", value=merge_id)],
            )
        _undo(connection, merge)

    run_exclusive(engine, undo)
    return get_merge(engine, merge_id)


def _undo(connection: sa.Connection, merge: Any) -> None:
    snapshot = merge.snapshot
    survivor_id, absorbed_id = merge.survivor_id, merge.absorbed_id
    connection.execute(sa.delete(ALIAS).where(ALIAS.c.merge_id == merge.id))
    before = {name: _stored_value(name, v) for name, v in snapshot["survivor_before"].items()}
    if before:
        connection.execute(sa.update(PAPER).where(PAPER.c.id == survivor_id).values(before))
    absorbed = {name: _stored_value(name, v) for name, v in snapshot["absorbed"].items()}
    connection.execute(sa.insert(PAPER).values(absorbed))
    if snapshot["authorships"]:
        connection.execute(sa.insert(AUTHORSHIP), snapshot["authorships"])
    for qualified, ids in snapshot["moved"].items():
        table_name, column = qualified.split(".")
        table = m.metadata.tables[table_name]
        if ids:
            connection.execute(
                sa.update(table).where(table.c.id.in_(ids)).values({column: absorbed_id})
            )
    for table_name, rows in snapshot["dropped"].items():
        table = m.metadata.tables[table_name]
        if rows:
            connection.execute(
                sa.insert(table),
                [{k: _row_value(table, k, v) for k, v in row.items()} for row in rows],
            )
    if snapshot.get("settled"):
        connection.execute(
            sa.update(CONFLICT)
            .where(CONFLICT.c.id.in_(snapshot["settled"]))
            .values(status=ConflictStatus.OPEN.value, decided_at=None)
        )
    connection.execute(
        sa.update(MERGE).where(MERGE.c.id == merge.id).values(undone_at=datetime.now(UTC))
    )


def get_merge(engine: sa.Engine, merge_id: int) -> MergeView:
    with engine.connect() as connection:
        merge = connection.execute(sa.select(MERGE).where(MERGE.c.id == merge_id)).first()
        if merge is None:
            raise NotFoundError(
                f"no paper merge with id {merge_id}",
                [Problem("not found", field="id", value=merge_id)],
            )
        key = connection.execute(
            sa.select(PAPER.c.bibtex_key).where(PAPER.c.id == merge.survivor_id)
        ).scalar()
        aliases = connection.execute(
            sa.select(ALIAS.c.kind, ALIAS.c.value)
            .where(ALIAS.c.merge_id == merge_id)
            .order_by(ALIAS.c.id)
        ).all()
    return MergeView(
        id=merge.id,
        survivor_key=key or "",
        absorbed_key=merge.absorbed_key,
        aliases=tuple((str(kind), value) for kind, value in aliases),
        merged_at=as_utc(merge.merged_at),
        undone_at=as_utc(merge.undone_at) if merge.undone_at else None,
        note=merge.note,
    )


def _json_value(value: Any) -> Any:
    return as_utc(value).isoformat() if isinstance(value, datetime) else value


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    return {name: _json_value(value) for name, value in row.items()}


def _stored_value(name: str, value: Any) -> Any:
    if name in _DATETIMES and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def _row_value(table: sa.Table, name: str, value: Any) -> Any:
    if isinstance(table.c[name].type, sa.DateTime) and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value
