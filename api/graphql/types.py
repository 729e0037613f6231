"""GraphQL object types. Every relation is traversable both ways and batched per request."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from strawberry.types import Info

import models as m
from api.db import as_utc
from api.graphql.context import GraphContext, encode_global_id
from api.graphql.entities import entity, wrap
from api.graphql.profile_types import EngineProfile, profile_type
from api.graphql.relations import Children, Reference, Shape, Through, rows_from
from api.services import (
    benchmarks,
    engines,
    hardware,
    literature,
    market,
    profile,
    provenance,
    support,
    techniques,
)
from api.services.exports import bibtex
from api.services.groups import group_counts, grouping_named
from api.services.ingest import review
from api.services.pagination import Page, check_page_size, slice_page
from api.services.views import View
from api.services.vocabulary import Interface
from models import base
from models import ingest as ingest_models

T = TypeVar("T")

# What `techniques.techniques_of_features` and `_paper_authors` load, as `api/graphql/relations.py`
# describes relations for compiled plans.
_FEATURE_TECHNIQUES = Through(
    m.FeatureMember,
    "feature_id",
    "technique_id",
    m.Technique,
    (("target", "category_id"), ("target", "position")),
)
_PAPER_AUTHORS = Through(m.PaperAuthor, "paper_id", "author_id", m.Author, (("link", "position"),))

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


@strawberry.type(description="How often one value of a field occurs in a list.")
class FacetValue:
    key: str | None = strawberry.field(
        description="The value as text (numbers and flags spelled as in JSON; a related "
        "entity's slug); null for items without one."
    )
    count: int = strawberry.field(description="Items of the whole filtered list with it.")


@strawberry.type(description="Counts of a list by one field, most frequent value first.")
class Facet:
    field: str = strawberry.field(description="The field counted by, as asked for.")
    count: int = strawberry.field(description="Distinct values of the field in the list.")
    values: list[FacetValue] = strawberry.field(description="The most frequent values.")


@strawberry.type(description="A page of a list (Relay cursor connection).")
class Connection(Generic[T]):
    nodes: list[T] = strawberry.field(description="Items of this page, without cursors.")
    _page: strawberry.Private[Page[Any]]
    _view: strawberry.Private[View | None] = None

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

    @strawberry.field(
        description="Counts of the whole filtered list by fields (REST's `group_by`), at most "
        "5 fields, each with its `first` most frequent values. Lists of nested objects "
        "have none."
    )
    def facets(self, info: Info, by: list[str], first: int = 10) -> list[Facet]:
        if self._view is None:
            return []
        ctx = _ctx(info)
        top = check_page_size(first, ctx.max_page_size, "first")
        chosen = grouping_named(self._view, by, "by", Interface.GRAPHQL)
        facets = []
        for grouping in chosen:
            groups = group_counts(ctx.session, self._view, self._page, grouping, top)
            values = [FacetValue(key=_facet_key(g.key), count=g.count) for g in groups.top]
            facets.append(Facet(field=grouping.name, count=groups.total, values=values))
        return facets


def _facet_key(key: Any) -> str | None:
    if key is None or isinstance(key, str):
        return key
    return json.dumps(key)


def connection(
    page: Page[Any], wrap: Callable[[Any], T], view: View | None = None
) -> Connection[T]:
    return Connection(nodes=[wrap(item) for item in page.items], _page=page, _view=view)


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
    _row: strawberry.Private[Any]

    def __getattr__(self, name: str) -> Any:
        # Reached only when an attribute is not found otherwise: the columns of the row the
        # object wraps (api/graphql/entities.py `wrap`), for fields and resolvers alike.
        try:
            row = self.__dict__["_row"]
        except KeyError:
            raise AttributeError(name) from None
        return getattr(row, name)

    @strawberry.field(description="Globally unique, opaque id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_global_id(type(self).__name__, self._pk))


def _related(info: Info, model: type[Any], wrapper: type[T], key: int) -> T:
    """The row a foreign key points to (loaded with its siblings), as a GraphQL object."""
    row = _ctx(info).batch.by_id(model, key)
    assert row is not None
    return wrap(wrapper, row)


def _maybe_related(info: Info, model: type[Any], wrapper: type[T], key: int | None) -> T | None:
    """`_related` for a foreign key that may be empty."""
    if key is None:
        return None
    row = _ctx(info).batch.by_id(model, key)
    return wrap(wrapper, row) if row else None


def _children(
    info: Info, owner: Node, relation: str, model: type[Any], key: str, order_by: list[str]
) -> list[Any]:
    """Rows of `model` whose `key` is the owner's id, loaded for all its siblings at once."""
    kind = type(owner).__name__
    return _ctx(info).batch.children(
        f"{kind}.{relation}", kind, owner._pk, model, key, order_by=order_by
    )


