"""ingestion: arXiv fields on papers, affiliations, ingest runs, paper changes, technique links

Revision ID: 660ffa8e035a
Revises: 5f2c9a1d7e30
Create Date: 2026-11-28 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "660ffa8e035a"
down_revision: str | None = "5f2c9a1d7e30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # On SQLite, batch mode adds columns with ALTER TABLE (no table rebuild), so the
    # full-text triggers on `paper` survive.
    op.create_table(
        "ingest_run",
        sa.Column(
            "kind",
            sa.Enum(
                "arxiv", "bibtex", name="ingest_kind", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("locator", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "finished",
                "aborted",
                name="ingest_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("merged", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_ingest_run_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_run")),
    )
    with op.batch_alter_table("ingest_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ingest_run_source_id"), ["source_id"], unique=False)

    op.create_table(
        "paper_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "updated", "merged", name="change_action", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["paper.id"],
            name=op.f("fk_paper_change_paper_id_paper"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ingest_run.id"],
            name=op.f("fk_paper_change_run_id_ingest_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_change")),
    )
    with op.batch_alter_table("paper_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_change_paper_id"), ["paper_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_paper_change_run_id"), ["run_id"], unique=False)

    op.create_table(
        "technique_link",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("technique_id", sa.Integer(), nullable=False),
        sa.Column(
            "origin",
            sa.Enum(
                "explicit",
                "suggested",
                name="link_origin",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "suggested",
                "accepted",
                "rejected",
                name="link_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("matched", sa.JSON(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["paper.id"],
            name=op.f("fk_technique_link_paper_id_paper"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_technique_link_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["technique_id"],
            ["technique.id"],
            name=op.f("fk_technique_link_technique_id_technique"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technique_link")),
        sa.UniqueConstraint(
            "paper_id", "technique_id", name=op.f("uq_technique_link_paper_id_technique_id")
        ),
    )
    with op.batch_alter_table("technique_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_technique_link_paper_id"), ["paper_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_technique_link_source_id"), ["source_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technique_link_technique_id"), ["technique_id"], unique=False
        )

    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arxiv_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("arxiv_published", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("arxiv_updated", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "primary_category", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True
            )
        )
        batch_op.add_column(sa.Column("categories", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("journal_ref", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(
            sa.Column("pdf_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )
        batch_op.add_column(
            sa.Column("identity_key", sqlmodel.sql.sqltypes.AutoString(length=600), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_paper_identity_key"), ["identity_key"], unique=False)

    with op.batch_alter_table("paper_author", schema=None) as batch_op:
        batch_op.add_column(sa.Column("affiliations", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("paper_author", schema=None) as batch_op:
        batch_op.drop_column("affiliations")

    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_identity_key"))
        batch_op.drop_column("identity_key")
        batch_op.drop_column("pdf_url")
        batch_op.drop_column("comment")
        batch_op.drop_column("journal_ref")
        batch_op.drop_column("categories")
        batch_op.drop_column("primary_category")
        batch_op.drop_column("arxiv_updated")
        batch_op.drop_column("arxiv_published")
        batch_op.drop_column("arxiv_version")

    with op.batch_alter_table("technique_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technique_link_technique_id"))
        batch_op.drop_index(batch_op.f("ix_technique_link_source_id"))
        batch_op.drop_index(batch_op.f("ix_technique_link_paper_id"))

    op.drop_table("technique_link")
    with op.batch_alter_table("paper_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_change_run_id"))
        batch_op.drop_index(batch_op.f("ix_paper_change_paper_id"))

    op.drop_table("paper_change")
    with op.batch_alter_table("ingest_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_run_source_id"))

    op.drop_table("ingest_run")
