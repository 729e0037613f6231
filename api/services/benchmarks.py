"""Measured benchmark runs: filtered and sorted lists with the same slug checks as every other
list, and the questions researchers ask of them (best runs, engine A against B, an engine
across versions, facet counts)."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.errors import InvalidInputError, Problem
from api.services.engines import engines_supporting
from api.services.lookup import by_slug
from api.services.pagination import (
    FIRST_PAGE,
    Page,
    PageRequest,
    SortKey,
    all_items,
    keyset_page,
    order_named,
)
from api.services.views import View, column, derived, slug_ref
from api.services.vocabulary import Slugs, Text, Whole, check_slugs, key


def _value_per_device(run: m.BenchmarkRun) -> float | None:
    if run.per_device:
        return run.value
    if run.device_count:
        return run.value / run.device_count
    return None


def _verbatim(run: m.BenchmarkRun) -> str | None:
    return None if run.verbatim is None else json.dumps(run.verbatim, ensure_ascii=False)


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
        column(m.BenchmarkRun, "statistic"),
        column(m.BenchmarkRun, "per_device"),
        derived(
            "value_per_device",
            float | None,
            "The value for one device: itself when `per_device`, else divided by "
            "`device_count`; empty when the count is not known.",
            _value_per_device,
        ),
        column(m.BenchmarkRun, "engine_version"),
        column(m.BenchmarkRun, "model_variant"),
        column(m.BenchmarkRun, "scenario"),
        column(m.BenchmarkRun, "input_tokens"),
        column(m.BenchmarkRun, "output_tokens"),
        column(m.BenchmarkRun, "request_rate"),
        column(m.BenchmarkRun, "precision"),
        column(m.BenchmarkRun, "submitter"),
        column(m.BenchmarkRun, "measured_on"),
        column(m.BenchmarkRun, "import_format"),
        column(m.BenchmarkRun, "format_version"),
        column(m.BenchmarkRun, "origin_file"),
        column(m.BenchmarkRun, "origin_record"),
        column(m.BenchmarkRun, "origin_path"),
        derived(
            "verbatim",
            str | None,
            "What the imported file said, as JSON text: engine, model, device and precision "
            "as written, the field, value and unit the number was read from, and context.",
            _verbatim,
        ),
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
    statistic: str | None = key(
        Text(20), rest="statistic", description="Statistic, e.g. `value`, `mean`, `p99`"
    )
    scenario: str | None = key(
        Text(40), rest="scenario", description="Scenario, e.g. `Offline`, `Server`, `concurrent`"
    )
    engine_version: str | None = key(
        Text(100), rest="engine_version", description="Engine version, e.g. `0.4.3+rocm614`"
    )
    precision: str | None = key(
        Text(60), rest="precision", description="Weight data type, e.g. `fp8`"
    )
    import_format: str | None = key(
        Text(20), rest="format", graphql="format", description="Imported from, e.g. `mlperf`"
    )
    concurrency: int | None = key(
        Whole(1, 10_000_000), rest="concurrency", description="Concurrent requests"
    )
    techniques: tuple[str, ...] = key(
        Slugs(m.Technique, "technique", many=True),
        rest="technique",
        graphql="technique",
        description="Runs of engines that support the technique (any of them)",
    )


class RunOrder(StrEnum):
    SLUG = "slug"
    VALUE_DESC = "-value"
    VALUE_ASC = "value"


_ORDER_KEYS: dict[RunOrder, list[SortKey]] = {
    RunOrder.SLUG: [SortKey(col(m.BenchmarkRun.slug))],
    RunOrder.VALUE_DESC: [SortKey(col(m.BenchmarkRun.value), descending=True)],
    RunOrder.VALUE_ASC: [SortKey(col(m.BenchmarkRun.value))],
}
RUN_ORDERS = {
    order: [*keys, SortKey(col(m.BenchmarkRun.id))] for order, keys in _ORDER_KEYS.items()
}
"""Every order of the run list, whole (ties broken by id): its cursors' grammar."""
_ORDER_VALUES: dict[RunOrder, Callable[[m.BenchmarkRun], list[Any]]] = {
    RunOrder.SLUG: lambda r: [r.slug],
    RunOrder.VALUE_DESC: lambda r: [r.value],
    RunOrder.VALUE_ASC: lambda r: [r.value],
}

