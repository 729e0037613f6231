"""fact history: source versions, every survey fact's rows by version, the change feed

Revision ID: c5a9e2d4f7b1
Revises: e3b7d2f5a9c1
Create Date: 2026-12-01 14:00:00

The graph's survey facts so far were seeded from the README of 2025-12-02: that version is
recorded, and every survey row held now is recorded as appeared in it. From here on the
triggers of `api/history_schema.py` keep `history_<table>` and `fact_change` themselves.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from api.data_version_schema import (
    create_trigger_statements as data_version_triggers,
)
from api.data_version_schema import (
    drop_trigger_statements as drop_data_version_triggers,
)
from api.history_schema import (
    FROM,
    TO,
    VERSIONED_TABLES,
    backfill_statement,
    create_trigger_statements,
    drop_trigger_statements,
    history_table,
)

revision: str = "c5a9e2d4f7b1"
down_revision: str | None = "b9d4e1a7c3f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
NEW_CONTENT_TABLES = ["source_version", "fact_change"]
SEED_VERSION = "2025-12-02"


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.create_table(
        "source_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _TEXT(length=60), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file", _TEXT(length=300), nullable=True),
        sa.Column("digest", _TEXT(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_version")),
        sa.UniqueConstraint("name", name=op.f("uq_source_version_name")),
    )
    op.create_table(
        "fact_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", _TEXT(length=60), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "added",
                "changed",
                "retired",
                name="fact_action",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("source_version_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("old", sa.JSON(), nullable=True),
        sa.Column("new", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_version_id"],
            ["source_version.id"],
            name=op.f("fk_fact_change_source_version_id_source_version"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_change")),
    )
    op.create_index(op.f("ix_fact_change_source_version_id"), "fact_change", ["source_version_id"])
    version = sa.table(
        "source_version",
        sa.column("name", sa.String),
        sa.column("released_on", sa.Date),
        sa.column("synced_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        version.insert().values(
            name=SEED_VERSION,
            released_on=date(2025, 12, 2),
            synced_at=datetime.now(UTC),
        )
    )
    seed_id = bind.execute(sa.text("SELECT max(id) FROM source_version")).scalar_one()
    inspector = sa.inspect(bind)
    for table in VERSIONED_TABLES:
        # The history mirrors the table as the database has it now, without its constraints:
        # a retired row may name what no longer exists.
        columns = inspector.get_columns(table)
        names = [column["name"] for column in columns]
        history = history_table(table)
        op.create_table(
            history,
            sa.Column(f"{history}_id", sa.Integer(), primary_key=True),
            *(sa.Column(column["name"], column["type"], nullable=True) for column in columns),
            sa.Column(FROM, sa.Integer(), nullable=False),
            sa.Column(TO, sa.Integer(), nullable=True),
        )
        op.create_index(f"{history}_row", history, ["id", TO])
        op.create_index(f"{history}_span", history, [FROM, TO])
        op.execute(backfill_statement(table, names, seed_id))
        for statement in create_trigger_statements(dialect, table, names):
            op.execute(statement)
    for statement in data_version_triggers(dialect, NEW_CONTENT_TABLES, per_table=True):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_data_version_triggers(dialect, NEW_CONTENT_TABLES):
        op.execute(statement)
    for table in VERSIONED_TABLES:
        for statement in drop_trigger_statements(dialect, table):
            op.execute(statement)
        op.drop_table(history_table(table))
    op.drop_index(op.f("ix_fact_change_source_version_id"), table_name="fact_change")
    op.drop_table("fact_change")
    op.drop_table("source_version")
