"""benchmark imports: runs from MLPerf, llmperf, vLLM bench, GuideLLM and InferenceX files

Revision ID: e3b7d2f5a9c1
Revises: e4b8c2d6f1a3
Create Date: 2026-12-01 13:00:00

The scenario, workload, statistic, versions and provenance of a run become columns of
`benchmark_run` (the survey's runs leave them empty); runs whose names match nothing stored
wait in `run_review`; accepted reviews teach `model_alias` and `device_alias`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from api.data_version_schema import create_trigger_statements, drop_trigger_statements

revision: str = "e3b7d2f5a9c1"
down_revision: str | None = "e4b8c2d6f1a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
NEW_CONTENT_TABLES = ["run_review", "model_alias", "device_alias"]


def upgrade() -> None:
    # Never a rebuild on SQLite: it would drop the table's data-version triggers.
    with op.batch_alter_table("benchmark_run", recreate="never") as batch:
        batch.add_column(sa.Column("statistic", _TEXT(length=20), nullable=True))
        batch.add_column(
            sa.Column("per_device", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("engine_version", _TEXT(length=100), nullable=True))
        batch.add_column(sa.Column("model_variant", _TEXT(length=100), nullable=True))
        batch.add_column(sa.Column("scenario", _TEXT(length=40), nullable=True))
        batch.add_column(sa.Column("input_tokens", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("output_tokens", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("request_rate", sa.Float(), nullable=True))
        batch.add_column(sa.Column("precision", _TEXT(length=60), nullable=True))
        batch.add_column(sa.Column("submitter", _TEXT(length=200), nullable=True))
        batch.add_column(sa.Column("measured_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("import_format", _TEXT(length=20), nullable=True))
        batch.add_column(sa.Column("format_version", _TEXT(length=60), nullable=True))
        batch.add_column(sa.Column("origin_file", _TEXT(length=300), nullable=True))
        batch.add_column(sa.Column("origin_record", _TEXT(length=300), nullable=True))
        batch.add_column(sa.Column("origin_path", _TEXT(length=100), nullable=True))
        batch.add_column(sa.Column("verbatim", sa.JSON(), nullable=True))
        batch.create_index(batch.f("ix_benchmark_run_statistic"), ["statistic"], unique=False)
        batch.create_index(batch.f("ix_benchmark_run_scenario"), ["scenario"], unique=False)
        batch.create_index(
            batch.f("ix_benchmark_run_import_format"), ["import_format"], unique=False
        )
        batch.create_index(
            batch.f("ix_benchmark_run_origin_record"), ["origin_record"], unique=False
        )

    op.create_table(
        "run_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", _TEXT(length=330), nullable=False),
        sa.Column("import_format", _TEXT(length=20), nullable=False),
        sa.Column("origin_file", _TEXT(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "rejected",
                name="review_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("unresolved", sa.JSON(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("note", _TEXT(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_run_review_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_review")),
        sa.UniqueConstraint("identity", name=op.f("uq_run_review_identity")),
    )
    with op.batch_alter_table("run_review") as batch:
        batch.create_index(batch.f("ix_run_review_source_id"), ["source_id"], unique=False)

    for table, target in (("model_alias", "llm_model"), ("device_alias", "device")):
        key = "model_id" if table == "model_alias" else "device_id"
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column(key, sa.Integer(), nullable=False),
            sa.Column("alias", _TEXT(length=300), nullable=False),
            sa.Column("normalized", _TEXT(length=300), nullable=False),
            sa.ForeignKeyConstraint(
                [key], [f"{target}.id"], name=op.f(f"fk_{table}_{key}_{target}"), ondelete="CASCADE"
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("normalized", name=op.f(f"uq_{table}_normalized")),
        )
        with op.batch_alter_table(table) as batch:
            batch.create_index(batch.f(f"ix_{table}_{key}"), [key], unique=False)

    for statement in create_trigger_statements(op.get_bind().dialect.name, NEW_CONTENT_TABLES):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_trigger_statements(op.get_bind().dialect.name, NEW_CONTENT_TABLES):
        op.execute(statement)
    op.drop_table("device_alias")
    op.drop_table("model_alias")
    op.drop_table("run_review")
    with op.batch_alter_table("benchmark_run") as batch:
        batch.drop_index(batch.f("ix_benchmark_run_origin_record"))
        batch.drop_index(batch.f("ix_benchmark_run_import_format"))
        batch.drop_index(batch.f("ix_benchmark_run_scenario"))
        batch.drop_index(batch.f("ix_benchmark_run_statistic"))
        for name in (
            "verbatim",
            "origin_path",
            "origin_record",
            "origin_file",
            "format_version",
            "import_format",
            "measured_on",
            "submitter",
            "precision",
            "request_rate",
            "output_tokens",
            "input_tokens",
            "scenario",
            "model_variant",
            "engine_version",
            "per_device",
            "statistic",
        ):
            batch.drop_column(name)
    # Dropping columns may rebuild the table on SQLite, losing its triggers: put them back.
    dialect = op.get_bind().dialect.name
    for statement in [
        *drop_trigger_statements(dialect, ["benchmark_run"]),
        *create_trigger_statements(dialect, ["benchmark_run"]),
    ]:
        op.execute(statement)
