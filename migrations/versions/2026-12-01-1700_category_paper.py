"""category paper: which papers each technique category cites, kept on write by triggers

Revision ID: a7e3c9f1d2b8
Revises: c5a9e2d4f7b1
Create Date: 2026-12-01 17:00:00

Filled from the citations held now; from here on the triggers of
`api/membership_schema.py` keep it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api.data_version_schema import create_trigger_statements, drop_trigger_statements
from api.membership_schema import BACKFILL, create_statements, drop_statements

revision: str = "a7e3c9f1d2b8"
down_revision: str | None = "c5a9e2d4f7b1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "category_paper",
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("citations", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["technique_category.id"],
            name=op.f("fk_category_paper_category_id_technique_category"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["paper.id"],
            name=op.f("fk_category_paper_paper_id_paper"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("category_id", "paper_id", name=op.f("pk_category_paper")),
    )
    op.create_index(
        "ix_category_paper_paper_category", "category_paper", ["paper_id", "category_id"]
    )
    # Filled before its triggers exist, so the backfill is one statement, not a row each.
    op.execute(BACKFILL)
    # Derived, but read by counts kept per table version: its writes must bump its version.
    for statement in create_trigger_statements(dialect, ["category_paper"], per_table=True):
        op.execute(statement)
    for statement in create_statements(dialect):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_statements(dialect):
        op.execute(statement)
    for statement in drop_trigger_statements(dialect, ["category_paper"]):
        op.execute(statement)
    op.drop_index("ix_category_paper_paper_category", table_name="category_paper")
    op.drop_table("category_paper")
