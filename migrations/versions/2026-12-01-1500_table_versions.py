"""versions per table: a count of committed writes for each content table, beside the counter

Revision ID: f2c8a4e6b1d3
Revises: e3b7d2f5a9c1
Create Date: 2026-12-01 15:00:00
"""

from collections.abc import Sequence

from alembic import op

from api.data_version_schema import create_table_version_statements, drop_table_version_statements

revision: str = "f2c8a4e6b1d3"
down_revision: str | None = "b6d1f4a8c2e7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every content table at this revision: those of the data version's migration and the two
# that added content tables since (tests/cache/test_data_version.py checks the set).
CONTENT_TABLES = [
    "organization",
    "engine",
    "engine_alias",
    "technique_category",
    "technique",
    "technique_alias",
    "optimization_feature",
    "feature_member",
    "author",
    "paper",
    "paper_author",
    "technique_citation",
    "engine_paper",
    "technique_link",
    "platform",
    "platform_example",
    "device",
    "precision",
    "feature_support",
    "platform_support",
    "precision_support",
    "llm_model",
    "model_price",
    "device_price",
    "benchmark_run",
    "source",
    "layout_entry",
    "paper_conflict",
    "paper_merge",
    "paper_alias",
    "run_review",
    "model_alias",
    "device_alias",
]


def upgrade() -> None:
    for statement in create_table_version_statements(op.get_bind().dialect.name, CONTENT_TABLES):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_table_version_statements(op.get_bind().dialect.name, CONTENT_TABLES):
        op.execute(statement)
