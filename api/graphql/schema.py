"""The GraphQL schema: root query fields, each one call of the shared service layer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info

import models as m
from api.errors import InvalidInputError, NotFoundError, Problem
from api.graphql import types as t
from api.graphql.as_of import ARGUMENT_DOC
from api.graphql.context import GraphContext, decode_global_id
from api.graphql.entities import wrap
from api.graphql.history_types import FactChange, SourceVersion, fact_change, source_version
from api.graphql.inputs import SupportConditionInput, filter_input, to_filter
from api.graphql.strawberry_bridge import core_schema
from api.services import (
    benchmarks,
    engines,
    hardware,
    literature,
    market,
    provenance,
    requirements,
    techniques,
)
from api.services.changes import fact_changes
from api.services.history import version_page
from api.services.ingest import review
from api.services.lookup import engine_by_name, find_by_slug
from api.services.pagination import Page, check_page_size, slice_page
from api.services.search import search
from api.services.vocabulary import Interface, bounded, respelled

T = TypeVar("T")
FirstArg = t.FirstArg
AfterArg = t.AfterArg
AsOfArg = Annotated[str | None, strawberry.argument(description=ARGUMENT_DOC)]
"""Read by the endpoint before execution (`api/graphql/as_of.py`): the resolvers' session
already reads that version, so they ignore it."""

if TYPE_CHECKING:
    EngineFilterInput = Any
    PaperFilterInput = Any
    TechniqueFilterInput = Any
    BenchmarkRunFilterInput = Any
else:
    EngineFilterInput = filter_input(
        engines.EngineFilter, "EngineFilterInput", "Filters on engines; all given parts must hold."
    )
    PaperFilterInput = filter_input(
        literature.PaperFilter, "PaperFilterInput", "Filters on papers; all given parts must hold."
    )
    TechniqueFilterInput = filter_input(
        techniques.TechniqueFilter, "TechniqueFilterInput", "Filters on techniques."
    )
    BenchmarkRunFilterInput = filter_input(
        benchmarks.RunFilter, "BenchmarkRunFilterInput", "Filters on benchmark runs (slugs)."
    )

__all__ = ["SupportConditionInput", "graphql_schema", "schema"]


def _ctx(info: Info) -> GraphContext:
    context: GraphContext = info.context
    return context


@contextmanager
def _graphql_words(filter_class: type[Any]) -> Iterator[None]:
    with respelled(filter_class, Interface.GRAPHQL):
        yield


def _filtered(info: Info, filter_class: type[Any], value: Any) -> Any:
    with _graphql_words(filter_class):
        return to_filter(filter_class, value, _ctx(info).max_list_values)


strawberry.enum(engines.EngineOrder, description="Order of an engine list.")
EngineOrder = engines.EngineOrder
strawberry.enum(
    literature.PaperOrder,
    description="Order of a paper list (ignored with `text`, which ranks by relevance).",
)
PaperOrder = literature.PaperOrder
strawberry.enum(
    benchmarks.RunOrder,
    description="Order of a run list: `VALUE_DESC` for the best throughputs, `VALUE_ASC` for "
    "the best latencies.",
)
RunOrder = benchmarks.RunOrder


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
    t.Engine | t.Paper | t.Technique,
    strawberry.union("SearchResult", description="An engine, a paper or a technique."),
]


@strawberry.type(description="A full-text search hit.")
class SearchHit:
    score: float = strawberry.field(
        description="Relevance; higher is better (comparable within one kind)."
    )
    node: SearchResult = strawberry.field(description="The engine, paper or technique found.")


@strawberry.type(description="How many runs have one engine, model, device, scenario, …")
class FacetCount:
    value: str | None = strawberry.field(
        description="Slug (engine, model, device) or text; null counts runs without one."
    )
    count: int = strawberry.field(description="Runs.")


@strawberry.type(description="Benchmark run counts by facet, most first.")
class RunFacets:
    engine: list[FacetCount] = strawberry.field(description="Per engine slug.")
    model: list[FacetCount] = strawberry.field(description="Per model slug.")
    device: list[FacetCount] = strawberry.field(description="Per device slug.")
    scenario: list[FacetCount] = strawberry.field(description="Per scenario.")
    metric: list[FacetCount] = strawberry.field(description="Per metric.")
    format: list[FacetCount] = strawberry.field(description="Per import format.")


PageArg = Annotated[
    int, strawberry.argument(description="At most this many (bounded by the server).")
]


@strawberry.type(
    description="Runs of two engines on one workload: same model and variant, device and "
    "count, scenario, metric, statistic, concurrency, lengths, rate and precision."
)
class RunComparison:
    first_runs: strawberry.Private[list[m.BenchmarkRun]]
    second_runs: strawberry.Private[list[m.BenchmarkRun]]

    @strawberry.field(description="Runs of engine `a`.")
    def a(self, info: Info, first: PageArg = 20) -> list[t.BenchmarkRun]:
        return _runs(info, _bounded(info, self.first_runs, first))

    @strawberry.field(description="Runs of engine `b`.")
    def b(self, info: Info, first: PageArg = 20) -> list[t.BenchmarkRun]:
        return _runs(info, _bounded(info, self.second_runs, first))


@strawberry.type(description="An engine's runs with one engine version.")
class RunVersion:
    version: str | None = strawberry.field(description="Engine version; null: not stated.")
    all_runs: strawberry.Private[list[m.BenchmarkRun]]

    @strawberry.field(description="The runs.")
    def runs(self, info: Info, first: PageArg = 50) -> list[t.BenchmarkRun]:
        return _runs(info, _bounded(info, self.all_runs, first))


def _bounded(info: Info, items: list[Any], first: int) -> list[Any]:
    check_page_size(first, _ctx(info).max_page_size, "first", minimum=0)
    return items[:first]


def _runs(info: Info, rows: list[m.BenchmarkRun]) -> list[t.BenchmarkRun]:
    _ctx(info).batch.announce_rows(m.BenchmarkRun, rows)
    return [wrap(t.BenchmarkRun, r) for r in rows]


def _refs(items: list[requirements.Requirement]) -> list[RequirementRef]:
    return [RequirementRef(kind=r.kind, slug=r.slug) for r in items]


def _one(info: Info, model: type[Any], wrapper: type[T], slug: str) -> T | None:
    ctx = _ctx(info)
    row = find_by_slug(ctx.session, model, slug)
    if row is None:
        return None
    ctx.batch.announce_rows(model, [row])
    return wrap(wrapper, row)


def _connection(
    info: Info, model: type[Any], wrapper: type[T], page: Callable[[Any], Page[Any]]
) -> t.Connection[T]:
    """A page of rows from a service, announced to the batch and wrapped as GraphQL objects."""
    found = page(info)
    _ctx(info).batch.announce_rows(model, found.items)
    return t.connection(found, lambda r: wrap(wrapper, r), getattr(wrapper, "_view", None))


def _page(info: Info, first: int | None, after: str | None) -> Any:
    return _ctx(info).page(first, after)


@strawberry.type(description="Read access to the InferGraph knowledge graph.")
class Query:
    @strawberry.field(description="Any object by its global id.")
    def node(self, info: Info, id: strawberry.ID, as_of: AsOfArg = None) -> t.Node | None:
        return _resolve_nodes(info, [id])[0]

    @strawberry.field(
        description="Objects by global ids, in the same order (null where not found)."
    )
    def nodes(
        self, info: Info, ids: list[strawberry.ID], as_of: AsOfArg = None
    ) -> list[t.Node | None]:
        return _resolve_nodes(info, ids)

    @strawberry.field(
        description=(
            "An engine by slug, or by display name or alias (`LLaMA.cpp`), case-insensitively."
        )
    )
    def engine(
        self, info: Info, slug: str | None = None, name: str | None = None, as_of: AsOfArg = None
    ) -> t.Engine | None:
        if slug is not None:
            return _one(info, m.Engine, t.Engine, slug)
        ctx = _ctx(info)
        row = engine_by_name(ctx.session, name) if name is not None else None
        return wrap(t.Engine, row) if row and ctx.batch.announce_rows(m.Engine, [row]) else None

    @strawberry.field(description="Engines, filtered and sorted.")
    def engines(
        self,
        info: Info,
        filter: EngineFilterInput | None = None,
        order_by: EngineOrder = engines.EngineOrder.NAME,
        first: FirstArg = None,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> t.Connection[t.Engine]:
        engine_filter = _filtered(info, engines.EngineFilter, filter)
        with _graphql_words(engines.EngineFilter):
            return _connection(
                info,
                m.Engine,
                t.Engine,
                lambda info: engines.list_engines(
                    _ctx(info).session, engine_filter, order_by, _page(info, first, after)
                ),
            )

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
        as_of: AsOfArg = None,
    ) -> t.Connection[RequirementMatch]:
        ctx = _ctx(info)
        engine_filter = _filtered(info, engines.EngineFilter, filter)
        with (
            _graphql_words(engines.EngineFilter),
            respelled(requirements.Requirements, Interface.GRAPHQL, "requirements.", ""),
        ):
            wanted = bounded(
                requirements.Requirements(
                    techniques=tuple(techniques or ()),
                    platforms=tuple(platforms or ()),
                    precisions=tuple(precisions or ()),
                ),
                ctx.max_list_values,
                "requirements.",
            )
            matches = requirements.match_engines(ctx.session, wanted, engine_filter)
        ctx.batch.announce_rows(m.Engine, [x.engine for x in matches])
        return t.connection(
            slice_page(matches, ctx.page(first, after)),
            lambda x: RequirementMatch(
                engine=wrap(t.Engine, x.engine),
                score=x.score,
                met=_refs(x.met),
                missing=_refs(x.missing),
                unknown=_refs(x.unknown),
            ),
        )

    @strawberry.field(description="An organization by slug.")
    def organization(self, info: Info, slug: str, as_of: AsOfArg = None) -> t.Organization | None:
        return _one(info, m.Organization, t.Organization, slug)

    @strawberry.field(description="Organizations, optionally of one kind.")
    def organizations(
        self,
        info: Info,
        kind: t.OrganizationKind | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> t.Connection[t.Organization]:
        f = engines.OrganizationFilter(kinds=() if kind is None else (kind,))
        return _connection(
            info,
            m.Organization,
            t.Organization,
            lambda info: engines.list_organizations(
                _ctx(info).session, f, _page(info, first, after)
            ),
        )

    @strawberry.field(description="A technique by slug.")
    def technique(self, info: Info, slug: str, as_of: AsOfArg = None) -> t.Technique | None:
        return _one(info, m.Technique, t.Technique, slug)

    @strawberry.field(
        description="Techniques, by category (sub-categories included) or full-text query."
    )
    def techniques(
        self,
        info: Info,
        filter: TechniqueFilterInput | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> t.Connection[t.Technique]:
        technique_filter = _filtered(info, techniques.TechniqueFilter, filter)
        with _graphql_words(techniques.TechniqueFilter):
            return _connection(
                info,
                m.Technique,
                t.Technique,
                lambda info: techniques.list_techniques(
                    _ctx(info).session, technique_filter, _page(info, first, after)
                ),
            )

    @strawberry.field(description="A technique category by slug.")
    def technique_category(
        self, info: Info, slug: str, as_of: AsOfArg = None
    ) -> t.TechniqueCategory | None:
        return _one(info, m.TechniqueCategory, t.TechniqueCategory, slug)

    @strawberry.field(description="The top-level technique categories; descend with `children`.")
    def technique_categories(self, info: Info, as_of: AsOfArg = None) -> list[t.TechniqueCategory]:
        ctx = _ctx(info)
        rows = ctx.batch.announce_rows(m.TechniqueCategory, techniques.top_categories(ctx.session))
        return [wrap(t.TechniqueCategory, r) for r in rows]

    @strawberry.field(description="An optimization-matrix column by slug.")
    def feature(self, info: Info, slug: str, as_of: AsOfArg = None) -> t.OptimizationFeature | None:
        return _one(info, m.OptimizationFeature, t.OptimizationFeature, slug)

    @strawberry.field(description="The optimization-matrix columns, in the survey's order.")
    def features(
        self, info: Info, first: FirstArg = None, after: AfterArg = None, as_of: AsOfArg = None
    ) -> t.Connection[t.OptimizationFeature]:
        return _connection(
            info,
            m.OptimizationFeature,
            t.OptimizationFeature,
            lambda info: techniques.list_features_page(
                _ctx(info).session, _page(info, first, after)
            ),
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
        as_of: AsOfArg = None,
    ) -> t.Paper | None:
        ctx = _ctx(info)
        row = literature.find_paper(ctx.session, key=bibtex_key, arxiv_id=arxiv_id, doi=doi)
        return wrap(t.Paper, row) if row and ctx.batch.announce_rows(m.Paper, [row]) else None

    @strawberry.field(description="An ingest run by id, with each entry's outcome.")
    def ingest_run(self, info: Info, id: int) -> t.IngestRun | None:
        ctx = _ctx(info)
        try:
            return t.ingest_run(review.get_run(ctx.session, id))
        except NotFoundError:
            return None

    @strawberry.field(description="Ingest runs, newest first.")
    def ingest_runs(self, info: Info, first: int = 20) -> list[t.IngestRun]:
        check_page_size(first, _ctx(info).max_page_size, "first")
        return [t.ingest_run(run) for run in review.list_runs(_ctx(info).session, first)]

    @strawberry.field(
        description="Paper conflicts for review (open ones unless `status` says otherwise)."
    )
    def paper_conflicts(
        self, info: Info, status: t.ConflictStatus | None = t.ConflictStatus.OPEN, first: int = 50
    ) -> list[t.PaperConflict]:
        check_page_size(first, _ctx(info).max_page_size, "first")
        views = review.list_conflicts(_ctx(info).session, status, first)
        return [t.paper_conflict(view) for view in views]

    @strawberry.field(description="Papers, filtered and sorted.")
    def papers(
        self,
        info: Info,
        filter: PaperFilterInput | None = None,
        order_by: PaperOrder = literature.PaperOrder.YEAR_DESC,
        first: FirstArg = None,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> t.Connection[t.Paper]:
        paper_filter = _filtered(info, literature.PaperFilter, filter)
        with _graphql_words(literature.PaperFilter):
            return _connection(
                info,
                m.Paper,
                t.Paper,
                lambda info: literature.list_papers(
                    _ctx(info).session, paper_filter, order_by, _page(info, first, after)
                ),
            )

    @strawberry.field(description="Authors whose name contains `name` (case-insensitive).")
    def authors(
        self, info: Info, name: str | None = None, first: FirstArg = None, after: AfterArg = None
    ) -> t.Connection[t.Author]:
        f = literature.AuthorFilter(name=name)
        return _connection(
            info,
            m.Author,
            t.Author,
            lambda info: literature.list_authors(_ctx(info).session, f, _page(info, first, after)),
        )

    @strawberry.field(description="A platform by slug.")
    def platform(self, info: Info, slug: str, as_of: AsOfArg = None) -> t.Platform | None:
        return _one(info, m.Platform, t.Platform, slug)

    @strawberry.field(description="Hardware platforms, optionally of one kind.")
    def platforms(
        self,
        info: Info,
        kind: t.PlatformKind | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> t.Connection[t.Platform]:
        f = hardware.PlatformFilter(kinds=() if kind is None else (kind,))
        return _connection(
            info,
            m.Platform,
            t.Platform,
            lambda info: hardware.list_platforms(_ctx(info).session, f, _page(info, first, after)),
        )

    @strawberry.field(description="A device by slug.")
    def device(self, info: Info, slug: str, as_of: AsOfArg = None) -> t.Device | None:
        return _one(info, m.Device, t.Device, slug)

    @strawberry.field(description="Devices.")
    def devices(
        self, info: Info, first: FirstArg = None, after: AfterArg = None, as_of: AsOfArg = None
    ) -> t.Connection[t.Device]:
        return _connection(
            info,
            m.Device,
            t.Device,
            lambda info: hardware.list_devices(_ctx(info).session, _page(info, first, after)),
        )

    @strawberry.field(description="A precision by slug.")
    def precision(self, info: Info, slug: str, as_of: AsOfArg = None) -> t.Precision | None:
        return _one(info, m.Precision, t.Precision, slug)

    @strawberry.field(description="Numeric precisions, in the survey's order.")
    def precisions(
        self, info: Info, first: FirstArg = None, after: AfterArg = None, as_of: AsOfArg = None
    ) -> t.Connection[t.Precision]:
        return _connection(
            info,
            m.Precision,
            t.Precision,
            lambda info: hardware.list_precisions(_ctx(info).session, _page(info, first, after)),
        )

    @strawberry.field(description="An LLM by slug.")
    def model(self, info: Info, slug: str, as_of: AsOfArg = None) -> t.LLMModel | None:
        return _one(info, m.LLMModel, t.LLMModel, slug)

    @strawberry.field(description="LLMs.")
    def models(
        self, info: Info, first: FirstArg = None, after: AfterArg = None, as_of: AsOfArg = None
    ) -> t.Connection[t.LLMModel]:
        return _connection(
            info,
            m.LLMModel,
            t.LLMModel,
            lambda info: market.list_models(_ctx(info).session, _page(info, first, after)),
        )

    @strawberry.field(
        description="Benchmark runs, filtered by engine, model, device, metric or source slug."
    )
    def benchmark_runs(
        self,
        info: Info,
        filter: BenchmarkRunFilterInput | None = None,
        order_by: RunOrder = benchmarks.RunOrder.SLUG,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> t.Connection[t.BenchmarkRun]:
        run_filter = _filtered(info, benchmarks.RunFilter, filter)
        with _graphql_words(benchmarks.RunFilter):
            return _connection(
                info,
                m.BenchmarkRun,
                t.BenchmarkRun,
                lambda info: benchmarks.list_runs(
                    _ctx(info).session, run_filter, order_by, _page(info, first, after)
                ),
            )

    @strawberry.field(description="Run counts per engine, model, device, scenario, metric, format.")
    def benchmark_run_facets(
        self, info: Info, filter: BenchmarkRunFilterInput | None = None
    ) -> RunFacets:
        run_filter = _filtered(info, benchmarks.RunFilter, filter)
        with _graphql_words(benchmarks.RunFilter):
            facets = benchmarks.run_facets(_ctx(info).session, run_filter)
        counts = {
            kind: [FacetCount(value=c.value, count=c.count) for c in found]
            for kind, found in facets.items()
        }
        return RunFacets(
            engine=counts["engine"],
            model=counts["model"],
            device=counts["device"],
            scenario=counts["scenario"],
            metric=counts["metric"],
            format=counts["import_format"],
        )

    @strawberry.field(
        description="Runs of engines `a` and `b` on the same workloads, side by side; "
        "narrow them with `filter` (model, device, scenario, metric, …)."
    )
    def benchmark_run_comparison(
        self,
        info: Info,
        a: str,
        b: str,
        filter: BenchmarkRunFilterInput | None = None,
        first: PageArg = 20,
    ) -> list[RunComparison]:
        run_filter = _filtered(info, benchmarks.RunFilter, filter)
        with _graphql_words(benchmarks.RunFilter):
            found = benchmarks.compare_engines(_ctx(info).session, a, b, run_filter)
        return [
            RunComparison(first_runs=c.first, second_runs=c.second)
            for c in _bounded(info, found, first)
        ]

    @strawberry.field(description="An engine's runs grouped by engine version, oldest first.")
    def benchmark_run_versions(
        self,
        info: Info,
        engine: str,
        filter: BenchmarkRunFilterInput | None = None,
        first: PageArg = 20,
    ) -> list[RunVersion]:
        run_filter = _filtered(info, benchmarks.RunFilter, filter)
        with _graphql_words(benchmarks.RunFilter):
            found = benchmarks.engine_versions(_ctx(info).session, engine, run_filter)
        return [
            RunVersion(version=v.version, all_runs=v.runs) for v in _bounded(info, found, first)
        ]

    @strawberry.field(description="Sources of facts.")
    def sources(
        self, info: Info, first: FirstArg = None, after: AfterArg = None, as_of: AsOfArg = None
    ) -> t.Connection[t.Source]:
        return _connection(
            info,
            m.Source,
            t.Source,
            lambda info: provenance.list_sources(_ctx(info).session, _page(info, first, after)),
        )

    @strawberry.field(
        description="Survey facts added, changed and retired, oldest first (the change feed); "
        "resume later from `pageInfo.endCursor`."
    )
    def changes(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> t.Connection[FactChange]:
        found = fact_changes(_ctx(info).session, _page(info, first, after))
        return t.connection(found, fact_change)

    @strawberry.field(description="The survey versions the graph has held, oldest first.")
    def source_versions(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> t.Connection[SourceVersion]:
        found = version_page(_ctx(info).session, _page(info, first, after))
        return t.connection(found, source_version)

    @strawberry.field(
        description=(
            "Search: engines whose name, slug or alias contains the text (an exact match "
            "first), then ranked full text over technique names and descriptions, then over "
            "paper titles and abstracts, each best first."
        )
    )
    def search(self, info: Info, text: str, first: int = 20) -> list[SearchHit]:
        ctx = _ctx(info)
        check_page_size(first, ctx.max_page_size, "first", minimum=0)
        found = search(ctx.session, text, first)
        for kind, (model, _) in _SEARCH_KINDS.items():
            ctx.batch.announce_rows(model, [hit.row for hit in found if hit.kind == kind])
        return [
            SearchHit(score=hit.score, node=wrap(_SEARCH_KINDS[hit.kind][1], hit.row))
            for hit in found
        ]


_SEARCH_KINDS: dict[str, tuple[type[Any], type[Any]]] = {
    "engine": (m.Engine, t.Engine),
    "technique": (m.Technique, t.Technique),
    "paper": (m.Paper, t.Paper),
}


def _resolve_nodes(info: Info, ids: list[strawberry.ID]) -> list[t.Node | None]:
    ctx = _ctx(info)
    if len(ids) > ctx.max_list_values:
        raise InvalidInputError(
            "too many ids",
            [Problem(f"at most {ctx.max_list_values}", field="ids", value=len(ids))],
        )
    decoded = [decode_global_id(str(value)) for value in ids]
    for type_name, pk in decoded:
        if type_name in t.NODE_TYPES:
            ctx.batch.announce(t.NODE_TYPES[type_name][0].__name__, [pk])
    result: list[t.Node | None] = []
    for type_name, pk in decoded:
        if type_name not in t.NODE_TYPES:
            result.append(None)
            continue
        model, wrapper = t.NODE_TYPES[type_name]
        row = ctx.batch.by_id(model, pk)
        result.append(wrap(wrapper, row) if row is not None else None)
    return result


schema = strawberry.Schema(query=Query, types=[wrapper for _, wrapper in t.NODE_TYPES.values()])

# Executed directly with graphql-core (see api/graphql/http.py): sync resolvers, our own
# GraphQL-over-HTTP handling, no per-field extension overhead.
graphql_schema = core_schema(schema)
