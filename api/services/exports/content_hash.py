"""A hash of the whole graph's content, equal across row order, ids and database backends.

What it covers: every table of the models' metadata and every column, except surrogate
ids. A foreign key is hashed as the natural key (slug, cite key, …) of the row it points
at, so two databases holding the same facts hash alike even if their ids differ; a
surrogate id is left out only where nothing needs it for identity (see `_Plan`).
Rows are combined by an order-independent sum of their SHA-256 digests, so the hash
reads each table once as a stream and keeps no per-row state.
"""

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on the metadata)
from api.membership_schema import DERIVED_TABLES
from api.services.exports.text import json_text
from api.services.exports.values import to_json_value
from api.services.sql import AnySelect

HASH_VERSION = "infergraph-content-v1"
_MODULUS = 1 << 256
_BATCH = 100


def content_hash(engine: sa.Engine, *, skip: Collection[str] = ()) -> str:
    """`sha256:` and 64 hex digits; tables named in `skip` are left out."""
    with engine.connect() as connection:
        return connection_content_hash(connection, skip=skip)


def connection_content_hash(connection: sa.Connection, *, skip: Collection[str] = ()) -> str:
    """The hash as seen by this connection (inside its transaction, if one is open)."""
    tables = graph_tables()
    digest = hashlib.sha256(HASH_VERSION.encode())
    for table in sorted(tables, key=lambda t: t.name):
        if table.name in skip:
            continue
        count, total = _table_sum(connection, _Plan.build(table, tables))
        digest.update(f"\n{table.name}:{count}:{total:064x}".encode())
    return "sha256:" + digest.hexdigest()


NOT_CONTENT = frozenset({"api_token", "source_version", "fact_change"})
"""Tables that are access, not content: a dump that carried API tokens let an edited dump plant
an admin token on restore; a restored database keeps the tokens it has and issues its own. Nor
the history (source versions and the change feed, kept by triggers with `history_<table>`):
a dump carries the graph, and a restored database starts its history at the restore
(`api/services/history.py`, `restart_history`)."""


def graph_tables() -> list[sa.Table]:
    """Every table of the graph, parents before children (discovered, never listed).

    Derived tables are left out: the database computes them from the rest, so a restore
    rebuilds them and a hash of them would only repeat the citations'."""
    left_out = NOT_CONTENT | DERIVED_TABLES
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in left_out]


def natural_key(table: sa.Table) -> sa.Column[Any] | None:
    """The single non-null unique column that names a row (`slug`, `bibtex_key`, …)."""
    candidates: list[sa.Column[Any]] = []
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint) and len(constraint.columns) == 1:
            column = next(iter(constraint.columns))
            if not column.nullable:
                candidates.append(column)
    candidates.sort(key=lambda c: (c.name != "slug", c.name))
    return candidates[0] if candidates else None


def _surrogate_id(table: sa.Table) -> sa.Column[Any] | None:
    primary = list(table.primary_key.columns)
    if len(primary) == 1 and isinstance(primary[0].type, sa.Integer):
        return primary[0]
    return None


def _is_referenced(table: sa.Table, tables: Sequence[sa.Table]) -> bool:
    return any(fk.column.table is table for other in tables for fk in other.foreign_keys)


@dataclass(frozen=True)
class _Plan:
    """How one table is read for hashing: which expressions, under which names."""

    table: sa.Table
    statement: AnySelect
    names: list[str]

    @classmethod
    def build(cls, table: sa.Table, tables: Sequence[sa.Table]) -> "_Plan":
        surrogate = _surrogate_id(table)
        # An id is meaningless where a natural key names the row, or where nothing
        # refers to the row; otherwise it is the row's identity and is kept.
        drop_id = surrogate is not None and (
            natural_key(table) is not None or not _is_referenced(table, tables)
        )
        names: list[str] = []
        expressions: list[sa.ColumnElement[Any]] = []
        from_clause: sa.FromClause = table
        for column in table.columns:
            if drop_id and column is surrogate:
                continue
            expression: sa.ColumnElement[Any] = column
            target = _natural_target(column)
            if target is not None:
                referenced, key = target
                alias = referenced.alias(f"ref_{column.name}")
                from_clause = from_clause.outerjoin(alias, alias.c[_pk_name(referenced)] == column)
                expression = alias.c[key.name]
            names.append(column.name)
            expressions.append(expression)
        return cls(table, sa.select(*expressions).select_from(from_clause), names)


def _natural_target(column: sa.Column[Any]) -> tuple[sa.Table, sa.Column[Any]] | None:
    """For a foreign key to a surrogate id of a table with a natural key: that table and key."""
    if len(column.foreign_keys) != 1:
        return None
    target = next(iter(column.foreign_keys)).column
    referenced = target.table
    if not isinstance(referenced, sa.Table) or _surrogate_id(referenced) is not target:
        return None
    key = natural_key(referenced)
    return None if key is None else (referenced, key)


def _pk_name(table: sa.Table) -> str:
    surrogate = _surrogate_id(table)
    assert surrogate is not None
    return surrogate.name


def _table_sum(connection: sa.Connection, plan: _Plan) -> tuple[int, int]:
    count = 0
    total = 0
    result = connection.execute(plan.statement.execution_options(yield_per=_BATCH))
    for row in result:
        canonical = json_text(
            {name: _canonical(value) for name, value in zip(plan.names, row, strict=True)}
        )
        total = (total + int.from_bytes(hashlib.sha256(canonical.encode()).digest())) % _MODULUS
        count += 1
    return count, total


def _canonical(value: Any) -> Any:
    normalized = to_json_value(value)
    if isinstance(normalized, dict | list):
        # JSON object key order is how a document was written, not what it says.
        return json.dumps(normalized, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return normalized
