"""Measured benchmark runs, from the survey and from imported result files, and the imported
runs held for review because a name in them matched nothing stored."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from models.base import ValueQualifier, enum_column


class BenchmarkRunBase(SQLModel):
    slug: str = Field(max_length=200, unique=True, description="Stable identifier of the run.")
    engine_id: int | None = Field(
        default=None,
        foreign_key="engine.id",
        ondelete="CASCADE",
        index=True,
        description="Engine or hosted provider measured; empty when the source names none.",
    )
    model_id: int | None = Field(
        default=None, foreign_key="llm_model.id", ondelete="RESTRICT", index=True
    )
    model_scope: str | None = Field(
        default=None,
        max_length=100,
        description="Model class when no single model is named, e.g. `8B models`.",
    )
    device_id: int | None = Field(
        default=None, foreign_key="device.id", ondelete="RESTRICT", index=True
    )
    device_count: int | None = Field(
        default=None, ge=1, description="Number of devices, when stated."
    )
    metric: str = Field(max_length=60, index=True, description="e.g. `output_throughput`.")
    value: float = Field(description="The number; the lower bound of a range.")
    value_max: float | None = Field(default=None, description="Upper bound of a range.")
    qualifier: ValueQualifier = Field(
        default=ValueQualifier.EXACT,
        sa_type=enum_column(ValueQualifier, "value_qualifier"),
        description="Exact, approximate (`~`), greater than (`>`) or at least.",
    )
    unit: str = Field(max_length=30, description="e.g. `tokens/s`, `s`, `requests/s`.")
    concurrency: int | None = Field(
        default=None, ge=1, description="Concurrent requests during the run."
    )
    workload: str | None = Field(
        default=None, max_length=300, description="What was run, e.g. `4-bit quantized model`."
    )
    statistic: str | None = Field(
        default=None,
        max_length=20,
        index=True,
        description="Which statistic of the measured distribution: `value` (a single number), "
        "`mean`, `median`, `std`, `min`, `max` or a percentile such as `p99`; empty for the "
        "survey's runs, which do not say.",
    )
    per_device: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": sa.false()},
        description="The value is per device (InferenceX's per-GPU throughputs), not for the "
        "whole system of `device_count` devices.",
    )
    engine_version: str | None = Field(
        default=None, max_length=100, description="Engine version, e.g. `0.4.3+rocm614`."
    )
    model_variant: str | None = Field(
        default=None,
        max_length=100,
        description="Variant of the model run: MLPerf accuracy target (`99.9`: within 99.9% of "
        "the reference accuracy), context length (`4096`), `chat-hf`, …",
    )
    scenario: str | None = Field(
        default=None,
        max_length=40,
        index=True,
        description="How load was offered: MLPerf `Offline`, `Server`, `Interactive`, "
        "`SingleStream`; GuideLLM `synchronous`, `throughput`, `concurrent`, `constant`, "
        "`poisson`; `concurrent` (llmperf), `serve` (vLLM bench, InferenceX).",
    )
    input_tokens: int | None = Field(
        default=None, ge=1, description="Requested input (prompt) length in tokens."
    )
    output_tokens: int | None = Field(
        default=None, ge=1, description="Requested output length in tokens."
    )
    request_rate: float | None = Field(
        default=None, ge=0, description="Offered request rate, requests/s; empty when unlimited."
    )
    precision: str | None = Field(
        default=None, max_length=60, description="Weight data types, e.g. `fp8`, `int8, fp16`."
    )
    submitter: str | None = Field(
        default=None, max_length=200, description="Who submitted or measured the run."
    )
    measured_on: date | None = Field(default=None, description="When the run was measured.")
    import_format: str | None = Field(
        default=None,
        max_length=20,
        index=True,
        description="The file format an imported run came from (`mlperf`, `llmperf`, "
        "`vllm-bench`, `guidellm`, `inferencex`); empty for the survey's runs.",
    )
    format_version: str | None = Field(
        default=None, max_length=60, description="The format's version, e.g. MLPerf `v4.1`."
    )
    origin_file: str | None = Field(
        default=None, max_length=300, description="Name of the file the run was imported from."
    )
    origin_record: str | None = Field(
        default=None,
        max_length=300,
        index=True,
        description="The run's id in its format, e.g. MLPerf `v4.1-0001/llama2-70b-99/Offline`.",
    )
    origin_path: str | None = Field(
        default=None, max_length=100, description="JSON path of the record, e.g. `$[17]`."
    )


class BenchmarkRun(BenchmarkRunBase, table=True):
    __tablename__ = "benchmark_run"
    # The runs charts group runs by these columns and average `value`: read from the index
    # alone, in its order, without touching the table.
    __table_args__ = (
        sa.Index(
            "ix_benchmark_run_chart_points",
            "metric",
            "engine_id",
            "device_id",
            "unit",
            "concurrency",
            "value",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", ondelete="RESTRICT", index=True)
    verbatim: dict[str, Any] | None = Field(
        default=None,
        sa_type=JSON,
        description="What the file said, unchanged: engine, model, device and precision "
        "text, the field, value and unit the number was read from, and other context.",
    )


class ReviewStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class RunReview(SQLModel, table=True):
    """An imported run whose engine, model or device matched nothing stored, held (not
    written as a run) until a curator picks the entities or has them created."""

    __tablename__ = "run_review"

    id: int | None = Field(default=None, primary_key=True)
    identity: str = Field(
        max_length=330, unique=True, description="`<format>:<record id>` of the held run."
    )
    import_format: str = Field(max_length=20)
    origin_file: str = Field(max_length=300)
    status: ReviewStatus = Field(
        default=ReviewStatus.PENDING, sa_type=enum_column(ReviewStatus, "review_status")
    )
    unresolved: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSON,
        description="Per kind (engine, model, device): the file's name and suggested slugs.",
    )
    record: dict[str, Any] = Field(
        default_factory=dict, sa_type=JSON, description="The run record as read."
    )
    source_id: int = Field(foreign_key="source.id", ondelete="CASCADE", index=True)
    note: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    decided_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class ModelAlias(SQLModel, table=True):
    """Another name of a model (`llama2-70b`, `meta-llama/Llama-2-70b-chat-hf`), taught by
    accepted run reviews; matched in `normalized` form."""

    __tablename__ = "model_alias"
    __table_args__ = (sa.UniqueConstraint("normalized"),)

    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(foreign_key="llm_model.id", ondelete="CASCADE", index=True)
    alias: str = Field(max_length=300)
    normalized: str = Field(max_length=300)


class DeviceAlias(SQLModel, table=True):
    """Another name of a device (`AMD Instinct MI300X-NPS1-SPX-192GB-750W`), taught by
    accepted run reviews; matched in `normalized` form."""

    __tablename__ = "device_alias"
    __table_args__ = (sa.UniqueConstraint("normalized"),)

    id: int | None = Field(default=None, primary_key=True)
    device_id: int = Field(foreign_key="device.id", ondelete="CASCADE", index=True)
    alias: str = Field(max_length=300)
    normalized: str = Field(max_length=300)
