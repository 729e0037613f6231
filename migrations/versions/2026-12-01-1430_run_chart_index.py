"""run chart index: the runs charts read their points from one covering index

Revision ID: b6d1f4a8c2e7
Revises: e3b7d2f5a9c1
Create Date: 2026-12-01 14:30:00

The throughput charts group benchmark runs by metric, engine, device, unit and concurrency and
average the value; with these six columns in one index the database reads the points from the
index in order, however many other runs (latencies, powers) are stored.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b6d1f4a8c2e7"
down_revision: str | None = "e3b7d2f5a9c1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["metric", "engine_id", "device_id", "unit", "concurrency", "value"]


def upgrade() -> None:
    # A plain CREATE INDEX on both databases: a batch rebuild on SQLite would drop the
    # table's data-version triggers.
    op.create_index("ix_benchmark_run_chart_points", "benchmark_run", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_benchmark_run_chart_points", table_name="benchmark_run")
