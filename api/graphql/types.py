"""GraphQL object types. Every relation is traversable both ways and batched per request."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any, Generic, TypeVar

import sqlalchemy as sa
import strawberry
from strawberry.types import Info

import models as m
from api.graphql.context import GraphContext, encode_global_id
from api.services.exports import bibtex
from api.services.pagination import Page, slice_page
from models import base

T = TypeVar("T")

strawberry.enum(
    base.SupportStatus, description="Tri-state support: UNKNOWN means the source did not say."
)
SupportStatus = base.SupportStatus
strawberry.enum(base.OrganizationKind, description="Kind of organization.")
OrganizationKind = base.OrganizationKind
strawberry.enum(base.OpenSource, description="Whether an engine's code is open.")
OpenSource = base.OpenSource
strawberry.enum(base.DocsLevel, description="How complete the documentation is.")
DocsLevel = base.DocsLevel
strawberry.enum(
    base.DeploymentScale, description="Single-node engines vs. distributed multi-node serving."
)
DeploymentScale = base.DeploymentScale
strawberry.enum(
    base.HardwareDiversity,
    description="Heterogeneous: many hardware classes; homogeneous: optimized for one.",
)
HardwareDiversity = base.HardwareDiversity
strawberry.enum(
    base.FeatureKind, description="A matrix column stands for one technique or a group."
)
FeatureKind = base.FeatureKind
strawberry.enum(base.PlatformKind, description="Kind of hardware platform.")
PlatformKind = base.PlatformKind
strawberry.enum(base.PrecisionFamily, description="Numeric format family.")
PrecisionFamily = base.PrecisionFamily
strawberry.enum(base.SourceKind, description="What kind of source a fact has.")
SourceKind = base.SourceKind
strawberry.enum(
    base.ValueQualifier, description="How a measured number was stated (`~588`, `>130`)."
)
ValueQualifier = base.ValueQualifier


def _ctx(info: Info) -> GraphContext:
    context: GraphContext = info.context
    return context


def _doc(model: type[Any], field: str) -> str | None:
    """Field descriptions are written once, on the table models."""
    info = model.model_fields.get(field)
    return info.description if info is not None else None


# --- connections ------------------------------------------------------------------------


@strawberry.type(description="Where a page of a connection sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page.")
    _page: strawberry.Private[Page[Any]]

    @strawberry.field(description="Cursor of the first item of the page.")
    def start_cursor(self) -> str | None:
        return self._page.start_cursor

    @strawberry.field(description="Cursor of the last item; pass as `after` for the next page.")
    def end_cursor(self) -> str | None:
        return self._page.end_cursor


@strawberry.type(description="One item of a connection with its cursor.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    _page: strawberry.Private[Page[Any]]
    _index: strawberry.Private[int]

    @strawberry.field(description="Pass as `after` to continue after this item.")
    def cursor(self) -> str:
        return self._page.cursor_at(self._index)


@strawberry.type(description="A page of a list (Relay cursor connection).")
class Connection(Generic[T]):
    nodes: list[T] = strawberry.field(description="Items of this page, without cursors.")
    _page: strawberry.Private[Page[Any]]

    @strawberry.field(description="Items of this page with cursors.")
    def edges(self) -> list[Edge[T]]:
        return [Edge(node=node, _page=self._page, _index=i) for i, node in enumerate(self.nodes)]

    @strawberry.field(description="Where this page sits in the list.")
    def page_info(self) -> PageInfo:
        page = self._page
        return PageInfo(
            has_next_page=page.has_next, has_previous_page=page.has_previous, _page=page
        )

    @strawberry.field(description="Number of items in the whole list, across all pages.")
    def total_count(self) -> int:
        return self._page.count()


def connection(page: Page[Any], wrap: Callable[[Any], T]) -> Connection[T]:
    return Connection(nodes=[wrap(item) for item in page.items], _page=page)


def list_connection(
    info: Info, items: Sequence[Any], wrap: Callable[[Any], T], first: int | None, after: str | None
) -> Connection[T]:
    return connection(slice_page(items, _ctx(info).page(first, after)), wrap)


FirstArg = Annotated[
    int | None, strawberry.argument(description="Page size (default 50, bounded by the server).")
]
AfterArg = Annotated[
    str | None, strawberry.argument(description="Cursor of the item to continue after.")
]


# --- Node -----------------------------------------------------------------------------


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    _pk: strawberry.Private[int]

    @strawberry.field(description="Globally unique, opaque id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_global_id(type(self).__name__, self._pk))


# --- provenance -------------------------------------------------------------------------


@strawberry.type(description="A document, table or figure that facts are taken from.")
class Source(Node):
    slug: str = strawberry.field(description="Stable identifier, e.g. `survey-hardware-matrix`.")
    title: str = strawberry.field(description="Human-readable name of the source.")
    kind: SourceKind = strawberry.field(
        description="Table, figure, text, list, BibTeX file or arXiv query."
    )
    locator: str | None = strawberry.field(description=_doc(m.Source, "locator"))
    document_url: str | None = strawberry.field(description="Address of the document.")
    as_of: date | None = strawberry.field(description=_doc(m.Source, "as_of"))

    @classmethod
    def of(cls, row: m.Source, ctx: GraphContext) -> Source:
        return cls(
            _pk=row.id or 0,
            slug=row.slug,
            title=row.title,
            kind=row.kind,
            locator=row.locator,
            document_url=row.document_url,
            as_of=row.as_of,
        )


def _source(info: Info, source_id: int) -> Source:
    ctx = _ctx(info)
    row = ctx.batch.by_id(m.Source, source_id)
    assert row is not None
    return Source.of(row, ctx)


# --- organizations and engines ----------------------------------------------------------


@strawberry.type(description="A company, lab or community that builds engines.")
class Organization(Node):
    slug: str = strawberry.field(description="Stable identifier, e.g. `hugging-face`.")
    name: str = strawberry.field(description="Name, e.g. `Hugging Face`.")
    kind: OrganizationKind = strawberry.field(
        description="Community, academic, big tech or startup."
    )

    @classmethod
    def of(cls, row: m.Organization, ctx: GraphContext) -> Organization:
        return cls(_pk=row.id or 0, slug=row.slug, name=row.name, kind=row.kind)

    @strawberry.field(description="Engines this organization builds.")
    def engines(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[Engine]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Organization.engines",
            "Organization",
            self._pk,
            m.Engine,
            "organization_id",
            order_by=["name"],
        )
        return list_connection(info, rows, lambda r: Engine.of(r, ctx), first, after)


@strawberry.type(description="An LLM inference engine or hosted inference service.")
class Engine(Node):
    slug: str = strawberry.field(description=_doc(m.Engine, "slug"))
    name: str = strawberry.field(description=_doc(m.Engine, "name"))
    release_year: int | None = strawberry.field(description="Year of the first release.")
    release_month: int | None = strawberry.field(description="Month (1-12) of the first release.")
    open_source: OpenSource | None = strawberry.field(description=_doc(m.Engine, "open_source"))
    is_commercial: bool = strawberry.field(description=_doc(m.Engine, "is_commercial"))
    github_stars: int | None = strawberry.field(description=_doc(m.Engine, "github_stars"))
    docs_level: DocsLevel | None = strawberry.field(
        description="How complete the documentation is."
    )
    has_sns: bool | None = strawberry.field(description=_doc(m.Engine, "has_sns"))
    has_forum: bool | None = strawberry.field(description="Whether a discussion forum exists.")
    has_meetup: bool | None = strawberry.field(description=_doc(m.Engine, "has_meetup"))
    repo_url: str | None = strawberry.field(description="Source repository.")
    web_url: str | None = strawberry.field(description="Web site or documentation.")
    deployment_scale: DeploymentScale | None = strawberry.field(
        description="Single-node or multi-node serving."
    )
    hardware_diversity: HardwareDiversity | None = strawberry.field(
        description="Heterogeneous or homogeneous hardware support."
    )
    _organization_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: m.Engine, ctx: GraphContext) -> Engine:
        return cls(
            _pk=row.id or 0,
            slug=row.slug,
            name=row.name,
            release_year=row.release_year,
            release_month=row.release_month,
            open_source=row.open_source,
            is_commercial=row.is_commercial,
            github_stars=row.github_stars,
            docs_level=row.docs_level,
            has_sns=row.has_sns,
            has_forum=row.has_forum,
            has_meetup=row.has_meetup,
            repo_url=row.repo_url,
            web_url=row.web_url,
            deployment_scale=row.deployment_scale,
            hardware_diversity=row.hardware_diversity,
            _organization_id=row.organization_id,
        )

    @strawberry.field(description="Release month as `YYYY-MM`.")
    def release_date(self) -> str | None:
        if self.release_year is None or self.release_month is None:
            return None
        return f"{self.release_year:04d}-{self.release_month:02d}"

    @strawberry.field(description="Other names the engine is known by, e.g. `LLaMA.cpp`.")
    def aliases(self, info: Info) -> list[str]:
        rows = _ctx(info).batch.children(
            "Engine.aliases",
            "Engine",
            self._pk,
            m.EngineAlias,
            "engine_id",
            order_by=["alias"],
        )
        return [row.alias for row in rows]

    @strawberry.field(description="The organization that builds it.")
    def organization(self, info: Info) -> Organization | None:
        if self._organization_id is None:
            return None
        ctx = _ctx(info)
        row = ctx.batch.by_id(m.Organization, self._organization_id)
        return Organization.of(row, ctx) if row else None

    @strawberry.field(description="The engine's own papers, in the survey's order.")
    def papers(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[EnginePaper]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Engine.papers",
            "Engine",
            self._pk,
            m.EnginePaper,
            "engine_id",
            order_by=["position"],
        )
        return list_connection(info, rows, lambda r: EnginePaper.of(r, ctx), first, after)

    @strawberry.field(description="Support facts for optimization-matrix columns.")
    def feature_support(
        self,
        info: Info,
        status: SupportStatus | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[FeatureSupport]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Engine.feature_support",
            "Engine",
            self._pk,
            m.FeatureSupport,
            "engine_id",
            order_by=["feature_id", "id"],
        )
        rows = [r for r in rows if status is None or r.status == status]
        return list_connection(info, rows, lambda r: FeatureSupport.of(r, ctx), first, after)

    @strawberry.field(description="Support facts for hardware platforms.")
    def platform_support(
        self,
        info: Info,
        status: SupportStatus | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[PlatformSupport]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Engine.platform_support",
            "Engine",
            self._pk,
            m.PlatformSupport,
            "engine_id",
            order_by=["platform_id", "id"],
        )
        rows = [r for r in rows if status is None or r.status == status]
        return list_connection(info, rows, lambda r: PlatformSupport.of(r, ctx), first, after)

    @strawberry.field(description="Support facts for numeric precisions.")
    def precision_support(
        self,
        info: Info,
        status: SupportStatus | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[PrecisionSupport]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Engine.precision_support",
            "Engine",
            self._pk,
            m.PrecisionSupport,
            "engine_id",
            order_by=["precision_id", "id"],
        )
        rows = [r for r in rows if status is None or r.status == status]
        return list_connection(info, rows, lambda r: PrecisionSupport.of(r, ctx), first, after)

    @strawberry.field(description="Prices this provider charges per million tokens.")
    def model_prices(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[ModelPrice]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Engine.model_prices",
            "Engine",
            self._pk,
            m.ModelPrice,
            "provider_id",
            order_by=["model_id"],
        )
        return list_connection(info, rows, lambda r: ModelPrice.of(r, ctx), first, after)

    @strawberry.field(description="Prices this provider charges per device-hour.")
    def device_prices(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[DevicePrice]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Engine.device_prices",
            "Engine",
            self._pk,
            m.DevicePrice,
            "provider_id",
            order_by=["device_id"],
        )
        return list_connection(info, rows, lambda r: DevicePrice.of(r, ctx), first, after)

    @strawberry.field(description="Benchmark runs that measured this engine or provider.")
    def benchmark_runs(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[BenchmarkRun]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Engine.benchmark_runs",
            "Engine",
            self._pk,
            m.BenchmarkRun,
            "engine_id",
            order_by=["slug"],
        )
        return list_connection(info, rows, lambda r: BenchmarkRun.of(r, ctx), first, after)


# --- support facts ---------------------------------------------------------------------


@strawberry.type(description="Whether an engine implements an optimization-matrix column.")
class FeatureSupport(Node):
    status: SupportStatus = strawberry.field(description=_doc(m.FeatureSupport, "status"))
    note: str | None = strawberry.field(description="Qualification of the fact, if any.")
    _engine_id: strawberry.Private[int]
    _feature_id: strawberry.Private[int]
    _source_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: m.FeatureSupport, ctx: GraphContext) -> FeatureSupport:
        return cls(
            _pk=row.id or 0,
            status=row.status,
            note=row.note,
            _engine_id=row.engine_id,
            _feature_id=row.feature_id,
            _source_id=row.source_id,
        )

    @strawberry.field(description="The engine.")
    def engine(self, info: Info) -> Engine:
        return _engine(info, self._engine_id)

    @strawberry.field(description="The matrix column (a technique or a group of them).")
    def feature(self, info: Info) -> OptimizationFeature:
        ctx = _ctx(info)
        row = ctx.batch.by_id(m.OptimizationFeature, self._feature_id)
        assert row is not None
        return OptimizationFeature.of(row, ctx)

    @strawberry.field(description="Where the fact comes from.")
    def source(self, info: Info) -> Source:
        return _source(info, self._source_id)


@strawberry.type(description="Whether an engine runs on a hardware platform.")
class PlatformSupport(Node):
    status: SupportStatus = strawberry.field(
        description="SUPPORTED, NOT_SUPPORTED or UNKNOWN (the source did not say)."
    )
    note: str | None = strawberry.field(description=_doc(m.PlatformSupport, "note"))
    _engine_id: strawberry.Private[int]
    _platform_id: strawberry.Private[int]
    _source_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: m.PlatformSupport, ctx: GraphContext) -> PlatformSupport:
        return cls(
            _pk=row.id or 0,
            status=row.status,
            note=row.note,
            _engine_id=row.engine_id,
            _platform_id=row.platform_id,
            _source_id=row.source_id,
        )

    @strawberry.field(description="The engine.")
    def engine(self, info: Info) -> Engine:
        return _engine(info, self._engine_id)

    @strawberry.field(description="The platform.")
    def platform(self, info: Info) -> Platform:
        ctx = _ctx(info)
        row = ctx.batch.by_id(m.Platform, self._platform_id)
        assert row is not None
        return Platform.of(row, ctx)

    @strawberry.field(description="Where the fact comes from.")
    def source(self, info: Info) -> Source:
        return _source(info, self._source_id)


@strawberry.type(description="Whether an engine supports a numeric precision.")
class PrecisionSupport(Node):
    status: SupportStatus = strawberry.field(
        description="SUPPORTED, NOT_SUPPORTED or UNKNOWN (the source did not say)."
    )
    note: str | None = strawberry.field(description="Qualification of the fact, if any.")
    _engine_id: strawberry.Private[int]
    _precision_id: strawberry.Private[int]
    _source_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: m.PrecisionSupport, ctx: GraphContext) -> PrecisionSupport:
        return cls(
            _pk=row.id or 0,
            status=row.status,
            note=row.note,
            _engine_id=row.engine_id,
            _precision_id=row.precision_id,
            _source_id=row.source_id,
        )

    @strawberry.field(description="The engine.")
    def engine(self, info: Info) -> Engine:
        return _engine(info, self._engine_id)

    @strawberry.field(description="The precision.")
    def precision(self, info: Info) -> Precision:
        ctx = _ctx(info)
        row = ctx.batch.by_id(m.Precision, self._precision_id)
        assert row is not None
        return Precision.of(row, ctx)

    @strawberry.field(description="Where the fact comes from.")
    def source(self, info: Info) -> Source:
        return _source(info, self._source_id)


def _engine(info: Info, engine_id: int) -> Engine:
    ctx = _ctx(info)
    row = ctx.batch.by_id(m.Engine, engine_id)
    assert row is not None
    return Engine.of(row, ctx)


# --- techniques ---------------------------------------------------------------------------


@strawberry.type(description="A node of the technique category tree.")
class TechniqueCategory(Node):
    slug: str = strawberry.field(description="Stable identifier, e.g. `quantization`.")
    name: str = strawberry.field(description="Name, e.g. `Quantization`.")
    description: str | None = strawberry.field(
        description="What the category covers, in InferGraph's words."
    )
    position: int = strawberry.field(description=_doc(m.TechniqueCategory, "position"))
    _parent_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: m.TechniqueCategory, ctx: GraphContext) -> TechniqueCategory:
        return cls(
            _pk=row.id or 0,
            slug=row.slug,
            name=row.name,
            description=row.description,
            position=row.position,
            _parent_id=row.parent_id,
        )

    @strawberry.field(description="The enclosing category, if any.")
    def parent(self, info: Info) -> TechniqueCategory | None:
        if self._parent_id is None:
            return None
        ctx = _ctx(info)
        row = ctx.batch.by_id(m.TechniqueCategory, self._parent_id)
        return TechniqueCategory.of(row, ctx) if row else None

    @strawberry.field(description="Sub-categories, in the survey's order.")
    def children(self, info: Info) -> list[TechniqueCategory]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "TechniqueCategory.children",
            "TechniqueCategory",
            self._pk,
            m.TechniqueCategory,
            "parent_id",
            order_by=["position"],
        )
        return [TechniqueCategory.of(r, ctx) for r in rows]

    @strawberry.field(
        description=(
            "Techniques of this category; with `includeSubcategories`, of the whole subtree."
        )
    )
    def techniques(
        self,
        info: Info,
        include_subcategories: bool = False,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[Technique]:
        ctx = _ctx(info)
        if include_subcategories:
            from api.services.techniques import TechniqueFilter, list_techniques

            page = list_techniques(
                ctx.session, TechniqueFilter(category=self.slug), ctx.page(first, after)
            )
            ctx.batch.announce_rows(m.Technique, page.items)
            return connection(page, lambda r: Technique.of(r, ctx))
        rows = ctx.batch.children(
            "TechniqueCategory.techniques",
            "TechniqueCategory",
            self._pk,
            m.Technique,
            "category_id",
            order_by=["position"],
        )
        return list_connection(info, rows, lambda r: Technique.of(r, ctx), first, after)


@strawberry.type(description="An optimization technique.")
class Technique(Node):
    slug: str = strawberry.field(description=_doc(m.Technique, "slug"))
    name: str = strawberry.field(description=_doc(m.Technique, "name"))
    description: str = strawberry.field(description=_doc(m.Technique, "description"))
    position: int = strawberry.field(description=_doc(m.Technique, "position"))
    in_survey_table: bool = strawberry.field(description=_doc(m.Technique, "in_survey_table"))
    _category_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: m.Technique, ctx: GraphContext) -> Technique:
        return cls(
            _pk=row.id or 0,
            slug=row.slug,
            name=row.name,
            description=row.description,
            position=row.position,
            in_survey_table=row.in_survey_table,
            _category_id=row.category_id,
        )

    @strawberry.field(description="Other names, e.g. `MoE` or `continuous batching`.")
    def aliases(self, info: Info) -> list[str]:
        rows = _ctx(info).batch.children(
            "Technique.aliases",
            "Technique",
            self._pk,
            m.TechniqueAlias,
            "technique_id",
            order_by=["alias"],
        )
        return [row.alias for row in rows]

    @strawberry.field(description="The category it belongs to.")
    def category(self, info: Info) -> TechniqueCategory:
        ctx = _ctx(info)
        row = ctx.batch.by_id(m.TechniqueCategory, self._category_id)
        assert row is not None
        return TechniqueCategory.of(row, ctx)

    @strawberry.field(
        description="Works the survey cites for it, in the survey's order with its labels."
    )
    def citations(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[Citation]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Technique.citations",
            "Technique",
            self._pk,
            m.TechniqueCitation,
            "technique_id",
            order_by=["source_id", "position"],
        )
        return list_connection(info, rows, lambda r: Citation.of(r, ctx), first, after)

    @strawberry.field(description="Optimization-matrix columns that stand for this technique.")
    def features(self, info: Info) -> list[OptimizationFeature]:
        ctx = _ctx(info)
        return [OptimizationFeature.of(r, ctx) for r in _features_of_technique(ctx, self._pk)]

    @strawberry.field(
        description=(
            "Engines with the given status (default SUPPORTED) for this technique's matrix columns."
        )
    )
    def engines(
        self,
        info: Info,
        status: SupportStatus = base.SupportStatus.SUPPORTED,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[Engine]:
        ctx = _ctx(info)
        engine_ids: dict[int, None] = {}
        for feature in _features_of_technique(ctx, self._pk):
            for fact in _facts_of_feature(ctx, feature.id or 0):
                if fact.status == status:
                    engine_ids.setdefault(fact.engine_id)
        rows = [ctx.batch.by_id(m.Engine, i) for i in _announced(ctx, "Engine", engine_ids)]
        engines = sorted((r for r in rows if r is not None), key=lambda e: e.name.casefold())
        return list_connection(info, engines, lambda r: Engine.of(r, ctx), first, after)


def _announced(ctx: GraphContext, kind: str, ids: dict[int, None]) -> list[int]:
    ctx.batch.announce(kind, ids)
    return list(ids)


def _features_of_technique(ctx: GraphContext, technique_id: int) -> list[Any]:
    rows: list[Any] = ctx.batch.rows(
        "Technique.features", "Technique", technique_id, _fetch_features_of, m.OptimizationFeature
    )
    return rows


def _fetch_features_of(session: Any, keys: list[int]) -> dict[int, list[Any]]:
    feature = sa.inspect(m.OptimizationFeature).local_table
    member = sa.inspect(m.FeatureMember).local_table
    grouped: dict[int, list[Any]] = defaultdict(list)
    statement = (
        sa.select(member.c.technique_id.label("member_of"), *feature.c)
        .join(feature, feature.c.id == member.c.feature_id)
        .where(member.c.technique_id.in_(keys))
        .order_by(feature.c.id)
    )
    for row in session.connection().execute(statement):
        grouped[row.member_of].append(row)
    return grouped


def _fetch_members_of(session: Any, keys: list[int]) -> dict[int, list[Any]]:
    technique = sa.inspect(m.Technique).local_table
    member = sa.inspect(m.FeatureMember).local_table
    grouped: dict[int, list[Any]] = defaultdict(list)
    statement = (
        sa.select(member.c.feature_id.label("member_of"), *technique.c)
        .join(technique, technique.c.id == member.c.technique_id)
        .where(member.c.feature_id.in_(keys))
        .order_by(technique.c.category_id, technique.c.position)
    )
    for row in session.connection().execute(statement):
        grouped[row.member_of].append(row)
    return grouped


def _facts_of_feature(ctx: GraphContext, feature_id: int) -> list[m.FeatureSupport]:
    ctx.batch.announce("OptimizationFeature", [feature_id])
    return ctx.batch.children(
        "OptimizationFeature.support",
        "OptimizationFeature",
        feature_id,
        m.FeatureSupport,
        "feature_id",
        order_by=["engine_id", "id"],
    )


@strawberry.type(description="A column of the survey's optimization-coverage matrix.")
class OptimizationFeature(Node):
    slug: str = strawberry.field(description="Stable identifier, e.g. `speculative-decoding`.")
    name: str = strawberry.field(
        description="Column heading as in the survey, e.g. `Speculative Decoding`."
    )
    kind: FeatureKind = strawberry.field(description="TECHNIQUE (one member) or GROUP (several).")
    description: str | None = strawberry.field(description="What a group column covers.")

    @classmethod
    def of(cls, row: m.OptimizationFeature, ctx: GraphContext) -> OptimizationFeature:
        return cls(
            _pk=row.id or 0,
            slug=row.slug,
            name=row.name,
            kind=row.kind,
            description=row.description,
        )

    @strawberry.field(description="The techniques this column stands for.")
    def techniques(self, info: Info) -> list[Technique]:
        ctx = _ctx(info)

        rows = ctx.batch.rows(
            "OptimizationFeature.techniques",
            "OptimizationFeature",
            self._pk,
            _fetch_members_of,
            m.Technique,
        )
        return [Technique.of(r, ctx) for r in rows]

    @strawberry.field(description="Support facts of every engine for this column.")
    def support(
        self,
        info: Info,
        status: SupportStatus | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[FeatureSupport]:
        ctx = _ctx(info)
        rows = [r for r in _facts_of_feature(ctx, self._pk) if status is None or r.status == status]
        return list_connection(info, rows, lambda r: FeatureSupport.of(r, ctx), first, after)


# --- literature ------------------------------------------------------------------------------


@strawberry.type(
    description="A technique table's citation of a work: label, link and order as in the source."
)
class Citation(Node):
    position: int = strawberry.field(description="Order among the technique's citations, from 0.")
    label: str = strawberry.field(description=_doc(m.TechniqueCitation, "label"))
    url: str = strawberry.field(description=_doc(m.TechniqueCitation, "url"))
    _technique_id: strawberry.Private[int]
    _paper_id: strawberry.Private[int]
    _source_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: m.TechniqueCitation, ctx: GraphContext) -> Citation:
        return cls(
            _pk=row.id or 0,
            position=row.position,
            label=row.label,
            url=row.url,
            _technique_id=row.technique_id,
            _paper_id=row.paper_id,
            _source_id=row.source_id,
        )

    @strawberry.field(description="The citing technique.")
    def technique(self, info: Info) -> Technique:
        ctx = _ctx(info)
        row = ctx.batch.by_id(m.Technique, self._technique_id)
        assert row is not None
        return Technique.of(row, ctx)

    @strawberry.field(description="The cited work.")
    def paper(self, info: Info) -> Paper:
        return _paper(info, self._paper_id)

    @strawberry.field(description="Where the citation comes from.")
    def source(self, info: Info) -> Source:
        return _source(info, self._source_id)


def _paper_authors(ctx: GraphContext, paper_id: int) -> list[Any]:
    """A paper's `Author` rows in order, loaded for all papers of the request at once."""
    links = ctx.batch.children(
        "Paper.authors", "Paper", paper_id, m.PaperAuthor, "paper_id", order_by=["position"]
    )
    ctx.batch.announce("Author", [link.author_id for link in links])
    return [ctx.batch.by_id(m.Author, link.author_id) for link in links]


