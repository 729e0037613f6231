"""Tri-state support facts: engine × feature, engine × platform, engine × precision."""

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import SupportStatus, enum_column


class SupportFact(SQLModel):
    engine_id: int = Field(foreign_key="engine.id", ondelete="CASCADE", index=True)
    status: SupportStatus = Field(
        sa_type=enum_column(SupportStatus, "support_status"),
        description="Supported, not supported, or unknown (the source did not say).",
    )
    note: str | None = Field(
        default=None,
        max_length=300,
        description="Qualification of the fact, if any, e.g. `NVIDIA Jetson`.",
    )
    source_id: int = Field(foreign_key="source.id", ondelete="RESTRICT", index=True)


class FeatureSupport(SupportFact, table=True):
    __tablename__ = "feature_support"
    __table_args__ = (sa.UniqueConstraint("engine_id", "feature_id", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    feature_id: int = Field(foreign_key="optimization_feature.id", ondelete="CASCADE", index=True)


class PlatformSupport(SupportFact, table=True):
    __tablename__ = "platform_support"
    __table_args__ = (sa.UniqueConstraint("engine_id", "platform_id", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform_id: int = Field(foreign_key="platform.id", ondelete="CASCADE", index=True)


class PrecisionSupport(SupportFact, table=True):
    __tablename__ = "precision_support"
    __table_args__ = (sa.UniqueConstraint("engine_id", "precision_id", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    precision_id: int = Field(foreign_key="precision.id", ondelete="CASCADE", index=True)