def _with_status(rows: list[Any], status: SupportStatus | None) -> list[Any]:
    return [r for r in rows if status is None or r.status == status]


# --- provenance -------------------------------------------------------------------------


@strawberry.type(description="A document, table or figure that facts are taken from.")
@entity(provenance.SOURCE)
class Source(Node):
    """Fields from the entity's view only."""


def _source(info: Info, source_id: int) -> Source:
    return _related(info, m.Source, Source, source_id)


# --- organizations and engines ----------------------------------------------------------


@strawberry.type(description="A company, lab or community that builds engines.")
@entity(engines.ORGANIZATION)
class Organization(Node):
    @strawberry.field(description="Engines this organization builds.")
    def engines(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[Engine]:
        rows = _children(info, self, "engines", m.Engine, "organization_id", ["name"])
        return list_connection(info, rows, lambda r: wrap(Engine, r), first, after)


@strawberry.type(description="An LLM inference engine or hosted inference service.")
@entity(engines.ENGINE)
class Engine(Node):
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
    @rows_from(Reference(m.Organization, "organization_id"))
    def organization(self, info: Info) -> Organization | None:
        return _maybe_related(info, m.Organization, Organization, self.organization_id)

    @strawberry.field(description="The engine's own papers, in the survey's order.")
    @rows_from(Children(m.EnginePaper, "engine_id", ("position",)), Shape.CONNECTION)
    def papers(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[EnginePaper]:
        rows = _children(info, self, "papers", m.EnginePaper, "engine_id", ["position"])
        return list_connection(info, rows, lambda r: wrap(EnginePaper, r), first, after)

    @strawberry.field(description="Support facts for optimization-matrix columns.")
    @rows_from(
        Children(m.FeatureSupport, "engine_id", ("feature_id", "id")),
        Shape.CONNECTION,
        status_filter=True,
    )
    def feature_support(
        self,
        info: Info,
        status: SupportStatus | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[FeatureSupport]:
        rows = _children(
            info, self, "feature_support", m.FeatureSupport, "engine_id", ["feature_id", "id"]
        )
        rows = _with_status(rows, status)
        return list_connection(info, rows, lambda r: wrap(FeatureSupport, r), first, after)

    @strawberry.field(description="Support facts for hardware platforms.")
    @rows_from(
        Children(m.PlatformSupport, "engine_id", ("platform_id", "id")),
        Shape.CONNECTION,
        status_filter=True,
    )
    def platform_support(
        self,
        info: Info,
        status: SupportStatus | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[PlatformSupport]:
        rows = _children(
            info, self, "platform_support", m.PlatformSupport, "engine_id", ["platform_id", "id"]
        )
        rows = _with_status(rows, status)
        return list_connection(info, rows, lambda r: wrap(PlatformSupport, r), first, after)

    @strawberry.field(description="Support facts for numeric precisions.")
    @rows_from(
        Children(m.PrecisionSupport, "engine_id", ("precision_id", "id")),
        Shape.CONNECTION,
        status_filter=True,
    )
    def precision_support(
        self,
        info: Info,
        status: SupportStatus | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[PrecisionSupport]:
        rows = _children(
            info, self, "precision_support", m.PrecisionSupport, "engine_id", ["precision_id", "id"]
        )
        rows = _with_status(rows, status)
        return list_connection(info, rows, lambda r: wrap(PrecisionSupport, r), first, after)

    @strawberry.field(description="Prices this provider charges per million tokens.")
    def model_prices(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[ModelPrice]:
        rows = _children(info, self, "model_prices", m.ModelPrice, "provider_id", ["model_id"])
        return list_connection(info, rows, lambda r: wrap(ModelPrice, r), first, after)

    @strawberry.field(description="Prices this provider charges per device-hour.")
    def device_prices(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[DevicePrice]:
        rows = _children(info, self, "device_prices", m.DevicePrice, "provider_id", ["device_id"])
        return list_connection(info, rows, lambda r: wrap(DevicePrice, r), first, after)

    @strawberry.field(description="Benchmark runs that measured this engine or provider.")
    def benchmark_runs(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[BenchmarkRun]:
        rows = _children(info, self, "benchmark_runs", m.BenchmarkRun, "engine_id", ["slug"])
        return list_connection(info, rows, lambda r: wrap(BenchmarkRun, r), first, after)

    @strawberry.field(
        description=f"Six-dimension profile, {profile.LABEL}: scores with their ranges and "
        "the facts behind them."
    )
    def profile(self, info: Info) -> EngineProfile:
        # Computed for every engine of the request at once: six queries, not six per engine.
        found = _ctx(info).batch.load(
            "Engine.profile", "Engine", self._pk, profile.profiles_by_ids, _no_profile
        )
        return profile_type(found)


# --- support facts ---------------------------------------------------------------------


@strawberry.type(description="Whether an engine implements an optimization-matrix column.")
@entity(support.SUPPORT_VIEWS[support.FactKind.FEATURE])
class FeatureSupport(Node):
    @strawberry.field(description="The engine.")
    @rows_from(Reference(m.Engine, "engine_id"))
    def engine(self, info: Info) -> Engine:
        return _engine(info, self.engine_id)

    @strawberry.field(description="The matrix column (a technique or a group of them).")
    @rows_from(Reference(m.OptimizationFeature, "feature_id"))
    def feature(self, info: Info) -> OptimizationFeature:
        return _related(info, m.OptimizationFeature, OptimizationFeature, self.feature_id)

    @strawberry.field(description="Where the fact comes from.")
    @rows_from(Reference(m.Source, "source_id"))
    def source(self, info: Info) -> Source:
        return _source(info, self.source_id)


@strawberry.type(description="Whether an engine runs on a hardware platform.")
@entity(support.SUPPORT_VIEWS[support.FactKind.PLATFORM])
class PlatformSupport(Node):
    @strawberry.field(description="The engine.")
    @rows_from(Reference(m.Engine, "engine_id"))
    def engine(self, info: Info) -> Engine:
        return _engine(info, self.engine_id)

    @strawberry.field(description="The platform.")
    @rows_from(Reference(m.Platform, "platform_id"))
    def platform(self, info: Info) -> Platform:
        return _related(info, m.Platform, Platform, self.platform_id)

    @strawberry.field(description="Where the fact comes from.")
    @rows_from(Reference(m.Source, "source_id"))
    def source(self, info: Info) -> Source:
        return _source(info, self.source_id)


@strawberry.type(description="Whether an engine supports a numeric precision.")
@entity(support.SUPPORT_VIEWS[support.FactKind.PRECISION])
class PrecisionSupport(Node):
    @strawberry.field(description="The engine.")
    @rows_from(Reference(m.Engine, "engine_id"))
    def engine(self, info: Info) -> Engine:
        return _engine(info, self.engine_id)

    @strawberry.field(description="The precision.")
    @rows_from(Reference(m.Precision, "precision_id"))
    def precision(self, info: Info) -> Precision:
        return _related(info, m.Precision, Precision, self.precision_id)

    @strawberry.field(description="Where the fact comes from.")
    @rows_from(Reference(m.Source, "source_id"))
    def source(self, info: Info) -> Source:
        return _source(info, self.source_id)


def _engine(info: Info, engine_id: int) -> Engine:
    return _related(info, m.Engine, Engine, engine_id)


# --- techniques ---------------------------------------------------------------------------


@strawberry.type(description="A node of the technique category tree.")
@entity(techniques.CATEGORY)
class TechniqueCategory(Node):
    @strawberry.field(description="The enclosing category, if any.")
    @rows_from(Reference(m.TechniqueCategory, "parent_id"))
    def parent(self, info: Info) -> TechniqueCategory | None:
        return _maybe_related(info, m.TechniqueCategory, TechniqueCategory, self.parent_id)

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
        return [wrap(TechniqueCategory, r) for r in rows]

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
            page = techniques.list_techniques(
                ctx.session,
                techniques.TechniqueFilter(category=self.slug),
                ctx.page(first, after),
            )
            ctx.batch.announce_rows(m.Technique, page.items)
            return connection(page, lambda r: wrap(Technique, r))
        rows = ctx.batch.children(
            "TechniqueCategory.techniques",
            "TechniqueCategory",
            self._pk,
            m.Technique,
            "category_id",
            order_by=["position"],
        )
        return list_connection(info, rows, lambda r: wrap(Technique, r), first, after)


@strawberry.type(description="An optimization technique.")
@entity(techniques.TECHNIQUE)
class Technique(Node):
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
    @rows_from(Reference(m.TechniqueCategory, "category_id"))
    def category(self, info: Info) -> TechniqueCategory:
        return _related(info, m.TechniqueCategory, TechniqueCategory, self.category_id)

    @strawberry.field(
        description="Works the survey cites for it, in the survey's order with its labels."
    )
    @rows_from(
        Children(m.TechniqueCitation, "technique_id", ("source_id", "position")), Shape.CONNECTION
    )
    def citations(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[Citation]:
        rows = _children(
            info, self, "citations", m.TechniqueCitation, "technique_id", ["source_id", "position"]
        )
        return list_connection(info, rows, lambda r: wrap(Citation, r), first, after)

    @strawberry.field(description="Optimization-matrix columns that stand for this technique.")
    def features(self, info: Info) -> list[OptimizationFeature]:
        ctx = _ctx(info)
        return [wrap(OptimizationFeature, r) for r in _features_of_technique(ctx, self._pk)]

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
        return list_connection(info, engines, lambda r: wrap(Engine, r), first, after)

    @strawberry.field(
        description="Benchmark runs of the engines that support this technique (through any "
        "of its matrix columns)."
    )
    def benchmark_runs(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[BenchmarkRun]:
        ctx = _ctx(info)
        engine_ids: dict[int, None] = {}
        for feature in _features_of_technique(ctx, self._pk):
            for fact in _facts_of_feature(ctx, feature.id or 0):
                if fact.status == base.SupportStatus.SUPPORTED:
                    engine_ids.setdefault(fact.engine_id)
        rows: list[m.BenchmarkRun] = []
        for engine_id in _announced(ctx, "Engine", engine_ids):
            rows += ctx.batch.children(
                "Engine.benchmark_runs",
                "Engine",
                engine_id,
                m.BenchmarkRun,
                "engine_id",
                order_by=["slug"],
            )
        rows.sort(key=lambda r: r.slug)
        return list_connection(info, rows, lambda r: wrap(BenchmarkRun, r), first, after)


def _no_profile() -> Any:
    # An engine id is announced only for a row that exists, so every one has a profile.
    raise LookupError("engine without a profile")


def _announced(ctx: GraphContext, kind: str, ids: dict[int, None]) -> list[int]:
    ctx.batch.announce(kind, ids)
    return list(ids)


def _features_of_technique(ctx: GraphContext, technique_id: int) -> list[Any]:
    rows: list[Any] = ctx.batch.rows(
        "Technique.features",
        "Technique",
        technique_id,
        techniques.features_of_techniques,
        m.OptimizationFeature,
    )
    return rows


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
@entity(techniques.FEATURE)
class OptimizationFeature(Node):
    @strawberry.field(description="The techniques this column stands for.")
    @rows_from(_FEATURE_TECHNIQUES, Shape.LIST)
    def techniques(self, info: Info) -> list[Technique]:
        ctx = _ctx(info)

        rows = ctx.batch.rows(
            "OptimizationFeature.techniques",
            "OptimizationFeature",
            self._pk,
            techniques.techniques_of_features,
            m.Technique,
        )
        return [wrap(Technique, r) for r in rows]

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
        return list_connection(info, rows, lambda r: wrap(FeatureSupport, r), first, after)


# --- literature ------------------------------------------------------------------------------


@strawberry.type(
    description="A technique table's citation of a work: label, link and order as in the source."
)
@entity(literature.CITATION)
class Citation(Node):
    @strawberry.field(description="The citing technique.")
    @rows_from(Reference(m.Technique, "technique_id"))
    def technique(self, info: Info) -> Technique:
        return _related(info, m.Technique, Technique, self.technique_id)

    @strawberry.field(description="The cited work.")
    @rows_from(Reference(m.Paper, "paper_id"))
    def paper(self, info: Info) -> Paper:
        return _paper(info, self.paper_id)

    @strawberry.field(description="Where the citation comes from.")
    @rows_from(Reference(m.Source, "source_id"))
    def source(self, info: Info) -> Source:
        return _source(info, self.source_id)


def _paper_authors(ctx: GraphContext, paper_id: int) -> list[Any]:
    """A paper's `Author` rows in order, loaded for all papers of the request at once."""
    links = ctx.batch.children(
        "Paper.authors", "Paper", paper_id, m.PaperAuthor, "paper_id", order_by=["position"]
    )
    ctx.batch.announce("Author", [link.author_id for link in links])
    return [ctx.batch.by_id(m.Author, link.author_id) for link in links]


def _paper(info: Info, paper_id: int) -> Paper:
    return _related(info, m.Paper, Paper, paper_id)


@strawberry.type(description="An engine's own paper.")
@entity(literature.ENGINE_PAPER)
class EnginePaper(Node):
    @strawberry.field(description="The engine.")
    @rows_from(Reference(m.Engine, "engine_id"))
    def engine(self, info: Info) -> Engine:
        return _engine(info, self.engine_id)

    @strawberry.field(description="The paper.")
    @rows_from(Reference(m.Paper, "paper_id"))
    def paper(self, info: Info) -> Paper:
        return _paper(info, self.paper_id)

    @strawberry.field(description="Where the link comes from.")
    @rows_from(Reference(m.Source, "source_id"))
    def source(self, info: Info) -> Source:
        return _source(info, self.source_id)


@strawberry.type(description="An identifier a paper absorbed when another was merged into it.")
class AbsorbedId:
    kind: str = strawberry.field(description="`key`, `doi` or `arxiv`.")
    value: str = strawberry.field(description="The key, the DOI (lower case) or the arXiv id.")


@strawberry.type(description="A paper or other cited work (repository, documentation page).")
@entity(literature.PAPER)
class Paper(Node):
    @strawberry.field(description="Authors in order.")
    @rows_from(_PAPER_AUTHORS, Shape.CONNECTION)
    def authors(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[Author]:
        ctx = _ctx(info)
        people = _paper_authors(ctx, self._pk)
        return list_connection(info, people, lambda r: wrap(Author, r), first, after)

    @strawberry.field(description="Technique tables that cite it (one work cited twice has two).")
    def citations(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[Citation]:
        rows = _children(
            info, self, "citations", m.TechniqueCitation, "paper_id", ["technique_id", "position"]
        )
        return list_connection(info, rows, lambda r: wrap(Citation, r), first, after)

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
        return list_connection(info, rows, lambda r: wrap(Technique, r), first, after)

    @strawberry.field(description="Engines whose own paper this is.")
    def engine_papers(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[EnginePaper]:
        rows = _children(info, self, "engine_papers", m.EnginePaper, "paper_id", ["engine_id"])
        return list_connection(info, rows, lambda r: wrap(EnginePaper, r), first, after)

    @strawberry.field(
        description="Identifiers of papers merged into this one: lookups by them find it."
    )
    def absorbed_ids(self, info: Info) -> list[AbsorbedId]:
        rows = _ctx(info).batch.children(
            "Paper.absorbed_ids", "Paper", self._pk, m.PaperAlias, "paper_id", order_by=["id"]
        )
        return [AbsorbedId(kind=str(r.kind), value=r.value) for r in rows]

    @strawberry.field(description="The entry as BibTeX, with the source's raw LaTeX.")
    def bibtex(self, info: Info) -> str:
        return bibtex.paper_entry(self._row, _paper_authors(_ctx(info), self._pk))

    @strawberry.field(description="Where the entry comes from.")
    @rows_from(Reference(m.Source, "source_id"))
    def source(self, info: Info) -> Source:
        return _source(info, self.source_id)


@strawberry.type(description="An author of papers.")
@entity(literature.AUTHOR)
class Author(Node):
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
        return list_connection(info, papers, lambda r: wrap(Paper, r), first, after)


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
@entity(hardware.PLATFORM)
class Platform(Node):
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
        return [wrap(Device, r) for r in rows]

    @strawberry.field(description="Support facts of every engine for this platform.")
    def support(
        self,
        info: Info,
        status: SupportStatus | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[PlatformSupport]:
        rows = _children(info, self, "support", m.PlatformSupport, "platform_id", ["engine_id"])
        rows = _with_status(rows, status)
        return list_connection(info, rows, lambda r: wrap(PlatformSupport, r), first, after)


@strawberry.type(description="A specific piece of hardware used by prices and benchmark runs.")
@entity(hardware.DEVICE)
class Device(Node):
    @strawberry.field(description="The platform it belongs to.")
    def platform(self, info: Info) -> Platform | None:
        return _maybe_related(info, m.Platform, Platform, self.platform_id)

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
        return [wrap(DevicePrice, r) for r in rows]

    @strawberry.field(description="Benchmark runs measured on it.")
    def benchmark_runs(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[BenchmarkRun]:
        rows = _children(info, self, "benchmark_runs", m.BenchmarkRun, "device_id", ["slug"])
        return list_connection(info, rows, lambda r: wrap(BenchmarkRun, r), first, after)


@strawberry.type(description="A numeric precision such as FP8 or MXFP4.")
@entity(hardware.PRECISION)
class Precision(Node):
    @strawberry.field(description="Support facts of every engine for this precision.")
    def support(
        self,
        info: Info,
        status: SupportStatus | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[PrecisionSupport]:
        rows = _children(info, self, "support", m.PrecisionSupport, "precision_id", ["engine_id"])
        rows = _with_status(rows, status)
        return list_connection(info, rows, lambda r: wrap(PrecisionSupport, r), first, after)


# --- market and measurements ------------------------------------------------------------------


@strawberry.type(description="A large language model.")
@entity(market.MODEL)
class LLMModel(Node):
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
        return [wrap(ModelPrice, r) for r in rows]

    @strawberry.field(description="Benchmark runs of this model.")
    def benchmark_runs(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[BenchmarkRun]:
        rows = _children(info, self, "benchmark_runs", m.BenchmarkRun, "model_id", ["slug"])
        return list_connection(info, rows, lambda r: wrap(BenchmarkRun, r), first, after)


def _model(info: Info, model_id: int | None) -> LLMModel | None:
    return _maybe_related(info, m.LLMModel, LLMModel, model_id)


@strawberry.type(description="A provider's price for a model, in USD per million tokens.")
@entity(market.MODEL_PRICE)
class ModelPrice(Node):
    @strawberry.field(description="The provider.")
    def provider(self, info: Info) -> Engine:
        return _engine(info, self.provider_id)

    @strawberry.field(description="The model as listed.")
    def model(self, info: Info) -> LLMModel:
        model = _model(info, self.model_id)
        assert model is not None
        return model

    @strawberry.field(description=_doc(m.ModelPrice, "served_model_id"))
    def served_model(self, info: Info) -> LLMModel | None:
        return _model(info, self.served_model_id)

    @strawberry.field(description="Where the price comes from.")
    def source(self, info: Info) -> Source:
        return _source(info, self.source_id)


@strawberry.type(description="A provider's price for one device, in USD per hour.")
@entity(market.DEVICE_PRICE)
class DevicePrice(Node):
    @strawberry.field(description="The provider.")
    def provider(self, info: Info) -> Engine:
        return _engine(info, self.provider_id)

    @strawberry.field(description="The device.")
    def device(self, info: Info) -> Device:
        return _related(info, m.Device, Device, self.device_id)

    @strawberry.field(description="Where the price comes from.")
    def source(self, info: Info) -> Source:
        return _source(info, self.source_id)


@strawberry.type(
    description="One measured number: an engine (or provider) running a model on hardware."
)
@entity(benchmarks.RUN)
class BenchmarkRun(Node):
    @strawberry.field(description="The engine or provider measured, when the source names one.")
    def engine(self, info: Info) -> Engine | None:
        return None if self.engine_id is None else _engine(info, self.engine_id)

    @strawberry.field(description="The model, when the source names one.")
    def model(self, info: Info) -> LLMModel | None:
        return _model(info, self.model_id)

    @strawberry.field(description="The device, when the source names one.")
    def device(self, info: Info) -> Device | None:
        return _maybe_related(info, m.Device, Device, self.device_id)

    @strawberry.field(description="Where the number comes from.")
    def source(self, info: Info) -> Source:
        return _source(info, self.source_id)


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


# --- curation: ingest runs and paper conflicts ------------------------------------------------

strawberry.enum(ingest_models.EntryOutcome, description="What one entry of an ingest came to.")
EntryOutcome = ingest_models.EntryOutcome
strawberry.enum(ingest_models.ConflictStatus, description="Where the review of a conflict stands.")
ConflictStatus = ingest_models.ConflictStatus


@strawberry.type(description="One entry of an ingest run and what came of it.")
class IngestEntry:
    position: int = strawberry.field(description="Order of the entry in the input, from 0.")
    location: str = strawberry.field(description="The arXiv id, or `file:line`.")
    outcome: EntryOutcome = strawberry.field(description="What came of it.")
    entry_key: str | None = strawberry.field(description="The cite key the file gave it.")
    paper_key: str | None = strawberry.field(description="The paper it is now part of.")
    fields: list[str] = strawberry.field(description="Columns it changed.")
    evidence: str | None = strawberry.field(
        description="What identified the stored paper it joined."
    )
    message: str | None = strawberry.field(description="Why it failed, or the conflict.")
    conflict_id: int | None = strawberry.field(description="The conflict recorded for it.")


def ingest_entry(row: Any) -> IngestEntry:
    return IngestEntry(
        position=row.position,
        location=row.location,
        outcome=row.outcome,
        entry_key=row.entry_key,
        paper_key=row.paper_key,
        fields=list(row.fields or ()),
        evidence=row.evidence,
        message=row.message,
        conflict_id=row.conflict_id,
    )


@strawberry.type(description="Entries of a run that came to one outcome.")
class OutcomeCount:
    outcome: EntryOutcome = strawberry.field(description="The outcome.")
    entries: int = strawberry.field(description="How many entries came to it.")


@strawberry.type(description="One ingest (CLI or HTTP): what it read and what each entry became.")
class IngestRun:
    id: int = strawberry.field(description="The run's number (`/api/v1/ingest-runs/{id}`).")
    kind: str = strawberry.field(description="`arxiv` or `bibtex`.")
    locator: str = strawberry.field(description="The query, ids or file name ingested.")
    status: str = strawberry.field(description="`running`, `finished` or `aborted`.")
    started_at: str = strawberry.field(description="When it started (ISO 8601).")
    finished_at: str | None = strawberry.field(description="When it ended (ISO 8601).")

    @strawberry.field(description="Entries per outcome, every outcome named.")
    def outcomes(self, info: Info) -> list[OutcomeCount]:
        counts = review.run_outcomes(_ctx(info).session, self.id)
        return [OutcomeCount(outcome=EntryOutcome(k), entries=v) for k, v in counts.items()]

    @strawberry.field(description="Its entries in input order, optionally of some outcomes.")
    def entries(
        self,
        info: Info,
        outcome: list[EntryOutcome] | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[IngestEntry]:
        ctx = _ctx(info)
        found = review.run_entries(ctx.session, self.id, outcome or (), ctx.page(first, after))
        return connection(found, ingest_entry)


def ingest_run(row: Any) -> IngestRun:
    return IngestRun(
        id=row.id,
        kind=str(row.kind),
        locator=row.locator,
        status=str(row.status),
        started_at=as_utc(row.started_at).isoformat(),
        finished_at=as_utc(row.finished_at).isoformat() if row.finished_at else None,
    )


@strawberry.type(description="A field on which two conflicting papers disagree.")
class Disagreement:
    field: str = strawberry.field(description="The field, e.g. `doi` or `title`.")
    paper_value: str | None = strawberry.field(description="Its value on `paper`, as JSON.")
    other_value: str | None = strawberry.field(description="Its value on `other`, as JSON.")


@strawberry.type(
    description="Two papers that some evidence calls one and stronger evidence calls two."
)
class PaperConflict:
    id: int = strawberry.field(description="The conflict's number.")
    evidence: str = strawberry.field(description="What the two share.")
    disagreements: list[Disagreement] = strawberry.field(description="Each differing field.")
    location: str | None = strawberry.field(description="Where the entry was read.")
    run_id: int | None = strawberry.field(description="The ingest run that found it.")
    status: ConflictStatus = strawberry.field(description="Where its review stands.")
    note: str | None = strawberry.field(description="The reviewer's note.")
    _paper_key: strawberry.Private[str]
    _other_key: strawberry.Private[str]

    @strawberry.field(description="The paper the incoming entry was stored as.")
    def paper(self, info: Info) -> Paper | None:
        return _paper_by_key(info, self._paper_key)

    @strawberry.field(description="The stored paper the weaker evidence pointed at.")
    def other(self, info: Info) -> Paper | None:
        return _paper_by_key(info, self._other_key)


def _paper_by_key(info: Info, key: str) -> Paper | None:
    ctx = _ctx(info)
    row = literature.find_paper(ctx.session, key=key)
    return wrap(Paper, row) if row and ctx.batch.announce_rows(m.Paper, [row]) else None


def paper_conflict(view: review.ConflictView) -> PaperConflict:
    return PaperConflict(
        id=view.id,
        evidence=view.evidence,
        disagreements=[
            Disagreement(
                field=name,
                paper_value=json.dumps(values[0], ensure_ascii=False),
                other_value=json.dumps(values[1], ensure_ascii=False),
            )
            for name, values in view.fields.items()
        ],
        location=view.location,
        run_id=view.run_id,
        status=view.status,
        note=view.note,
        _paper_key=view.paper_key,
        _other_key=view.other_key,
    )