def _paper(info: Info, paper_id: int) -> Paper:
    ctx = _ctx(info)
    row = ctx.batch.by_id(m.Paper, paper_id)
    assert row is not None
    return Paper.of(row, ctx)


@strawberry.type(description="An engine's own paper.")
class EnginePaper(Node):
    position: int = strawberry.field(description="Order among the engine's papers, from 0.")
    label: str = strawberry.field(description=_doc(m.EnginePaper, "label"))
    url: str = strawberry.field(description="The link the source used.")
    _engine_id: strawberry.Private[int]
    _paper_id: strawberry.Private[int]
    _source_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: m.EnginePaper, ctx: GraphContext) -> EnginePaper:
        return cls(
            _pk=row.id or 0,
            position=row.position,
            label=row.label,
            url=row.url,
            _engine_id=row.engine_id,
            _paper_id=row.paper_id,
            _source_id=row.source_id,
        )

    @strawberry.field(description="The engine.")
    def engine(self, info: Info) -> Engine:
        return _engine(info, self._engine_id)

    @strawberry.field(description="The paper.")
    def paper(self, info: Info) -> Paper:
        return _paper(info, self._paper_id)

    @strawberry.field(description="Where the link comes from.")
    def source(self, info: Info) -> Source:
        return _source(info, self._source_id)


