"""full-text search over papers and techniques

Revision ID: 5f2c9a1d7e30
Revises: 8519a9664669
Create Date: 2026-11-28 10:30:00
"""

from collections.abc import Sequence

from alembic import op

from api.search_schema import create_statements, drop_statements

revision: str = "5f2c9a1d7e30"
down_revision: str | None = "8519a9664669"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
