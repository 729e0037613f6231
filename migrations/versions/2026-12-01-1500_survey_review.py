"""survey review: a reviewer's accepted and rejected held changes of a survey sync

Revision ID: b9d4e1a7c3f2
Revises: e3b7d2f5a9c1
Create Date: 2026-12-01 15:00:00

A rejected change stays out of later plans until the README changes that cell again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from api.data_version_schema import create_trigger_statements, drop_trigger_statements

revision: str = "b9d4e1a7c3f2"
down_revision: str | None = "f2c8a4e6b1d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "survey_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", _TEXT(length=700), nullable=False),
        sa.Column("kind", _TEXT(length=40), nullable=False),
        sa.Column("old", _TEXT(), nullable=True),
        sa.Column("new", _TEXT(), nullable=True),
        sa.Column("decision", _TEXT(length=20), nullable=False),
        sa.Column("decided_by", _TEXT(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_review")),
        sa.UniqueConstraint("change_id", name=op.f("uq_survey_review_change_id")),
    )
    # A decision changes what a sync plan answers: content, like the facts it is about.
    for statement in create_trigger_statements(
        op.get_bind().dialect.name, ["survey_review"], per_table=True
    ):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_trigger_statements(op.get_bind().dialect.name, ["survey_review"]):
        op.execute(statement)
    op.drop_table("survey_review")