@strawberry.type(description="A paper or other cited work (repository, documentation page).")
class Paper(Node):
    bibtex_key: str = strawberry.field(description=_doc(m.Paper, "bibtex_key"))
    entry_type: str = strawberry.field(description=_doc(m.Paper, "entry_type"))
    title: str | None = strawberry.field(description=_doc(m.Paper, "title"))
    year: int | None = strawberry.field(
        description="Publication year (for preprints, of the first version)."
    )
    month: int | None = strawberry.field(description="Publication month, 1-12.")
    venue: str | None = strawberry.field(description=_doc(m.Paper, "venue"))
    doi: str | None = strawberry.field(
        description="Digital Object Identifier, without `https://doi.org/`."
    )
    arxiv_id: str | None = strawberry.field(description=_doc(m.Paper, "arxiv_id"))
    url: str | None = strawberry.field(description="Where the work can be read.")
    abstract: str | None = strawberry.field(description="Abstract, when known.")
    _source_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: m.Paper, ctx: GraphContext) -> Paper:
        return cls(
            _pk=row.id or 0,
            bibtex_key=row.bibtex_key,
            entry_type=row.entry_type,
            title=row.title,
            year=row.year,
            month=row.month,
            venue=row.venue,
            doi=row.doi,
            arxiv_id=row.arxiv_id,
            url=row.url,
            abstract=row.abstract,
            _source_id=row.source_id,
        )

    @strawberry.field(description="Authors in order.")
    def authors(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[Author]:
        ctx = _ctx(info)
        people = _paper_authors(ctx, self._pk)
        return list_connection(info, people, lambda r: Author.of(r, ctx), first, after)

    @strawberry.field(description="Technique tables that cite it (one work cited twice has two).")
    def citations(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[Citation]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Paper.citations",
            "Paper",
            self._pk,
            m.TechniqueCitation,
            "paper_id",
            order_by=["technique_id", "position"],
        )
        return list_connection(info, rows, lambda r: Citation.of(r, ctx), first, after)

    @strawberry.field(description="Techniques citing it.")
    def techniques(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[Technique]:
        ctx = _ctx(info)
        citations = ctx.batch.children(
            "Paper.citations",
            "Paper",
            self._pk,
            m.TechniqueCitation,
            "paper_id",
            order_by=["technique_id", "position"],
        )
        ids = _announced(ctx, "Technique", dict.fromkeys(c.technique_id for c in citations))
        rows = [ctx.batch.by_id(m.Technique, i) for i in ids]
        return list_connection(info, rows, lambda r: Technique.of(r, ctx), first, after)

    @strawberry.field(description="Engines whose own paper this is.")
    def engine_papers(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[EnginePaper]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Paper.engine_papers",
            "Paper",
            self._pk,
            m.EnginePaper,
            "paper_id",
            order_by=["engine_id"],
        )
        return list_connection(info, rows, lambda r: EnginePaper.of(r, ctx), first, after)

    @strawberry.field(description="The entry as BibTeX, with the source's raw LaTeX.")
    def bibtex(self, info: Info) -> str:
        ctx = _ctx(info)
        row = ctx.batch.by_id(m.Paper, self._pk)
        return bibtex.paper_entry(row, _paper_authors(ctx, self._pk))

    @strawberry.field(description="Where the entry comes from.")
    def source(self, info: Info) -> Source:
        return _source(info, self._source_id)


@strawberry.type(description="An author of papers.")
class Author(Node):
    name: str = strawberry.field(description=_doc(m.Author, "name"))
    family: str = strawberry.field(description="Family name, LaTeX decoded.")
    given: str | None = strawberry.field(description="Given names, LaTeX decoded.")

    @classmethod
    def of(cls, row: m.Author, ctx: GraphContext) -> Author:
        return cls(_pk=row.id or 0, name=row.name, family=row.family, given=row.given)

    @strawberry.field(description="Their papers, newest first.")
    def papers(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[Paper]:
        ctx = _ctx(info)
        links = ctx.batch.children(
            "Author.papers",
            "Author",
            self._pk,
            m.PaperAuthor,
            "author_id",
            order_by=["paper_id"],
        )
        ctx.batch.announce("Paper", [link.paper_id for link in links])
        rows = [ctx.batch.by_id(m.Paper, link.paper_id) for link in links]
        papers = sorted((r for r in rows if r), key=lambda p: (-(p.year or 0), p.bibtex_key))
        return list_connection(info, papers, lambda r: Paper.of(r, ctx), first, after)


# --- hardware -----------------------------------------------------------------------------


@strawberry.type(
    description="A product given as an example of a platform (e.g. A100 for NVIDIA GPU)."
)
class PlatformExample:
    name: str = strawberry.field(description="Product name, e.g. `NVIDIA A100`.")
    url: str | None = strawberry.field(description="Product page the survey links.")


@strawberry.type(
    description=(
        "A hardware platform: operating system, CPU architecture, "
        "accelerator family, edge device class or hosted API."
    )
)
class Platform(Node):
    slug: str = strawberry.field(description="Stable identifier, e.g. `nvidia-gpu`.")
    name: str = strawberry.field(description="Name as in the survey, e.g. `NVIDIA GPU (CUDA)`.")
    kind: PlatformKind = strawberry.field(
        description="OS, CPU architecture, accelerator, edge or hosted API."
    )
    url: str | None = strawberry.field(description="Vendor page, for platforms the survey links.")

    @classmethod
    def of(cls, row: m.Platform, ctx: GraphContext) -> Platform:
        return cls(_pk=row.id or 0, slug=row.slug, name=row.name, kind=row.kind, url=row.url)

    @strawberry.field(description="Example products the survey names.")
    def examples(self, info: Info) -> list[PlatformExample]:
        rows = _ctx(info).batch.children(
            "Platform.examples",
            "Platform",
            self._pk,
            m.PlatformExample,
            "platform_id",
            order_by=["position"],
        )
        return [PlatformExample(name=r.name, url=r.url) for r in rows]

    @strawberry.field(description="Devices of this platform.")
    def devices(self, info: Info) -> list[Device]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Platform.devices",
            "Platform",
            self._pk,
            m.Device,
            "platform_id",
            order_by=["name"],
        )
        return [Device.of(r, ctx) for r in rows]

    @strawberry.field(description="Support facts of every engine for this platform.")
    def support(
        self,
        info: Info,
        status: SupportStatus | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[PlatformSupport]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Platform.support",
            "Platform",
            self._pk,
            m.PlatformSupport,
            "platform_id",
            order_by=["engine_id"],
        )
        rows = [r for r in rows if status is None or r.status == status]
        return list_connection(info, rows, lambda r: PlatformSupport.of(r, ctx), first, after)


@strawberry.type(description="A specific piece of hardware used by prices and benchmark runs.")
class Device(Node):
    slug: str = strawberry.field(description="Stable identifier, e.g. `nvidia-h100-80gb`.")
    name: str = strawberry.field(description="Name, e.g. `NVIDIA H100 80GB`.")
    vendor: str = strawberry.field(description="Maker, e.g. `NVIDIA`.")
    memory_gb: int | None = strawberry.field(
        description="Device memory in GB, when the source states it."
    )
    _platform_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: m.Device, ctx: GraphContext) -> Device:
        return cls(
            _pk=row.id or 0,
            slug=row.slug,
            name=row.name,
            vendor=row.vendor,
            memory_gb=row.memory_gb,
            _platform_id=row.platform_id,
        )

    @strawberry.field(description="The platform it belongs to.")
    def platform(self, info: Info) -> Platform | None:
        if self._platform_id is None:
            return None
        ctx = _ctx(info)
        row = ctx.batch.by_id(m.Platform, self._platform_id)
        return Platform.of(row, ctx) if row else None

    @strawberry.field(description="Hourly prices providers charge for it.")
    def prices(self, info: Info) -> list[DevicePrice]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Device.prices",
            "Device",
            self._pk,
            m.DevicePrice,
            "device_id",
            order_by=["provider_id"],
        )
        return [DevicePrice.of(r, ctx) for r in rows]

    @strawberry.field(description="Benchmark runs measured on it.")
    def benchmark_runs(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[BenchmarkRun]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Device.benchmark_runs",
            "Device",
            self._pk,
            m.BenchmarkRun,
            "device_id",
            order_by=["slug"],
        )
        return list_connection(info, rows, lambda r: BenchmarkRun.of(r, ctx), first, after)


