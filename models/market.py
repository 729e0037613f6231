"""LLM models and what commercial providers charge for models and devices."""

from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class LLMModelBase(SQLModel):
    slug: str = Field(
        max_length=120, unique=True, description="Stable identifier, e.g. `llama-3.1-8b`."
    )
    name: str = Field(max_length=200, description="Name, e.g. `Llama 3.1 8B`.")
    family: str | None = Field(
        default=None, max_length=100, description="Model family, e.g. `Llama`."
    )
    parameters_billion: float | None = Field(
        default=None, ge=0, description="Parameter count in billions, when the name states it."
    )


class LLMModel(LLMModelBase, table=True):
    __tablename__ = "llm_model"

    id: int | None = Field(default=None, primary_key=True)


class ModelPrice(SQLModel, table=True):
    """USD per million tokens a provider charged for a model. No row means not offered."""

    __tablename__ = "model_price"
    __table_args__ = (sa.UniqueConstraint("provider_id", "model_id", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="engine.id", ondelete="CASCADE", index=True)
    model_id: int = Field(foreign_key="llm_model.id", ondelete="CASCADE", index=True)
    input_usd_per_mtok: Decimal = Field(max_digits=10, decimal_places=4, ge=0)
    output_usd_per_mtok: Decimal = Field(max_digits=10, decimal_places=4, ge=0)
    served_model_id: int | None = Field(
        default=None,
        foreign_key="llm_model.id",
        ondelete="RESTRICT",
        description="The model actually priced when the provider substitutes one (a distill).",
    )
    model_variant: str | None = Field(
        default=None, max_length=60, description="e.g. `Instruct`: the variant priced."
    )
    pricing_mode: str | None = Field(default=None, max_length=60, description="e.g. `Turbo`.")
    source_id: int = Field(foreign_key="source.id", ondelete="RESTRICT", index=True)


class DevicePrice(SQLModel, table=True):
    """USD per hour a provider charged for one device. No row means not offered."""

    __tablename__ = "device_price"
    __table_args__ = (sa.UniqueConstraint("provider_id", "device_id", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="engine.id", ondelete="CASCADE", index=True)
    device_id: int = Field(foreign_key="device.id", ondelete="CASCADE", index=True)
    usd_per_hour: Decimal = Field(max_digits=10, decimal_places=4, ge=0)
    source_id: int = Field(foreign_key="source.id", ondelete="RESTRICT", index=True)
