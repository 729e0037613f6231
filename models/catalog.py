"""Organizations and the inference engines they build."""

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import (
    DeploymentScale,
    DocsLevel,
    HardwareDiversity,
    OpenSource,
    OrganizationKind,
    enum_column,
)


class OrganizationBase(SQLModel):
    slug: str = Field(
        max_length=120, unique=True, description="Stable identifier, e.g. `hugging-face`."
    )
    name: str = Field(max_length=200, description="Name, e.g. `Hugging Face`, `SJTU-IPADS`.")
    kind: OrganizationKind = Field(
        sa_type=enum_column(OrganizationKind, "organization_kind"),
        description="Community, academic, big tech or startup.",
    )


class Organization(OrganizationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class EngineBase(SQLModel):
    slug: str = Field(max_length=120, unique=True, description="Stable identifier, e.g. `vllm`.")
    name: str = Field(max_length=200, description="Display name, e.g. `TensorRT-LLM`.")
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", ondelete="RESTRICT", index=True
    )
    release_year: int | None = Field(
        default=None, ge=1990, le=2100, description="Year of the first release."
    )
    release_month: int | None = Field(
        default=None, ge=1, le=12, description="Month (1-12) of the first release."
    )
    open_source: OpenSource | None = Field(
        default=None,
        sa_type=enum_column(OpenSource, "open_source"),
        description="Whether the code is open: yes, partial or no.",
    )
    is_commercial: bool = Field(
        default=False, description="Offered as a commercial hosted service."
    )
    github_stars: int | None = Field(
        default=None, ge=0, description="GitHub stars as counted by the survey."
    )
    docs_level: DocsLevel | None = Field(
        default=None,
        sa_type=enum_column(DocsLevel, "docs_level"),
        description="How complete the documentation is.",
    )
    has_sns: bool | None = Field(default=None, description="Discord / Slack presence.")
    has_forum: bool | None = Field(default=None, description="Whether a discussion forum exists.")
    has_meetup: bool | None = Field(default=None, description="Meetups or events.")
    repo_url: str | None = Field(default=None, max_length=500, description="Source repository.")
    web_url: str | None = Field(
        default=None, max_length=500, description="Web site or documentation."
    )
    deployment_scale: DeploymentScale | None = Field(
        default=None,
        sa_type=enum_column(DeploymentScale, "deployment_scale"),
        description="Single-node or multi-node serving.",
    )
    hardware_diversity: HardwareDiversity | None = Field(
        default=None,
        sa_type=enum_column(HardwareDiversity, "hardware_diversity"),
        description="Heterogeneous or homogeneous hardware support.",
    )


class Engine(EngineBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class EngineAlias(SQLModel, table=True):
    """Another name an engine is known by; lookups match it case-insensitively."""

    __tablename__ = "engine_alias"
    __table_args__ = (sa.UniqueConstraint("normalized"),)

    id: int | None = Field(default=None, primary_key=True)
    engine_id: int = Field(foreign_key="engine.id", ondelete="CASCADE", index=True)
    alias: str = Field(max_length=200)
    normalized: str = Field(max_length=200, description="Case-folded alias, for lookups.")