@strawberry.type(description="A numeric precision such as FP8 or MXFP4.")
class Precision(Node):
    slug: str = strawberry.field(description="Stable identifier, e.g. `mxfp4`.")
    name: str = strawberry.field(description="Name, e.g. `MXFP4`.")
    bits: int = strawberry.field(description="Bits per value.")
    family: PrecisionFamily = strawberry.field(
        description="Float, integer, normal float or microscaling."
    )

    @classmethod
    def of(cls, row: m.Precision, ctx: GraphContext) -> Precision:
        return cls(_pk=row.id or 0, slug=row.slug, name=row.name, bits=row.bits, family=row.family)

    @strawberry.field(description="Support facts of every engine for this precision.")
    def support(
        self,
        info: Info,
        status: SupportStatus | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[PrecisionSupport]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "Precision.support",
            "Precision",
            self._pk,
            m.PrecisionSupport,
            "precision_id",
            order_by=["engine_id"],
        )
        rows = [r for r in rows if status is None or r.status == status]
        return list_connection(info, rows, lambda r: PrecisionSupport.of(r, ctx), first, after)


# --- market and measurements ------------------------------------------------------------------


@strawberry.type(description="A large language model.")
class LLMModel(Node):
    slug: str = strawberry.field(description="Stable identifier, e.g. `llama-3.1-8b`.")
    name: str = strawberry.field(description="Name, e.g. `Llama 3.1 8B`.")
    family: str | None = strawberry.field(description="Model family, e.g. `Llama`.")
    parameters_billion: float | None = strawberry.field(
        description="Parameter count in billions, when the name states it."
    )

    @classmethod
    def of(cls, row: m.LLMModel, ctx: GraphContext) -> LLMModel:
        return cls(
            _pk=row.id or 0,
            slug=row.slug,
            name=row.name,
            family=row.family,
            parameters_billion=row.parameters_billion,
        )

    @strawberry.field(description="What providers charge for it.")
    def prices(self, info: Info) -> list[ModelPrice]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "LLMModel.prices",
            "LLMModel",
            self._pk,
            m.ModelPrice,
            "model_id",
            order_by=["provider_id"],
        )
        return [ModelPrice.of(r, ctx) for r in rows]

    @strawberry.field(description="Benchmark runs of this model.")
    def benchmark_runs(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[BenchmarkRun]:
        ctx = _ctx(info)
        rows = ctx.batch.children(
            "LLMModel.benchmark_runs",
            "LLMModel",
            self._pk,
            m.BenchmarkRun,
            "model_id",
            order_by=["slug"],
        )
        return list_connection(info, rows, lambda r: BenchmarkRun.of(r, ctx), first, after)


def _model(info: Info, model_id: int | None) -> LLMModel | None:
    if model_id is None:
        return None
    ctx = _ctx(info)
    row = ctx.batch.by_id(m.LLMModel, model_id)
    return LLMModel.of(row, ctx) if row else None


@strawberry.type(description="A provider's price for a model, in USD per million tokens.")
class ModelPrice(Node):
    input_usd_per_million_tokens: float = strawberry.field(
        description="USD per million input tokens."
    )
    output_usd_per_million_tokens: float = strawberry.field(
        description="USD per million output tokens."
    )
    model_variant: str | None = strawberry.field(description=_doc(m.ModelPrice, "model_variant"))
    pricing_mode: str | None = strawberry.field(description=_doc(m.ModelPrice, "pricing_mode"))
    currency: str = strawberry.field(description="Always `USD`.")
    unit: str = strawberry.field(description="Always `per 1M tokens`.")
    _provider_id: strawberry.Private[int]
    _model_id: strawberry.Private[int]
    _served_model_id: strawberry.Private[int | None]
    _source_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: m.ModelPrice, ctx: GraphContext) -> ModelPrice:
        return cls(
            _pk=row.id or 0,
            input_usd_per_million_tokens=float(row.input_usd_per_mtok),
            output_usd_per_million_tokens=float(row.output_usd_per_mtok),
            model_variant=row.model_variant,
            pricing_mode=row.pricing_mode,
            currency="USD",
            unit="per 1M tokens",
            _provider_id=row.provider_id,
            _model_id=row.model_id,
            _served_model_id=row.served_model_id,
            _source_id=row.source_id,
        )

    @strawberry.field(description="The provider.")
    def provider(self, info: Info) -> Engine:
        return _engine(info, self._provider_id)

    @strawberry.field(description="The model as listed.")
    def model(self, info: Info) -> LLMModel:
        model = _model(info, self._model_id)
        assert model is not None
        return model

    @strawberry.field(description=_doc(m.ModelPrice, "served_model_id"))
    def served_model(self, info: Info) -> LLMModel | None:
        return _model(info, self._served_model_id)

    @strawberry.field(description="Where the price comes from.")
    def source(self, info: Info) -> Source:
        return _source(info, self._source_id)


