"""The GraphQL schema: root query fields over the shared service layer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import strawberry
from sqlmodel import col, select
from strawberry.types import Info

import models as m
from api.errors import InvalidInputError, Problem
from api.graphql import types as t
from api.graphql.context import GraphContext, decode_global_id
from api.graphql.strawberry_bridge import core_schema
from api.services import engines as engine_service
from api.services import literature, requirements, techniques
from api.services.lookup import engine_by_name
from api.services.pagination import slice_page, table_page
from api.services.search import search_ids
from models import base

T = TypeVar("T")
FirstArg = t.FirstArg
AfterArg = t.AfterArg


def _ctx(info: Info) -> GraphContext:
    context: GraphContext = info.context
    return context


# --- inputs --------------------------------------------------------------------------------


@strawberry.input(
    description="Engines whose facts have `status` for all of / any of the given targets."
)
class SupportConditionInput:
    all_of: list[str] | None = strawberry.field(
        default=None, description="Slugs that must all have the status."
    )
    any_of: list[str] | None = strawberry.field(
        default=None, description="Slugs of which at least one must have the status."
    )
    status: t.SupportStatus = strawberry.field(
        default=base.SupportStatus.SUPPORTED,
        description="UNKNOWN also matches engines about which no source says anything.",
    )

    def to_service(self) -> engine_service.SupportCondition:
        return engine_service.SupportCondition(
            all_of=tuple(self.all_of or ()), any_of=tuple(self.any_of or ()), status=self.status
        )


@strawberry.input(description="Filters on engines; all given parts must hold.")
class EngineFilterInput:
    techniques: SupportConditionInput | None = strawberry.field(
        default=None,
        description=(
            "Technique slugs (met through any matrix column containing "
            "them) or matrix-column slugs such as `speculative-decoding`."
        ),
    )
    platforms: SupportConditionInput | None = strawberry.field(
        default=None, description="Platform slugs."
    )
    precisions: SupportConditionInput | None = strawberry.field(
        default=None, description="Precision slugs."
    )
    organization_kinds: list[t.OrganizationKind] | None = strawberry.field(
        default=None, description="Engines of organizations of these kinds."
    )
    organization: str | None = strawberry.field(default=None, description="Organization slug.")
    open_source: list[t.OpenSource] | None = strawberry.field(
        default=None, description="Engines with one of these open-source states."
    )
    commercial: bool | None = strawberry.field(
        default=None,
        description="Only hosted commercial services (true) or only the others (false).",
    )
    deployment_scale: t.DeploymentScale | None = strawberry.field(
        default=None, description="Single-node or multi-node engines."
    )
    hardware_diversity: t.HardwareDiversity | None = strawberry.field(
        default=None, description="Heterogeneous or homogeneous engines."
    )
    text: str | None = strawberry.field(
        default=None, description="Substring of the name or an alias."
    )

    def to_service(self) -> engine_service.EngineFilter:
        return engine_service.EngineFilter(
            techniques=self.techniques.to_service() if self.techniques else None,
            platforms=self.platforms.to_service() if self.platforms else None,
            precisions=self.precisions.to_service() if self.precisions else None,
            organization_kinds=tuple(self.organization_kinds or ()),
            organization=self.organization,
            open_source=tuple(self.open_source or ()),
            commercial=self.commercial,
            deployment_scale=self.deployment_scale,
            hardware_diversity=self.hardware_diversity,
            text=self.text,
        )


strawberry.enum(engine_service.EngineOrder, description="Order of an engine list.")
EngineOrder = engine_service.EngineOrder
strawberry.enum(
    literature.PaperOrder,
    description="Order of a paper list (ignored with `text`, which ranks by relevance).",
)
PaperOrder = literature.PaperOrder


@strawberry.input(description="Filters on papers; all given parts must hold.")
class PaperFilterInput:
    year_from: int | None = strawberry.field(
        default=None, description="Published in or after this year."
    )
    year_to: int | None = strawberry.field(
        default=None, description="Published in or before this year."
    )
    techniques: list[str] | None = strawberry.field(
        default=None, description="Cited by any of these technique slugs."
    )
    author: str | None = strawberry.field(
        default=None, description="Substring of an author's name."
    )
    venue: str | None = strawberry.field(default=None, description="Substring of the venue.")
    text: str | None = strawberry.field(
        default=None,
        description="Full-text query over title and abstract; results ranked by relevance.",
    )

    def to_service(self) -> literature.PaperFilter:
        return literature.PaperFilter(
            year_from=self.year_from,
            year_to=self.year_to,
            techniques=tuple(self.techniques or ()),
            author=self.author,
            venue=self.venue,
            text=self.text,
        )


@strawberry.input(description="Filters on techniques.")
class TechniqueFilterInput:
    category: str | None = strawberry.field(
        default=None, description="Category slug; sub-categories included."
    )
    text: str | None = strawberry.field(
        default=None, description="Full-text query over name and description."
    )
    in_survey_table: bool | None = strawberry.field(
        default=None,
        description="Only techniques that are (or are not) rows of the survey's technique tables.",
    )

    def to_service(self) -> techniques.TechniqueFilter:
        return techniques.TechniqueFilter(
            category=self.category, text=self.text, in_survey_table=self.in_survey_table
        )


@strawberry.input(description="Filters on benchmark runs (slugs).")
class BenchmarkRunFilterInput:
    engine: str | None = strawberry.field(default=None, description="Engine slug.")
    model: str | None = strawberry.field(default=None, description="Model slug.")
    device: str | None = strawberry.field(default=None, description="Device slug.")
    metric: str | None = strawberry.field(
        default=None, description="Metric, e.g. `output_throughput` or `ttft`."
    )
    source: str | None = strawberry.field(default=None, description="Source slug.")


# --- results -----------------------------------------------------------------------------------


@strawberry.type(description="One requirement of a requirement query.")
class RequirementRef:
    kind: str = strawberry.field(description="`technique`, `platform` or `precision`.")
    slug: str = strawberry.field(description="Slug of the technique, platform or precision.")


@strawberry.type(description="How well one engine meets a set of requirements.")
class RequirementMatch:
    engine: t.Engine = strawberry.field(description="The engine.")
    score: float = strawberry.field(description="Share of requirements met, 0 to 1.")
    met: list[RequirementRef] = strawberry.field(
        description="Requirements a source says are supported."
    )
    missing: list[RequirementRef] = strawberry.field(
        description="Requirements a source says are not supported."
    )
    unknown: list[RequirementRef] = strawberry.field(description="Requirements no source settles.")


SearchResult = Annotated[
    t.Paper | t.Technique, strawberry.union("SearchResult", description="A paper or a technique.")
]


@strawberry.type(description="A full-text search hit.")
class SearchHit:
    score: float = strawberry.field(
        description="Relevance; higher is better (comparable within one kind)."
    )
    node: SearchResult = strawberry.field(description="The paper or technique found.")


def _refs(items: list[requirements.Requirement]) -> list[RequirementRef]:
    return [RequirementRef(kind=r.kind, slug=r.slug) for r in items]


def _one(
    info: Info, model: type[Any], wrap: Callable[[Any, GraphContext], T], **where: Any
) -> T | None:
    ctx = _ctx(info)
    statement = select(model)
    for column, value in where.items():
        statement = statement.where(getattr(model, column) == value)
    row = ctx.session.exec(statement).first()
    if row is None:
        return None
    ctx.batch.announce_rows(model, [row])
    return wrap(row, ctx)


def _all(
    info: Info,
    model: type[Any],
    wrap: Any,
    order: str,
    first: int | None,
    after: str | None,
    *where: Any,
) -> t.Connection[Any]:
    """A keyset-paginated list of `model` ordered by the column `order` (then id)."""
    ctx = _ctx(info)
    page = table_page(ctx.session, model, order, ctx.page(first, after), *where)
    ctx.batch.announce_rows(model, page.items)
    return t.connection(page, lambda r: wrap.of(r, ctx))


@strawberry.type(description="Read access to the InferGraph knowledge graph.")
class Query:
    @strawberry.field(description="Any object by its global id.")
    def node(self, info: Info, id: strawberry.ID) -> t.Node | None:
        return _resolve_nodes(info, [id])[0]

    @strawberry.field(
        description="Objects by global ids, in the same order (null where not found)."
    )
    def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[t.Node | None]:
        return _resolve_nodes(info, ids)

    @strawberry.field(
        description=(
            "An engine by slug, or by display name or alias (`LLaMA.cpp`), case-insensitively."
        )
    )
    def engine(
        self, info: Info, slug: str | None = None, name: str | None = None
    ) -> t.Engine | None:
        ctx = _ctx(info)
        row = None
        if slug is not None:
            row = ctx.session.exec(select(m.Engine).where(m.Engine.slug == slug)).first()
        elif name is not None:
            row = engine_by_name(ctx.session, name)
        return t.Engine.of(row, ctx) if row and ctx.batch.announce_rows(m.Engine, [row]) else None

    @strawberry.field(description="Engines, filtered and sorted.")
    def engines(
        self,
        info: Info,
        filter: EngineFilterInput | None = None,
        order_by: EngineOrder = engine_service.EngineOrder.NAME,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> t.Connection[t.Engine]:
        ctx = _ctx(info)
        page = engine_service.list_engines(
            ctx.session, filter.to_service() if filter else None, order_by, ctx.page(first, after)
        )
        ctx.batch.announce_rows(m.Engine, page.items)
        return t.connection(page, lambda r: t.Engine.of(r, ctx))

    @strawberry.field(
        description=(
            "Engines ranked by how many of the required techniques, "
            "platforms and precisions they support, with what is met, "
            "missing and unknown."
        )
    )
    def engine_requirements(
        self,
        info: Info,
        techniques: list[str] | None = None,
        platforms: list[str] | None = None,
        precisions: list[str] | None = None,
        filter: EngineFilterInput | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> t.Connection[RequirementMatch]:
        ctx = _ctx(info)
        matches = requirements.match_engines(
            ctx.session,
            requirements.Requirements(
                techniques=tuple(techniques or ()),
                platforms=tuple(platforms or ()),
                precisions=tuple(precisions or ()),
            ),
            filter.to_service() if filter else None,
        )
        ctx.batch.announce_rows(m.Engine, [x.engine for x in matches])
        return t.connection(
            slice_page(matches, ctx.page(first, after)),
            lambda x: RequirementMatch(
                engine=t.Engine.of(x.engine, ctx),
                score=x.score,
                met=_refs(x.met),
                missing=_refs(x.missing),
                unknown=_refs(x.unknown),
            ),
        )

    @strawberry.field(description="An organization by slug.")
    def organization(self, info: Info, slug: str) -> t.Organization | None:
        return _one(info, m.Organization, t.Organization.of, slug=slug)

    @strawberry.field(description="Organizations, optionally of one kind.")
    def organizations(
        self,
        info: Info,
        kind: t.OrganizationKind | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> t.Connection[t.Organization]:
        where: list[Any] = [] if kind is None else [m.Organization.kind == kind]
        return _all(info, m.Organization, t.Organization, "name", first, after, *where)

    @strawberry.field(description="A technique by slug.")
    def technique(self, info: Info, slug: str) -> t.Technique | None:
        return _one(info, m.Technique, t.Technique.of, slug=slug)

    @strawberry.field(
        description="Techniques, by category (sub-categories included) or full-text query."
    )
    def techniques(
        self,
        info: Info,
        filter: TechniqueFilterInput | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> t.Connection[t.Technique]:
        ctx = _ctx(info)
        page = techniques.list_techniques(
            ctx.session, filter.to_service() if filter else None, ctx.page(first, after)
        )
        ctx.batch.announce_rows(m.Technique, page.items)
        return t.connection(page, lambda r: t.Technique.of(r, ctx))

    @strawberry.field(description="A technique category by slug.")
    def technique_category(self, info: Info, slug: str) -> t.TechniqueCategory | None:
        return _one(info, m.TechniqueCategory, t.TechniqueCategory.of, slug=slug)

    @strawberry.field(description="The top-level technique categories; descend with `children`.")
    def technique_categories(self, info: Info) -> list[t.TechniqueCategory]:
        ctx = _ctx(info)
        rows = ctx.session.exec(
            select(m.TechniqueCategory)
            .where(col(m.TechniqueCategory.parent_id).is_(None))
            .order_by(col(m.TechniqueCategory.position))
        )
        categories = ctx.batch.announce_rows(m.TechniqueCategory, rows)
        return [t.TechniqueCategory.of(r, ctx) for r in categories]

    @strawberry.field(description="An optimization-matrix column by slug.")
    def feature(self, info: Info, slug: str) -> t.OptimizationFeature | None:
        return _one(info, m.OptimizationFeature, t.OptimizationFeature.of, slug=slug)

    @strawberry.field(description="The optimization-matrix columns, in the survey's order.")
    def features(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> t.Connection[t.OptimizationFeature]:
        return _all(
            info,
            m.OptimizationFeature,
            t.OptimizationFeature,
            "id",
            first,
            after,
        )

    @strawberry.field(
        description="A paper by BibTeX key, arXiv id (any version, `arXiv:` prefix allowed) or DOI."
    )
    def paper(
        self,
        info: Info,
        bibtex_key: str | None = None,
        arxiv_id: str | None = None,
        doi: str | None = None,
    ) -> t.Paper | None:
        ctx = _ctx(info)
        row = literature.find_paper(ctx.session, key=bibtex_key, arxiv_id=arxiv_id, doi=doi)
        return t.Paper.of(row, ctx) if row and ctx.batch.announce_rows(m.Paper, [row]) else None

    @strawberry.field(description="Papers, filtered and sorted.")
    def papers(
        self,
        info: Info,
        filter: PaperFilterInput | None = None,
        order_by: PaperOrder = literature.PaperOrder.YEAR_DESC,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> t.Connection[t.Paper]:
        ctx = _ctx(info)
        page = literature.list_papers(
            ctx.session, filter.to_service() if filter else None, order_by, ctx.page(first, after)
        )
        ctx.batch.announce_rows(m.Paper, page.items)
        return t.connection(page, lambda r: t.Paper.of(r, ctx))

    @strawberry.field(description="Authors whose name contains `name` (case-insensitive).")
    def authors(
        self, info: Info, name: str | None = None, first: FirstArg = None, after: AfterArg = None
    ) -> t.Connection[t.Author]:
        from sqlalchemy import func

        where: list[Any] = (
            [] if not name else [func.lower(m.Author.name).like(f"%{name.casefold()}%")]
        )
        return _all(info, m.Author, t.Author, "name_key", first, after, *where)

    @strawberry.field(description="A platform by slug.")
    def platform(self, info: Info, slug: str) -> t.Platform | None:
        return _one(info, m.Platform, t.Platform.of, slug=slug)

    @strawberry.field(description="Hardware platforms, optionally of one kind.")
    def platforms(
        self,
        info: Info,
        kind: t.PlatformKind | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> t.Connection[t.Platform]:
        where: list[Any] = [] if kind is None else [m.Platform.kind == kind]
        return _all(info, m.Platform, t.Platform, "id", first, after, *where)

    @strawberry.field(description="A device by slug.")
    def device(self, info: Info, slug: str) -> t.Device | None:
        return _one(info, m.Device, t.Device.of, slug=slug)

    @strawberry.field(description="Devices.")
    def devices(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> t.Connection[t.Device]:
        return _all(info, m.Device, t.Device, "name", first, after)

    @strawberry.field(description="A precision by slug.")
    def precision(self, info: Info, slug: str) -> t.Precision | None:
        return _one(info, m.Precision, t.Precision.of, slug=slug)

    @strawberry.field(description="Numeric precisions, in the survey's order.")
    def precisions(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> t.Connection[t.Precision]:
        return _all(info, m.Precision, t.Precision, "id", first, after)

    @strawberry.field(description="An LLM by slug.")
    def model(self, info: Info, slug: str) -> t.LLMModel | None:
        return _one(info, m.LLMModel, t.LLMModel.of, slug=slug)

    @strawberry.field(description="LLMs.")
    def models(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> t.Connection[t.LLMModel]:
        return _all(info, m.LLMModel, t.LLMModel, "name", first, after)

    @strawberry.field(
        description="Benchmark runs, filtered by engine, model, device, metric or source slug."
    )
    def benchmark_runs(
        self,
        info: Info,
        filter: BenchmarkRunFilterInput | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> t.Connection[t.BenchmarkRun]:
        where: list[Any] = []
        if filter is not None:
            for value, model, column in (
                (filter.engine, m.Engine, m.BenchmarkRun.engine_id),
                (filter.model, m.LLMModel, m.BenchmarkRun.model_id),
                (filter.device, m.Device, m.BenchmarkRun.device_id),
                (filter.source, m.Source, m.BenchmarkRun.source_id),
            ):
                if value is not None:
                    where.append(col(column).in_(select(model.id).where(model.slug == value)))
            if filter.metric is not None:
                where.append(m.BenchmarkRun.metric == filter.metric)
        return _all(info, m.BenchmarkRun, t.BenchmarkRun, "slug", first, after, *where)

    @strawberry.field(description="Sources of facts.")
    def sources(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> t.Connection[t.Source]:
        return _all(info, m.Source, t.Source, "id", first, after)

    @strawberry.field(
        description=(
            "Ranked full-text search over paper titles and abstracts and "
            "technique names and descriptions. Techniques come first, "
            "then papers, each best first."
        )
    )
    def search(self, info: Info, text: str, first: int = 20) -> list[SearchHit]:
        ctx = _ctx(info)
        if not 0 <= first <= ctx.max_page_size:
            raise InvalidInputError(
                "page size out of range",
                [Problem(f"must be between 0 and {ctx.max_page_size}", field="first", value=first)],
            )
        hits: list[SearchHit] = []
        kinds: list[tuple[str, Any, Any]] = [
            ("technique", m.Technique, t.Technique),
            ("paper", m.Paper, t.Paper),
        ]
        for table, model, wrap in kinds:
            found = search_ids(ctx.session, table, text, limit=first)
            ids = [h.id for h in found]
            found_rows = ctx.session.exec(select(model).where(col(model.id).in_(ids)))
            rows = {r.id: r for r in ctx.batch.announce_rows(model, found_rows)}
            hits += [
                SearchHit(score=h.score, node=wrap.of(rows[h.id], ctx))
                for h in found
                if h.id in rows
            ]
        return hits[:first]


def _resolve_nodes(info: Info, ids: list[strawberry.ID]) -> list[t.Node | None]:
    ctx = _ctx(info)
    decoded = [decode_global_id(str(value)) for value in ids]
    for type_name, pk in decoded:
        if type_name in t.NODE_TYPES:
            ctx.batch.announce(t.NODE_TYPES[type_name][0].__name__, [pk])
    result: list[t.Node | None] = []
    for type_name, pk in decoded:
        if type_name not in t.NODE_TYPES:
            result.append(None)
            continue
        model, wrap = t.NODE_TYPES[type_name]
        row = ctx.batch.by_id(model, pk)
        result.append(wrap.of(row, ctx) if row is not None else None)
    return result


schema = strawberry.Schema(query=Query, types=[wrap for _, wrap in t.NODE_TYPES.values()])

# Executed directly with graphql-core (see api/graphql/http.py): sync resolvers, our own
# GraphQL-over-HTTP handling, no per-field extension overhead.
graphql_schema = core_schema(schema)
