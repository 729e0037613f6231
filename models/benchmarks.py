"""Measured benchmark runs."""

from sqlmodel import Field, SQLModel

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


class BenchmarkRun(BenchmarkRunBase, table=True):
    __tablename__ = "benchmark_run"

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", ondelete="RESTRICT", index=True)