@strawberry.type(description="A provider's price for one device, in USD per hour.")
class DevicePrice(Node):
    usd_per_hour: float = strawberry.field(description="USD per device-hour.")
    unit: str = strawberry.field(description="Always `USD per device-hour`.")
    _provider_id: strawberry.Private[int]
    _device_id: strawberry.Private[int]
    _source_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: m.DevicePrice, ctx: GraphContext) -> DevicePrice:
        return cls(
            _pk=row.id or 0,
            usd_per_hour=float(row.usd_per_hour),
            unit="USD per device-hour",
            _provider_id=row.provider_id,
            _device_id=row.device_id,
            _source_id=row.source_id,
        )

    @strawberry.field(description="The provider.")
    def provider(self, info: Info) -> Engine:
        return _engine(info, self._provider_id)

    @strawberry.field(description="The device.")
    def device(self, info: Info) -> Device:
        ctx = _ctx(info)
        row = ctx.batch.by_id(m.Device, self._device_id)
        assert row is not None
        return Device.of(row, ctx)

    @strawberry.field(description="Where the price comes from.")
    def source(self, info: Info) -> Source:
        return _source(info, self._source_id)


@strawberry.type(
    description="One measured number: an engine (or provider) running a model on hardware."
)
class BenchmarkRun(Node):
    slug: str = strawberry.field(description="Stable identifier of the run.")
    model_scope: str | None = strawberry.field(description=_doc(m.BenchmarkRun, "model_scope"))
    device_count: int | None = strawberry.field(description="Number of devices, when stated.")
    metric: str = strawberry.field(description=_doc(m.BenchmarkRun, "metric"))
    value: float = strawberry.field(description=_doc(m.BenchmarkRun, "value"))
    value_max: float | None = strawberry.field(description=_doc(m.BenchmarkRun, "value_max"))
    qualifier: ValueQualifier = strawberry.field(
        description="EXACT, APPROXIMATE (`~`), GREATER_THAN (`>`) or AT_LEAST."
    )
    unit: str = strawberry.field(description=_doc(m.BenchmarkRun, "unit"))
    concurrency: int | None = strawberry.field(description="Concurrent requests during the run.")
    workload: str | None = strawberry.field(
        description="What was run, e.g. `4-bit quantized model`."
    )
    _engine_id: strawberry.Private[int | None]
    _model_id: strawberry.Private[int | None]
    _device_id: strawberry.Private[int | None]
    _source_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: m.BenchmarkRun, ctx: GraphContext) -> BenchmarkRun:
        return cls(
            _pk=row.id or 0,
            slug=row.slug,
            model_scope=row.model_scope,
            device_count=row.device_count,
            metric=row.metric,
            value=row.value,
            value_max=row.value_max,
            qualifier=row.qualifier,
            unit=row.unit,
            concurrency=row.concurrency,
            workload=row.workload,
            _engine_id=row.engine_id,
            _model_id=row.model_id,
            _device_id=row.device_id,
            _source_id=row.source_id,
        )

    @strawberry.field(description="The engine or provider measured, when the source names one.")
    def engine(self, info: Info) -> Engine | None:
        return None if self._engine_id is None else _engine(info, self._engine_id)

    @strawberry.field(description="The model, when the source names one.")
    def model(self, info: Info) -> LLMModel | None:
        return _model(info, self._model_id)

    @strawberry.field(description="The device, when the source names one.")
    def device(self, info: Info) -> Device | None:
        if self._device_id is None:
            return None
        ctx = _ctx(info)
        row = ctx.batch.by_id(m.Device, self._device_id)
        return Device.of(row, ctx) if row else None

    @strawberry.field(description="Where the number comes from.")
    def source(self, info: Info) -> Source:
        return _source(info, self._source_id)