_COLUMNS = {
    "engines": m.BenchmarkRun.engine_id,
    "models": m.BenchmarkRun.model_id,
    "devices": m.BenchmarkRun.device_id,
    "sources": m.BenchmarkRun.source_id,
}
_TEXT_COLUMNS = {
    "metric": m.BenchmarkRun.metric,
    "statistic": m.BenchmarkRun.statistic,
    "scenario": m.BenchmarkRun.scenario,
    "engine_version": m.BenchmarkRun.engine_version,
    "precision": m.BenchmarkRun.precision,
    "import_format": m.BenchmarkRun.import_format,
    "concurrency": m.BenchmarkRun.concurrency,
}


def run_conditions(session: Session, f: RunFilter) -> list[Any]:
    """The WHERE terms of a run filter (every slug checked first, with "did you mean")."""
    ids = check_slugs(session, f)
    where: list[Any] = [
        col(_COLUMNS[name]).in_(found.values()) for name, found in ids.items() if name in _COLUMNS
    ]
    for name, column_ in _TEXT_COLUMNS.items():
        value = getattr(f, name)
        if value is not None:
            where.append(col(column_) == value)
    if f.techniques:
        supporting = {
            engine.id for slug in f.techniques for engine in engines_supporting(session, slug)
        }
        where.append(col(m.BenchmarkRun.engine_id).in_(supporting))
    return where


def list_runs(
    session: Session,
    f: RunFilter | None = None,
    order: RunOrder = RunOrder.SLUG,
    page: PageRequest = FIRST_PAGE,
) -> Page[m.BenchmarkRun]:
    """Runs matching `f`; `-value` first gives the best throughputs, `value` the best latencies."""
    statement = select(m.BenchmarkRun).where(*run_conditions(session, f or RunFilter()))
    order = order_named(page, RUN_ORDERS, order)
    keys = RUN_ORDERS[order]
    values = _ORDER_VALUES[order]
    return keyset_page(session, statement, keys, page, lambda r: [*values(r), r.id])


def engine_runs(session: Session, engine: m.Engine) -> list[m.BenchmarkRun]:
    """Runs that measured an engine or provider, by slug."""
    f = RunFilter(engines=(engine.slug,))
    return list(all_items(lambda page: list_runs(session, f, page=page)))


def technique_runs(session: Session, technique: m.Technique) -> list[m.BenchmarkRun]:
    """Runs of the engines that support a technique."""
    f = RunFilter(techniques=(technique.slug,))
    return list(all_items(lambda page: list_runs(session, f, page=page)))


# --- questions -----------------------------------------------------------------------------

FACET_KINDS = ("engine", "model", "device", "scenario", "metric", "import_format")
_FACET_REFS: dict[str, tuple[Any, type[Any]]] = {
    "engine": (m.BenchmarkRun.engine_id, m.Engine),
    "model": (m.BenchmarkRun.model_id, m.LLMModel),
    "device": (m.BenchmarkRun.device_id, m.Device),
}


@dataclass(frozen=True)
class FacetCount:
    value: str | None
    """A slug for engine, model and device; the text itself for the other kinds."""
    count: int


