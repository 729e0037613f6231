"""paper identity: per-entry ingest outcomes, conflicts for review, merges with aliases

Revision ID: e4b8c2d6f1a3
Revises: d1a7c4e9b2f0
Create Date: 2026-12-01 11:10:00

`paper.identity_key` changes meaning from `title|first author|year` to the normalized title
alone (authors and year are checked against the candidates it finds, so a published version a
year after its preprint is found). Old keys are cleared; the next ingest (and the seed)
computes the new ones.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from api.data_version_schema import create_trigger_statements, drop_trigger_statements

revision: str = "e4b8c2d6f1a3"
down_revision: str | None = "d1a7c4e9b2f0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_CONTENT_TABLES = ["paper_conflict", "paper_merge", "paper_alias"]


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True)


def upgrade() -> None:
    with op.batch_alter_table("paper") as batch:
        batch.add_column(
            sa.Column("preprint_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )
        batch.add_column(
            sa.Column("joined_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True)
        )
    op.execute("UPDATE paper SET identity_key = NULL")

    op.create_table(
        "ingest_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("entry_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column(
            "outcome",
            _enum("entry_outcome", "added", "updated", "merged", "unchanged", "conflict", "failed"),
            nullable=False,
        ),
        sa.Column("paper_id", sa.Integer(), nullable=True),
        sa.Column("paper_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("evidence", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("conflict_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ingest_run.id"],
            name=op.f("fk_ingest_entry_run_id_ingest_run"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["paper.id"],
            name=op.f("fk_ingest_entry_paper_id_paper"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_entry")),
        sa.UniqueConstraint("run_id", "position", name=op.f("uq_ingest_entry_run_id_position")),
    )
    with op.batch_alter_table("ingest_entry") as batch:
        batch.create_index(batch.f("ix_ingest_entry_run_id"), ["run_id"], unique=False)

    op.create_table(
        "paper_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("other_paper_id", sa.Integer(), nullable=False),
        sa.Column("evidence", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("status", _enum("conflict_status", "open", "merged", "distinct"), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["paper.id"],
            name=op.f("fk_paper_conflict_paper_id_paper"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_paper_id"],
            ["paper.id"],
            name=op.f("fk_paper_conflict_other_paper_id_paper"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_conflict")),
    )
    with op.batch_alter_table("paper_conflict") as batch:
        batch.create_index(batch.f("ix_paper_conflict_paper_id"), ["paper_id"], unique=False)
        batch.create_index(
            batch.f("ix_paper_conflict_other_paper_id"), ["other_paper_id"], unique=False
        )

    op.create_table(
        "paper_merge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("absorbed_id", sa.Integer(), nullable=False),
        sa.Column("absorbed_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_merge")),
    )
    with op.batch_alter_table("paper_merge") as batch:
        batch.create_index(batch.f("ix_paper_merge_survivor_id"), ["survivor_id"], unique=False)

    op.create_table(
        "paper_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("alias_kind", "key", "doi", "arxiv"), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("merge_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["paper.id"],
            name=op.f("fk_paper_alias_paper_id_paper"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merge_id"],
            ["paper_merge.id"],
            name=op.f("fk_paper_alias_merge_id_paper_merge"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_alias")),
        sa.UniqueConstraint("kind", "value", name=op.f("uq_paper_alias_kind_value")),
    )
    with op.batch_alter_table("paper_alias") as batch:
        batch.create_index(batch.f("ix_paper_alias_paper_id"), ["paper_id"], unique=False)
        batch.create_index(batch.f("ix_paper_alias_merge_id"), ["merge_id"], unique=False)

    for statement in create_trigger_statements(op.get_bind().dialect.name, NEW_CONTENT_TABLES):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_trigger_statements(op.get_bind().dialect.name, NEW_CONTENT_TABLES):
        op.execute(statement)
    op.drop_table("paper_alias")
    op.drop_table("paper_merge")
    op.drop_table("paper_conflict")
    op.drop_table("ingest_entry")
    # Plain ALTER TABLE: a batch would rebuild `paper` on SQLite and lose its triggers and
    # expression indexes.
    op.execute("ALTER TABLE paper DROP COLUMN joined_by")
    op.execute("ALTER TABLE paper DROP COLUMN preprint_url")
