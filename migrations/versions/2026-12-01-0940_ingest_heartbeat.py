"""ingest heartbeat: when a run last committed a batch, so runs of dead processes are known

Revision ID: d1a7c4e9b2f0
Revises: c9e5a3b2d4f6
Create Date: 2026-12-01 09:40:00

A killed ingest left its run `running` forever, indistinguishable from one in progress.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d1a7c4e9b2f0"
down_revision: str | None = "c9e5a3b2d4f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_run") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingest_run") as batch:
        batch.drop_column("heartbeat_at")