def run_facets(session: Session, f: RunFilter | None = None) -> dict[str, list[FacetCount]]:
    """How many runs matching `f` there are per engine, model, device, scenario, metric and
    format, most first; runs without one count under None."""
    where = run_conditions(session, f or RunFilter())
    facets: dict[str, list[FacetCount]] = {}
    for kind in FACET_KINDS:
        if kind in _FACET_REFS:
            foreign_key, target = _FACET_REFS[kind]
            label: Any = target.slug
            statement = (
                sa.select(label, sa.func.count())
                .select_from(m.BenchmarkRun)
                .outerjoin(target, col(target.id) == foreign_key)
            )
        else:
            label = getattr(m.BenchmarkRun, kind)
            statement = sa.select(label, sa.func.count()).select_from(m.BenchmarkRun)
        rows = session.execute(statement.where(*where).group_by(label)).all()
        facets[kind] = sorted(
            (FacetCount(value, int(n)) for value, n in rows),
            key=lambda c: (-c.count, c.value is None, c.value or ""),
        )
    return facets


_WORKLOAD = (
    "model_id",
    "model_variant",
    "device_id",
    "device_count",
    "scenario",
    "metric",
    "statistic",
    "per_device",
    "concurrency",
    "input_tokens",
    "output_tokens",
    "request_rate",
    "precision",
)
"""What two runs must share to compare their engines: the same question asked of both."""


@dataclass(frozen=True)
class RunComparison:
    workload: dict[str, Any]
    first: list[m.BenchmarkRun]
    second: list[m.BenchmarkRun]


def compare_engines(
    session: Session,
    first: str | None,
    second: str | None,
    f: RunFilter | None = None,
    limit: int = 500,
) -> list[RunComparison]:
    """Runs of two engines that measured the same workload (model and variant, device and
    count, scenario, metric and statistic, concurrency, lengths, rate, precision), paired."""
    f = f or RunFilter()
    missing = [
        Problem("required", field=name) for name, v in (("a", first), ("b", second)) if not v
    ]
    if missing:
        raise InvalidInputError("name the two engines to compare", missing)
    assert first is not None and second is not None
    if f.engines:
        raise InvalidInputError(
            "the engines compared are given apart from the filter",
            [Problem("no engine key in this filter", field="filter.engine")],
        )
    # An engine compared with itself is answered like any pair: each shared workload's runs
    # on both sides (the document cannot tell two parameters apart by value).
    pair = (first, second)
    # The engines first: an unknown one is a 404 naming it, as for any engine slug.
    ids = {engine.slug: engine.id for engine in (_engine(session, slug) for slug in pair)}
    runs = list(all_items(lambda page: list_runs(session, replace(f, engines=pair), page=page)))
    groups: dict[tuple[Any, ...], RunComparison] = {}
    for run in runs:
        workload = {name: getattr(run, name) for name in _WORKLOAD}
        group = groups.setdefault(tuple(workload.values()), RunComparison(workload, [], []))
        if run.engine_id == ids[first]:
            group.first.append(run)
        if run.engine_id == ids[second]:
            group.second.append(run)
    both = [g for g in groups.values() if g.first and g.second]
    return both[:limit]


def _engine(session: Session, slug: str) -> m.Engine:
    return by_slug(session, m.Engine, slug, "engine", "slug")


@dataclass(frozen=True)
class VersionRuns:
    version: str | None
    runs: list[m.BenchmarkRun]


def _version_key(version: str | None) -> tuple[Any, ...]:
    """Natural order: 0.4.3 before 0.10.1; unknown versions last."""
    if version is None:
        return (1,)
    parts = re.findall(r"\d+|[a-z]+", version.casefold())
    return (0, *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts))


def engine_versions(session: Session, engine: str, f: RunFilter | None = None) -> list[VersionRuns]:
    """An engine's runs (matching `f`) grouped by engine version, oldest version first."""
    _engine(session, engine)
    f = replace(f or RunFilter(), engines=(engine,))
    runs = list(all_items(lambda page: list_runs(session, f, page=page)))
    grouped: dict[str | None, list[m.BenchmarkRun]] = {}
    for run in runs:
        grouped.setdefault(run.engine_version, []).append(run)
    return [VersionRuns(version, grouped[version]) for version in sorted(grouped, key=_version_key)]
