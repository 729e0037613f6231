"""initial schema

Revision ID: 8519a9664669
Revises:
Create Date: 2026-11-28 10:11:08.974662
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "8519a9664669"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "author",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("family", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("given", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_author")),
        sa.UniqueConstraint("name_key", name=op.f("uq_author_name_key")),
    )
    op.create_table(
        "llm_model",
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("family", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("parameters_billion", sa.Float(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_model")),
        sa.UniqueConstraint("slug", name=op.f("uq_llm_model_slug")),
    )
    op.create_table(
        "optimization_feature",
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "technique", "group", name="feature_kind", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_optimization_feature")),
        sa.UniqueConstraint("slug", name=op.f("uq_optimization_feature_slug")),
    )
    op.create_table(
        "organization",
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "community",
                "academic",
                "big_tech",
                "startup",
                name="organization_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
        sa.UniqueConstraint("slug", name=op.f("uq_organization_slug")),
    )
    op.create_table(
        "platform",
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "os",
                "cpu_architecture",
                "accelerator",
                "edge",
                "hosted_api",
                name="platform_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform")),
        sa.UniqueConstraint("slug", name=op.f("uq_platform_slug")),
    )
    op.create_table(
        "precision",
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("bits", sa.Integer(), nullable=False),
        sa.Column(
            "family",
            sa.Enum(
                "float",
                "integer",
                "normal_float",
                "microscaling",
                name="precision_family",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_precision")),
        sa.UniqueConstraint("slug", name=op.f("uq_precision_slug")),
    )
    op.create_table(
        "source",
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "table",
                "figure",
                "text",
                "list",
                "bibtex",
                "arxiv",
                name="source_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("locator", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("document_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("slug", name=op.f("uq_source_slug")),
    )
    op.create_table(
        "technique_category",
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["technique_category.id"],
            name=op.f("fk_technique_category_parent_id_technique_category"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technique_category")),
        sa.UniqueConstraint("slug", name=op.f("uq_technique_category_slug")),
    )
    with op.batch_alter_table("technique_category", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_technique_category_parent_id"), ["parent_id"], unique=False
        )

    op.create_table(
        "device",
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("vendor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("memory_gb", sa.Integer(), nullable=True),
        sa.Column("platform_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["platform.id"],
            name=op.f("fk_device_platform_id_platform"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
        sa.UniqueConstraint("slug", name=op.f("uq_device_slug")),
    )
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_platform_id"), ["platform_id"], unique=False)

    op.create_table(
        "engine",
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("release_year", sa.Integer(), nullable=True),
        sa.Column("release_month", sa.Integer(), nullable=True),
        sa.Column(
            "open_source",
            sa.Enum(
                "yes",
                "partial",
                "no",
                name="open_source",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("is_commercial", sa.Boolean(), nullable=False),
        sa.Column("github_stars", sa.Integer(), nullable=True),
        sa.Column(
            "docs_level",
            sa.Enum(
                "detailed",
                "moderate",
                "simple",
                "missing",
                name="docs_level",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("has_sns", sa.Boolean(), nullable=True),
        sa.Column("has_forum", sa.Boolean(), nullable=True),
        sa.Column("has_meetup", sa.Boolean(), nullable=True),
        sa.Column("repo_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("web_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column(
            "deployment_scale",
            sa.Enum(
                "single_node",
                "multi_node",
                name="deployment_scale",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "hardware_diversity",
            sa.Enum(
                "heterogeneous",
                "homogeneous",
                name="hardware_diversity",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_engine_organization_id_organization"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engine")),
        sa.UniqueConstraint("slug", name=op.f("uq_engine_slug")),
    )
    with op.batch_alter_table("engine", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engine_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "paper",
        sa.Column("bibtex_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("entry_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("month", sa.Integer(), nullable=True),
        sa.Column("venue", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("doi", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("arxiv_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("abstract", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("bibtex_fields", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_paper_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper")),
        sa.UniqueConstraint("arxiv_id", name=op.f("uq_paper_arxiv_id")),
        sa.UniqueConstraint("bibtex_key", name=op.f("uq_paper_bibtex_key")),
        sa.UniqueConstraint("doi", name=op.f("uq_paper_doi")),
    )
    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_source_id"), ["source_id"], unique=False)

    op.create_table(
        "platform_example",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["platform.id"],
            name=op.f("fk_platform_example_platform_id_platform"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_example")),
        sa.UniqueConstraint(
            "platform_id", "position", name=op.f("uq_platform_example_platform_id_position")
        ),
    )
    with op.batch_alter_table("platform_example", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_platform_example_platform_id"), ["platform_id"], unique=False
        )

    op.create_table(
        "technique",
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("in_survey_table", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["technique_category.id"],
            name=op.f("fk_technique_category_id_technique_category"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technique")),
        sa.UniqueConstraint("slug", name=op.f("uq_technique_slug")),
    )
    with op.batch_alter_table("technique", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_technique_category_id"), ["category_id"], unique=False)

    op.create_table(
        "benchmark_run",
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("engine_id", sa.Integer(), nullable=True),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("model_scope", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("device_count", sa.Integer(), nullable=True),
        sa.Column("metric", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("value_max", sa.Float(), nullable=True),
        sa.Column(
            "qualifier",
            sa.Enum(
                "exact",
                "approximate",
                "greater_than",
                "at_least",
                name="value_qualifier",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=True),
        sa.Column("workload", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.id"],
            name=op.f("fk_benchmark_run_device_id_device"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["engine_id"],
            ["engine.id"],
            name=op.f("fk_benchmark_run_engine_id_engine"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["llm_model.id"],
            name=op.f("fk_benchmark_run_model_id_llm_model"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_benchmark_run_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark_run")),
        sa.UniqueConstraint("slug", name=op.f("uq_benchmark_run_slug")),
    )
    with op.batch_alter_table("benchmark_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_benchmark_run_device_id"), ["device_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_benchmark_run_engine_id"), ["engine_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_benchmark_run_metric"), ["metric"], unique=False)
        batch_op.create_index(batch_op.f("ix_benchmark_run_model_id"), ["model_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_benchmark_run_source_id"), ["source_id"], unique=False)

    op.create_table(
        "device_price",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("usd_per_hour", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.id"],
            name=op.f("fk_device_price_device_id_device"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["engine.id"],
            name=op.f("fk_device_price_provider_id_engine"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_device_price_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_price")),
        sa.UniqueConstraint(
            "provider_id",
            "device_id",
            "source_id",
            name=op.f("uq_device_price_provider_id_device_id_source_id"),
        ),
    )
    with op.batch_alter_table("device_price", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_price_device_id"), ["device_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_device_price_provider_id"), ["provider_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_device_price_source_id"), ["source_id"], unique=False)

    op.create_table(
        "engine_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engine_id", sa.Integer(), nullable=False),
        sa.Column("alias", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("normalized", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["engine_id"],
            ["engine.id"],
            name=op.f("fk_engine_alias_engine_id_engine"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engine_alias")),
        sa.UniqueConstraint("normalized", name=op.f("uq_engine_alias_normalized")),
    )
    with op.batch_alter_table("engine_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engine_alias_engine_id"), ["engine_id"], unique=False)

    op.create_table(
        "engine_paper",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engine_id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engine_id"],
            ["engine.id"],
            name=op.f("fk_engine_paper_engine_id_engine"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["paper.id"],
            name=op.f("fk_engine_paper_paper_id_paper"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_engine_paper_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engine_paper")),
        sa.UniqueConstraint(
            "engine_id", "paper_id", name=op.f("uq_engine_paper_engine_id_paper_id")
        ),
    )
    with op.batch_alter_table("engine_paper", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engine_paper_engine_id"), ["engine_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_engine_paper_paper_id"), ["paper_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_engine_paper_source_id"), ["source_id"], unique=False)

    op.create_table(
        "feature_member",
        sa.Column("feature_id", sa.Integer(), nullable=False),
        sa.Column("technique_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feature_id"],
            ["optimization_feature.id"],
            name=op.f("fk_feature_member_feature_id_optimization_feature"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["technique_id"],
            ["technique.id"],
            name=op.f("fk_feature_member_technique_id_technique"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feature_id", "technique_id", name=op.f("pk_feature_member")),
    )
    op.create_table(
        "feature_support",
        sa.Column("engine_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "supported",
                "not_supported",
                "unknown",
                name="support_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feature_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engine_id"],
            ["engine.id"],
            name=op.f("fk_feature_support_engine_id_engine"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["feature_id"],
            ["optimization_feature.id"],
            name=op.f("fk_feature_support_feature_id_optimization_feature"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_feature_support_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feature_support")),
        sa.UniqueConstraint(
            "engine_id",
            "feature_id",
            "source_id",
            name=op.f("uq_feature_support_engine_id_feature_id_source_id"),
        ),
    )
    with op.batch_alter_table("feature_support", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feature_support_engine_id"), ["engine_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feature_support_feature_id"), ["feature_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feature_support_source_id"), ["source_id"], unique=False
        )

    op.create_table(
        "layout_entry",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column(
            "axis",
            sa.Enum("row", "column", name="layout_axis", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("engine_id", sa.Integer(), nullable=True),
        sa.Column("platform_id", sa.Integer(), nullable=True),
        sa.Column("precision_id", sa.Integer(), nullable=True),
        sa.Column("feature_id", sa.Integer(), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("technique_id", sa.Integer(), nullable=True),
        sa.Column("cell", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN engine_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN platform_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN precision_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN feature_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN device_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN model_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN technique_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name=op.f("ck_layout_entry_one_entity"),
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.id"],
            name=op.f("fk_layout_entry_device_id_device"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engine_id"],
            ["engine.id"],
            name=op.f("fk_layout_entry_engine_id_engine"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["feature_id"],
            ["optimization_feature.id"],
            name=op.f("fk_layout_entry_feature_id_optimization_feature"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["llm_model.id"],
            name=op.f("fk_layout_entry_model_id_llm_model"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["platform.id"],
            name=op.f("fk_layout_entry_platform_id_platform"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["precision_id"],
            ["precision.id"],
            name=op.f("fk_layout_entry_precision_id_precision"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_layout_entry_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["technique_id"],
            ["technique.id"],
            name=op.f("fk_layout_entry_technique_id_technique"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_layout_entry")),
        sa.UniqueConstraint(
            "source_id",
            "axis",
            "cell",
            "position",
            name=op.f("uq_layout_entry_source_id_axis_cell_position"),
        ),
    )
    op.create_table(
        "model_price",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("input_usd_per_mtok", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.Column("output_usd_per_mtok", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.Column("served_model_id", sa.Integer(), nullable=True),
        sa.Column("model_variant", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("pricing_mode", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["llm_model.id"],
            name=op.f("fk_model_price_model_id_llm_model"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["engine.id"],
            name=op.f("fk_model_price_provider_id_engine"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["served_model_id"],
            ["llm_model.id"],
            name=op.f("fk_model_price_served_model_id_llm_model"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_model_price_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_price")),
        sa.UniqueConstraint(
            "provider_id",
            "model_id",
            "source_id",
            name=op.f("uq_model_price_provider_id_model_id_source_id"),
        ),
    )
    with op.batch_alter_table("model_price", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_price_model_id"), ["model_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_model_price_provider_id"), ["provider_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_model_price_source_id"), ["source_id"], unique=False)

    op.create_table(
        "paper_author",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("raw_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["author.id"],
            name=op.f("fk_paper_author_author_id_author"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["paper.id"],
            name=op.f("fk_paper_author_paper_id_paper"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("paper_id", "position", name=op.f("pk_paper_author")),
    )
    with op.batch_alter_table("paper_author", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_author_author_id"), ["author_id"], unique=False)

    op.create_table(
        "platform_support",
        sa.Column("engine_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "supported",
                "not_supported",
                "unknown",
                name="support_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engine_id"],
            ["engine.id"],
            name=op.f("fk_platform_support_engine_id_engine"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["platform.id"],
            name=op.f("fk_platform_support_platform_id_platform"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_platform_support_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_support")),
        sa.UniqueConstraint(
            "engine_id",
            "platform_id",
            "source_id",
            name=op.f("uq_platform_support_engine_id_platform_id_source_id"),
        ),
    )
    with op.batch_alter_table("platform_support", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_platform_support_engine_id"), ["engine_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_platform_support_platform_id"), ["platform_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_platform_support_source_id"), ["source_id"], unique=False
        )

    op.create_table(
        "precision_support",
        sa.Column("engine_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "supported",
                "not_supported",
                "unknown",
                name="support_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("precision_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engine_id"],
            ["engine.id"],
            name=op.f("fk_precision_support_engine_id_engine"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["precision_id"],
            ["precision.id"],
            name=op.f("fk_precision_support_precision_id_precision"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_precision_support_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_precision_support")),
        sa.UniqueConstraint(
            "engine_id",
            "precision_id",
            "source_id",
            name=op.f("uq_precision_support_engine_id_precision_id_source_id"),
        ),
    )
    with op.batch_alter_table("precision_support", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_precision_support_engine_id"), ["engine_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_precision_support_precision_id"), ["precision_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_precision_support_source_id"), ["source_id"], unique=False
        )

    op.create_table(
        "technique_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("technique_id", sa.Integer(), nullable=False),
        sa.Column("alias", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["technique_id"],
            ["technique.id"],
            name=op.f("fk_technique_alias_technique_id_technique"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technique_alias")),
        sa.UniqueConstraint(
            "technique_id", "alias", name=op.f("uq_technique_alias_technique_id_alias")
        ),
    )
    with op.batch_alter_table("technique_alias", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_technique_alias_technique_id"), ["technique_id"], unique=False
        )

    op.create_table(
        "technique_citation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("technique_id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["paper.id"],
            name=op.f("fk_technique_citation_paper_id_paper"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_technique_citation_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["technique_id"],
            ["technique.id"],
            name=op.f("fk_technique_citation_technique_id_technique"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technique_citation")),
        sa.UniqueConstraint(
            "technique_id",
            "source_id",
            "position",
            name=op.f("uq_technique_citation_technique_id_source_id_position"),
        ),
    )
    with op.batch_alter_table("technique_citation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_technique_citation_paper_id"), ["paper_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technique_citation_source_id"), ["source_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technique_citation_technique_id"), ["technique_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("technique_citation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technique_citation_technique_id"))
        batch_op.drop_index(batch_op.f("ix_technique_citation_source_id"))
        batch_op.drop_index(batch_op.f("ix_technique_citation_paper_id"))

    op.drop_table("technique_citation")
    with op.batch_alter_table("technique_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technique_alias_technique_id"))

    op.drop_table("technique_alias")
    with op.batch_alter_table("precision_support", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_precision_support_source_id"))
        batch_op.drop_index(batch_op.f("ix_precision_support_precision_id"))
        batch_op.drop_index(batch_op.f("ix_precision_support_engine_id"))

    op.drop_table("precision_support")
    with op.batch_alter_table("platform_support", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_platform_support_source_id"))
        batch_op.drop_index(batch_op.f("ix_platform_support_platform_id"))
        batch_op.drop_index(batch_op.f("ix_platform_support_engine_id"))

    op.drop_table("platform_support")
    with op.batch_alter_table("paper_author", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_author_author_id"))

    op.drop_table("paper_author")
    with op.batch_alter_table("model_price", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_price_source_id"))
        batch_op.drop_index(batch_op.f("ix_model_price_provider_id"))
        batch_op.drop_index(batch_op.f("ix_model_price_model_id"))

    op.drop_table("model_price")
    op.drop_table("layout_entry")
    with op.batch_alter_table("feature_support", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feature_support_source_id"))
        batch_op.drop_index(batch_op.f("ix_feature_support_feature_id"))
        batch_op.drop_index(batch_op.f("ix_feature_support_engine_id"))

    op.drop_table("feature_support")
    op.drop_table("feature_member")
    with op.batch_alter_table("engine_paper", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engine_paper_source_id"))
        batch_op.drop_index(batch_op.f("ix_engine_paper_paper_id"))
        batch_op.drop_index(batch_op.f("ix_engine_paper_engine_id"))

    op.drop_table("engine_paper")
    with op.batch_alter_table("engine_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engine_alias_engine_id"))

    op.drop_table("engine_alias")
    with op.batch_alter_table("device_price", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_price_source_id"))
        batch_op.drop_index(batch_op.f("ix_device_price_provider_id"))
        batch_op.drop_index(batch_op.f("ix_device_price_device_id"))

    op.drop_table("device_price")
    with op.batch_alter_table("benchmark_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_benchmark_run_source_id"))
        batch_op.drop_index(batch_op.f("ix_benchmark_run_model_id"))
        batch_op.drop_index(batch_op.f("ix_benchmark_run_metric"))
        batch_op.drop_index(batch_op.f("ix_benchmark_run_engine_id"))
        batch_op.drop_index(batch_op.f("ix_benchmark_run_device_id"))

    op.drop_table("benchmark_run")
    with op.batch_alter_table("technique", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technique_category_id"))

    op.drop_table("technique")
    with op.batch_alter_table("platform_example", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_platform_example_platform_id"))

    op.drop_table("platform_example")
    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_source_id"))

    op.drop_table("paper")
    with op.batch_alter_table("engine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engine_organization_id"))

    op.drop_table("engine")
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_platform_id"))

    op.drop_table("device")
    with op.batch_alter_table("technique_category", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technique_category_parent_id"))

    op.drop_table("technique_category")
    op.drop_table("source")
    op.drop_table("precision")
    op.drop_table("platform")
    op.drop_table("organization")
    op.drop_table("optimization_feature")
    op.drop_table("llm_model")
    op.drop_table("author")
