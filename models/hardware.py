"""Hardware platforms (matrix columns), concrete devices and numeric precisions."""

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import PlatformKind, PrecisionFamily, enum_column


class PlatformBase(SQLModel):
    slug: str = Field(
        max_length=120, unique=True, description="Stable identifier, e.g. `nvidia-gpu`."
    )
    name: str = Field(max_length=200, description="Name, e.g. `NVIDIA GPU (CUDA)`.")
    kind: PlatformKind = Field(
        sa_type=enum_column(PlatformKind, "platform_kind"),
        description="OS, CPU architecture, accelerator, edge or hosted API.",
    )
    url: str | None = Field(
        default=None, max_length=500, description="Vendor page, for platforms the survey links."
    )


class Platform(PlatformBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class PlatformExample(SQLModel, table=True):
    """A named product the survey gives as an example of a platform (A100 for NVIDIA GPU)."""

    __tablename__ = "platform_example"
    __table_args__ = (sa.UniqueConstraint("platform_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    platform_id: int = Field(foreign_key="platform.id", ondelete="CASCADE", index=True)
    position: int = Field(ge=0)
    name: str = Field(max_length=200)
    url: str | None = Field(default=None, max_length=500)


class DeviceBase(SQLModel):
    slug: str = Field(
        max_length=120, unique=True, description="Stable identifier, e.g. `nvidia-h100-80gb`."
    )
    name: str = Field(max_length=200, description="Name, e.g. `NVIDIA H100 80GB`.")
    vendor: str = Field(max_length=100, description="Maker, e.g. `NVIDIA`.")
    memory_gb: int | None = Field(
        default=None, ge=0, description="Device memory in GB, when the source states it."
    )
    platform_id: int | None = Field(
        default=None, foreign_key="platform.id", ondelete="RESTRICT", index=True
    )


class Device(DeviceBase, table=True):
    """A specific piece of hardware that prices and benchmark runs refer to."""

    id: int | None = Field(default=None, primary_key=True)


class PrecisionBase(SQLModel):
    slug: str = Field(max_length=40, unique=True, description="Stable identifier, e.g. `mxfp4`.")
    name: str = Field(max_length=40, description="Name, e.g. `MXFP4`.")
    bits: int = Field(ge=1, le=64, description="Bits per value.")
    family: PrecisionFamily = Field(
        sa_type=enum_column(PrecisionFamily, "precision_family"),
        description="Float, integer, normal float or microscaling.",
    )


class Precision(PrecisionBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
