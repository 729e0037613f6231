"""read path indexes: paper list orders, year ranges and DOI lookups served by indexes

Revision ID: c9e5a3b2d4f6
Revises: b8d4f2a1c3e5
Create Date: 2026-11-28 15:20:00

Measured by bench/scale.py on a 100,000-paper graph: without them every page of the paper
list sorted the whole table and a DOI lookup scanned it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c9e5a3b2d4f6"
down_revision: str | None = "b8d4f2a1c3e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, key parts); the expressions match the ORDER BY that api/services/pagination.py emits.
INDEXES: list[tuple[str, list[str]]] = [
    ("ix_paper_year_desc_order", ["(year IS NULL)", "year DESC", "id"]),
    ("ix_paper_year_asc_order", ["(year IS NULL)", "year", "id"]),
    ("ix_paper_title_order", ["(lower(title) IS NULL)", "lower(title)", "id"]),
    ("ix_paper_year", ["year"]),
    ("ix_paper_doi_lower", ["lower(doi)"]),
]


def upgrade() -> None:
    for name, parts in INDEXES:
        op.create_index(name, "paper", [sa.text(part) for part in parts])
    # Papers cited by a set of techniques (the technique and category filters) read from the
    # index alone instead of one table row per citation.
    op.create_index(
        "ix_technique_citation_technique_paper", "technique_citation", ["technique_id", "paper_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_technique_citation_technique_paper", table_name="technique_citation")
    for name, _ in reversed(INDEXES):
        op.drop_index(name, table_name="paper")
