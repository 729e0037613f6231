"""The shape of each seed file's records. Slugs stand for references to other records."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from models.base import (
    DeploymentScale,
    DocsLevel,
    FeatureKind,
    HardwareDiversity,
    LayoutAxis,
    OpenSource,
    OrganizationKind,
    PlatformKind,
    PrecisionFamily,
    SourceKind,
    SupportStatus,
    ValueQualifier,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.\-]*$", max_length=120)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=500)]


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRow(Row):
    slug: Slug
    title: Text
    kind: SourceKind
    locator: str | None = None
    document_url: Url | None = None
    as_of: date | None = None


class OrganizationRow(Row):
    slug: Slug
    name: Text
    kind: OrganizationKind


class EngineRow(Row):
    slug: Slug
    name: Text
    aliases: list[Text] = []
    organization: Slug | None = None
    release: Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] | None = None
    open_source: OpenSource | None = None
    commercial: bool = False
    github_stars: int | None = Field(default=None, ge=0, le=100_000_000)
    docs: DocsLevel | None = None
    sns: bool | None = None
    forum: bool | None = None
    meetup: bool | None = None
    repo_url: Url | None = None
    web_url: Url | None = None
    deployment_scale: DeploymentScale | None = None
    hardware_diversity: HardwareDiversity | None = None


class TechniqueRow(Row):
    slug: Slug
    name: Text
    description: Text
    aliases: list[Text] = []
    in_survey_table: bool = True


class CategoryRow(Row):
    slug: Slug
    name: Text
    description: Text | None = None
    techniques: list[dict[str, Any]] = []
    children: list[dict[str, Any]] = []


class FeatureRow(Row):
    slug: Slug
    name: Text
    kind: FeatureKind
    description: Text | None = None
    members: list[Slug] = Field(min_length=1)


class PlatformExampleRow(Row):
    name: Text
    url: Url | None = None


class PlatformRow(Row):
    slug: Slug
    name: Text
    kind: PlatformKind
    url: Url | None = None
    examples: list[dict[str, Any]] = []


class DeviceRow(Row):
    slug: Slug
    name: Text
    vendor: Text
    memory_gb: int | None = Field(default=None, ge=0, le=100_000)
    platform: Slug | None = None


class PrecisionRow(Row):
    slug: Slug
    name: Text
    bits: int = Field(ge=1, le=64)
    family: PrecisionFamily


class ModelRow(Row):
    slug: Slug
    name: Text
    family: Text | None = None
    parameters_billion: float | None = Field(default=None, ge=0)


class CitationRow(Row):
    technique: Slug
    position: int = Field(ge=0, le=1000)
    label: Text
    bibtex_key: Text
    url: Url


class EnginePaperRow(Row):
    engine: Slug
    position: int = Field(ge=0, le=1000)
    label: Text
    bibtex_key: Text
    url: Url


class FeatureSupportRow(Row):
    engine: Slug
    feature: Slug
    status: SupportStatus


class PlatformSupportRow(Row):
    engine: Slug
    platform: Slug
    status: SupportStatus
    note: Text | None = None


class PrecisionSupportRow(Row):
    engine: Slug
    precision: Slug
    status: SupportStatus


class ModelPriceRow(Row):
    provider: Slug
    model: Slug
    input_usd_per_mtok: Decimal = Field(ge=0, max_digits=10, decimal_places=4)
    output_usd_per_mtok: Decimal = Field(ge=0, max_digits=10, decimal_places=4)
    served_model: Slug | None = None
    model_variant: Text | None = None
    pricing_mode: Text | None = None


class DevicePriceRow(Row):
    provider: Slug
    device: Slug
    usd_per_hour: Decimal = Field(ge=0, max_digits=10, decimal_places=4)


class BenchmarkRunRow(Row):
    slug: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.\-/]*$", max_length=200)]
    source: Slug
    engine: Slug | None = None
    model: Slug | None = None
    model_scope: Text | None = None
    device: Slug | None = None
    device_count: int | None = Field(default=None, ge=1, le=100_000)
    metric: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
    value: float
    value_max: float | None = None
    qualifier: ValueQualifier = ValueQualifier.EXACT
    unit: Text
    concurrency: int | None = Field(default=None, ge=1, le=1_000_000)
    workload: Text | None = None


class LayoutRow(Row):
    source: Slug
    axis: LayoutAxis
    cell: str | None = None
    position: int = Field(ge=0, le=10_000)
    label: Text
    entity_type: (
        Annotated[
            str,
            StringConstraints(pattern=r"^(engine|platform|precision|feature|device|model)$"),
        ]
        | None
    ) = None
    entity: Slug | None = None
