"""Response bodies of the REST API. Descriptions come from the table models where they exist."""

from datetime import date
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

import models as m
from models.base import (
    DeploymentScale,
    DocsLevel,
    FeatureKind,
    HardwareDiversity,
    OpenSource,
    OrganizationKind,
    PlatformKind,
    PrecisionFamily,
    SourceKind,
    SupportStatus,
    ValueQualifier,
)

T = TypeVar("T")


def doc(model: type[Any], field: str) -> str | None:
    info = model.model_fields.get(field)
    return info.description if info is not None else None


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PageMeta(BaseModel):
    count: int = Field(description="Items matching the filter, across all pages.")
    per_page: int = Field(description="Page size used.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
    next: str | None = Field(description="URL of the next page, or null on the last.")


class ListPage(BaseModel, Generic[T]):
    results: list[T]
    meta: PageMeta


class ErrorProblem(BaseModel):
    message: str
    location: str | None = None
    field: str | None = None
    value: str | int | float | None = None


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `not_found`.")
    message: str
    problems: list[ErrorProblem]


class ErrorResponse(BaseModel):
    error: ErrorBody


class SourceOut(Out):
    slug: str
    title: str
    kind: SourceKind
    locator: str | None = Field(default=None, description=doc(m.Source, "locator"))
    document_url: str | None = None
    as_of: date | None = None


class OrganizationOut(Out):
    slug: str
    name: str
    kind: OrganizationKind


class EngineOut(Out):
    slug: str = Field(description=doc(m.Engine, "slug"))
    name: str = Field(description=doc(m.Engine, "name"))
    aliases: list[str] = Field(description="Other names, e.g. `LLaMA.cpp`.")
    organization: OrganizationOut | None
    release: str | None = Field(description="First release as `YYYY-MM`.")
    open_source: OpenSource | None
    is_commercial: bool = Field(description=doc(m.Engine, "is_commercial"))
    github_stars: int | None = Field(description=doc(m.Engine, "github_stars"))
    docs_level: DocsLevel | None
    has_sns: bool | None
    has_forum: bool | None
    has_meetup: bool | None
    repo_url: str | None
    web_url: str | None
    deployment_scale: DeploymentScale | None
    hardware_diversity: HardwareDiversity | None


class CategoryOut(Out):
    slug: str
    name: str
    description: str | None
    parent: str | None = Field(description="Slug of the enclosing category.")
    children: list[str] = Field(description="Slugs of the sub-categories, in order.")


class TechniqueOut(Out):
    slug: str
    name: str
    category: str = Field(description="Category slug.")
    description: str = Field(description=doc(m.Technique, "description"))
    aliases: list[str]
    in_survey_table: bool = Field(description=doc(m.Technique, "in_survey_table"))


class PaperOut(Out):
    key: str = Field(description="BibTeX key; the paper's id in URLs.")
    entry_type: str
    title: str | None
    authors: list[str] = Field(description="Author names in order.")
    year: int | None
    month: int | None
    venue: str | None
    doi: str | None
    arxiv_id: str | None
    url: str | None
    abstract: str | None


class CitationOut(Out):
    technique: str = Field(description="Citing technique slug.")
    position: int
    label: str = Field(description=doc(m.TechniqueCitation, "label"))
    url: str = Field(description=doc(m.TechniqueCitation, "url"))
    paper: PaperOut


class EnginePaperOut(Out):
    engine: str
    label: str
    url: str
    paper: PaperOut


class SupportOut(Out):
    engine: str = Field(description="Engine slug.")
    target_kind: str = Field(description="`feature`, `platform` or `precision`.")
    target: str = Field(description="Slug of the matrix column, platform or precision.")
    target_name: str
    status: SupportStatus
    note: str | None
    source: str = Field(description="Source slug.")


class FeatureOut(Out):
    slug: str
    name: str
    kind: FeatureKind
    description: str | None
    techniques: list[str] = Field(description="Member technique slugs.")


class PlatformExampleOut(Out):
    name: str
    url: str | None


class PlatformOut(Out):
    slug: str
    name: str
    kind: PlatformKind
    url: str | None
    examples: list[PlatformExampleOut]


class DeviceOut(Out):
    slug: str
    name: str
    vendor: str
    memory_gb: int | None
    platform: str | None


class PrecisionOut(Out):
    slug: str
    name: str
    bits: int
    family: PrecisionFamily


class ModelOut(Out):
    slug: str
    name: str
    family: str | None
    parameters_billion: float | None


class ModelPriceOut(Out):
    provider: str
    model: str
    input_usd_per_million_tokens: float
    output_usd_per_million_tokens: float
    served_model: str | None = Field(description=doc(m.ModelPrice, "served_model_id"))
    model_variant: str | None
    pricing_mode: str | None
    source: str


class DevicePriceOut(Out):
    provider: str
    device: str
    usd_per_hour: float
    source: str


class BenchmarkRunOut(Out):
    slug: str
    engine: str | None
    model: str | None
    model_scope: str | None
    device: str | None
    device_count: int | None
    metric: str
    value: float
    value_max: float | None
    qualifier: ValueQualifier
    unit: str
    concurrency: int | None
    workload: str | None
    source: str


class RequirementOut(Out):
    kind: str
    slug: str


class RequirementMatchOut(Out):
    engine: str
    engine_name: str
    score: float = Field(description="Share of requirements met, 0 to 1.")
    met: list[RequirementOut]
    missing: list[RequirementOut]
    unknown: list[RequirementOut]


class SearchHitOut(Out):
    kind: str = Field(description="`technique` or `paper`.")
    id: str = Field(description="Technique slug or paper key.")
    title: str | None
    score: float


class TableOut(Out):
    name: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    notes: list[str]
