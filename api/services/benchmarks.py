"""Measured benchmark runs: filtered lists with the same slug checks as every other list."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col

import models as m
from api.services.pagination import FIRST_PAGE, Page, PageRequest, all_items, table_page
from api.services.views import View, column, slug_ref
from api.services.vocabulary import Slugs, Text, check_slugs, key

RUN = View(
    m.BenchmarkRun,
    (
        column(m.BenchmarkRun, "slug"),
        column(m.BenchmarkRun, "model_scope"),
        column(m.BenchmarkRun, "device_count"),
        column(m.BenchmarkRun, "metric"),
        column(m.BenchmarkRun, "value"),
        column(m.BenchmarkRun, "value_max"),
        column(m.BenchmarkRun, "qualifier"),
        column(m.BenchmarkRun, "unit"),
        column(m.BenchmarkRun, "concurrency"),
        column(m.BenchmarkRun, "workload"),
    ),
    (
        slug_ref("engine", "Engine or provider slug.", m.Engine, "engine_id"),
        slug_ref("model", "Model slug.", m.LLMModel, "model_id"),
        slug_ref("device", "Device slug.", m.Device, "device_id"),
        slug_ref("source", "Source slug.", m.Source, "source_id"),
    ),
)


@dataclass(frozen=True)
class RunFilter:
    engines: tuple[str, ...] = key(
        Slugs(m.Engine, "engine", many=True),
        rest="engine",
        graphql="engine",
        description="Engine slug",
    )
    models: tuple[str, ...] = key(
        Slugs(m.LLMModel, "model", many=True),
        rest="model",
        graphql="model",
        description="Model slug",
    )
    devices: tuple[str, ...] = key(
        Slugs(m.Device, "device", many=True),
        rest="device",
        graphql="device",
        description="Device slug",
    )
    sources: tuple[str, ...] = key(
        Slugs(m.Source, "source", many=True),
        rest="source",
        graphql="source",
        description="Source slug",
    )
    metric: str | None = key(
        Text(60), rest="metric", description="Metric, e.g. `output_throughput` or `ttft`"
    )


_COLUMNS = {
    "engines": m.BenchmarkRun.engine_id,
    "models": m.BenchmarkRun.model_id,
    "devices": m.BenchmarkRun.device_id,
    "sources": m.BenchmarkRun.source_id,
}


def list_runs(
    session: Session, f: RunFilter | None = None, page: PageRequest = FIRST_PAGE
) -> Page[m.BenchmarkRun]:
    f = f or RunFilter()
    ids = check_slugs(session, f)
    where: list[Any] = [col(_COLUMNS[name]).in_(found.values()) for name, found in ids.items()]
    if f.metric:
        where.append(col(m.BenchmarkRun.metric) == f.metric)
    return table_page(session, m.BenchmarkRun, "slug", page, *where)


def engine_runs(session: Session, engine: m.Engine) -> list[m.BenchmarkRun]:
    """Runs that measured an engine or provider, by slug."""
    f = RunFilter(engines=(engine.slug,))
    return list(all_items(lambda page: list_runs(session, f, page)))
