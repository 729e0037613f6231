"""data version: a counter bumped by every committed write to content, for caches and ETags

Revision ID: b8d4f2a1c3e5
Revises: a7c3e1f0b2d4
Create Date: 2026-11-28 15:10:00
"""

import secrets
from collections.abc import Sequence

from alembic import op

from api.data_version_schema import create_statements, drop_statements

revision: str = "b8d4f2a1c3e5"
down_revision: str | None = "a7c3e1f0b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Content tables as of this revision. A later migration that adds a content table adds its
# triggers too (tests/cache/test_data_version.py fails until it does).
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
]


def upgrade() -> None:
    # The epoch tells this database apart from one rebuilt from scratch, whose counter starts
    # over: an ETag issued by one is never mistaken for the other's.
    epoch = secrets.token_hex(4)
    for statement in create_statements(op.get_bind().dialect.name, CONTENT_TABLES, epoch):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_statements(op.get_bind().dialect.name, CONTENT_TABLES):
        op.execute(statement)
