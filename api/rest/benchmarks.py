"""Measured benchmark runs: the filtered list, and comparisons, versions and facet counts."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api.rest import schemas as s
from api.rest.common import SessionDep, filter_of, filter_query, list_route, presented
from api.services import benchmarks

router = APIRouter(tags=["benchmarks"])

FILTER_HELP = (
    "A benchmark-runs filter (same keys as `GET /benchmark-runs`), e.g. `model:llama-3.1-8b`."
)
FilterText = filter_query(benchmarks.RunFilter, "engine:vllm", FILTER_HELP)
# The engines compared are `a` and `b`; the comparison's filter has no `engine` key.
CompareFilter = filter_query(
    benchmarks.RunFilter,
    "metric:output_throughput",
    "A benchmark-runs filter without `engine` (the engines are `a` and `b`).",
    without=("engine",),
)
# A model class built from the view at import time: typed loosely for mypy, exactly for OpenAPI.
RunOut: Any = s.BenchmarkRunOut
# Required in the document, so a request without both engines is not one it calls valid.
EngineSlug = Annotated[s.Slug, Query(description="Engine slug.")]

list_route(
    router,
    "/benchmark-runs",
    view=benchmarks.RUN,
    filter_class=benchmarks.RunFilter,
    fetch=benchmarks.list_runs,
    cursors=list(benchmarks.RUN_ORDERS.values()),
    summary="Benchmark runs",
    example="engine:vllm",
    order=benchmarks.RunOrder,
    default_order=benchmarks.RunOrder.SLUG,
    description="The best runs of a model by a metric on a device: "
    "`filter=model:…,metric:output_throughput,device:…&sort=-value` (latencies: `sort=value`).",
)


class FacetCountOut(BaseModel):
    value: str | None = Field(description="Slug (engine, model, device) or text; null: none.")
    count: int


class ComparisonOut(BaseModel):
    workload: dict[str, Any] = Field(
        description="What both engines' runs share: model, variant, device, count, scenario, "
        "metric, statistic, per-device, concurrency, lengths, rate, precision (ids as stored)."
    )
    a: list[RunOut]
    b: list[RunOut]


class VersionOut(BaseModel):
    version: str | None
    runs: list[RunOut]


@router.get(
    "/benchmark-runs/facets",
    response_model=dict[str, list[FacetCountOut]],
    summary="Benchmark run counts per engine, model, device, scenario, metric and format",
)
def get_run_facets(
    request: Request,
    session: SessionDep,
    filter: FilterText = None,  # type: ignore[valid-type]
) -> Any:
    f = filter_of(request, session, benchmarks.RunFilter, filter)
    return {
        kind: [FacetCountOut(value=c.value, count=c.count) for c in counts]
        for kind, counts in benchmarks.run_facets(session, f).items()
    }


@router.get(
    "/benchmark-runs/compare",
    response_model=list[ComparisonOut],
    summary="Engine A against engine B on the same workloads",
    description="Runs of engines `a` and `b` that share model, device, scenario, metric, "
    "statistic and workload, side by side; narrow them with `filter`.",
)
def get_run_comparison(
    request: Request,
    session: SessionDep,
    a: EngineSlug,
    b: EngineSlug,
    filter: CompareFilter = None,  # type: ignore[valid-type]
) -> Any:
    f = filter_of(request, session, benchmarks.RunFilter, filter)
    comparisons = benchmarks.compare_engines(session, a, b, f)
    return [
        ComparisonOut(
            workload=c.workload,
            a=presented(session, benchmarks.RUN, c.first),
            b=presented(session, benchmarks.RUN, c.second),
        )
        for c in comparisons
    ]


@router.get(
    "/engines/{slug}/benchmark-runs/versions",
    response_model=list[VersionOut],
    summary="An engine's runs across its versions",
    description="Grouped by engine version, oldest first (0.4.3 before 0.10.1).",
)
def get_engine_versions(
    request: Request,
    slug: str,
    session: SessionDep,
    filter: FilterText = None,  # type: ignore[valid-type]
) -> Any:
    f = filter_of(request, session, benchmarks.RunFilter, filter)
    return [
        VersionOut(version=v.version, runs=presented(session, benchmarks.RUN, v.runs))
        for v in benchmarks.engine_versions(session, slug, f)
    ]