NODE_TYPES: dict[str, tuple[type[Any], Any]] = {
    "Source": (m.Source, Source),
    "Organization": (m.Organization, Organization),
    "Engine": (m.Engine, Engine),
    "FeatureSupport": (m.FeatureSupport, FeatureSupport),
    "PlatformSupport": (m.PlatformSupport, PlatformSupport),
    "PrecisionSupport": (m.PrecisionSupport, PrecisionSupport),
    "TechniqueCategory": (m.TechniqueCategory, TechniqueCategory),
    "Technique": (m.Technique, Technique),
    "OptimizationFeature": (m.OptimizationFeature, OptimizationFeature),
    "Citation": (m.TechniqueCitation, Citation),
    "EnginePaper": (m.EnginePaper, EnginePaper),
    "Paper": (m.Paper, Paper),
    "Author": (m.Author, Author),
    "Platform": (m.Platform, Platform),
    "Device": (m.Device, Device),
    "Precision": (m.Precision, Precision),
    "LLMModel": (m.LLMModel, LLMModel),
    "ModelPrice": (m.ModelPrice, ModelPrice),
    "DevicePrice": (m.DevicePrice, DevicePrice),
    "BenchmarkRun": (m.BenchmarkRun, BenchmarkRun),
}
"""GraphQL type name → (table model, GraphQL type), for `node(id:)`."""
