"""Measured benchmark runs."""

from fastapi import APIRouter

from api.rest.common import list_route
from api.services import benchmarks

router = APIRouter(tags=["benchmarks"])

list_route(
    router,
    "/benchmark-runs",
    view=benchmarks.RUN,
    filter_class=benchmarks.RunFilter,
    fetch=benchmarks.list_runs,
    summary="Benchmark runs",
    example="engine:vllm",
)
