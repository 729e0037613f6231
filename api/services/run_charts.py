"""Charts of the stored benchmark runs, imported ones included: throughput against concurrency
and against time to first token, one line per engine, device and metric.

The database groups the runs and picks the lines to draw, so a chart reads a few dozen rows
however many runs are stored; the picture is bounded too (`MAX_RUN_SERIES` lines)."""

import functools
from collections.abc import Sequence
from typing import Any

import pygal
import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

import models as m
from api.services.chart_drawing import ChartData, add_series, configured, marked_vertices
from api.services.lookup import by_slug

THROUGHPUT_METRICS = ("token_throughput", "output_throughput", "request_throughput")
MAX_RUN_SERIES = 12
"""Lines on one runs chart: beyond a dozen the colours repeat and the legend outgrows the plot."""

LATENCY_METRIC = "ttft"
LATENCY_STATISTICS = ("median", "p50")
"""The latency against which throughput is drawn: the median time to first token (a file may
state it as `median` or as `p50`; the survey's runs state one number without a statistic)."""
THROUGHPUT_STATISTICS = ("value", "mean")
"""A run's throughput is one number for the whole run (`value`), or a mean over it."""


def _engine_ids(session: Session, engines: Sequence[str]) -> list[int]:
    return [by_slug(session, m.Engine, slug, "engine", "engine").id or 0 for slug in engines]


def _names(session: Session, table: Any, ids: set[Any]) -> dict[Any, str]:
    """Names of the rows `ids` of `table`, for the lines kept only."""
    statement = sa.select(table.id, table.name).where(table.id.in_(ids - {None, 0}))
    return {row_id: name for row_id, name in session.execute(statement)}


def _largest(key: Sequence[Any], size: Any, *where: Any, having: Any = None) -> Any:
    """The `MAX_RUN_SERIES` lines (groups by `key`) with the largest `size`, ties by engine,
    device, metric and unit, each with the number of lines there are in all (`total`)."""
    engine_id, device_id, *rest = key
    size = size.label("size")
    statement = sa.select(*key, size, sa.func.count().over().label("total")).where(*where)
    statement = statement.group_by(*key).having(sa.true() if having is None else having)
    return (
        statement.order_by(size.desc(), engine_id, sa.func.coalesce(device_id, 0), *rest)
        .limit(MAX_RUN_SERIES)
        .cte("series")
    )


def _same_line(columns: Sequence[Any], series: Any) -> Any:
    """`columns` (engine, device, metric, unit) are those of a line of `series`."""
    engine_id, device_id, metric, unit = columns
    return sa.and_(
        engine_id == series.c.engine_id,
        device_id.is_not_distinct_from(series.c.device_id),
        metric == series.c.metric,
        unit == series.c.unit,
    )


def _left_out_sentence(kept: int, total: int, what: str) -> str:
    if total <= kept:
        return ""
    return (
        f" The {kept} lines with the most {what} are drawn; {total - kept} more are left out "
        "(name engines with engine= to see theirs)."
    )


def _unpaired_sentence(unpaired: int) -> str:
    if not unpaired:
        return ""
    return (
        f" {unpaired} of the lines picked have no throughput run with a TTFT measured beside "
        "it, so no point."
    )


def _label(engine: str, device: str, metric: str, unit: str) -> str:
    return f"{f'{engine} on {device}' if device else engine}: {metric} ({unit})"


# --- throughput vs concurrency ------------------------------------------------------------


def runs_throughput_concurrency(session: Session, engines: Sequence[str] = ()) -> ChartData:
    # One point per engine, device, metric and concurrency: the mean of the runs there, with
    # their count and spread in the CSV.
    engine_ids = _engine_ids(session, engines)
    run = m.BenchmarkRun
    key = (col(run.engine_id), col(run.device_id), col(run.metric), col(run.unit))
    series = _largest(
        key,
        sa.func.count(),
        col(run.metric).in_(THROUGHPUT_METRICS),
        col(run.concurrency).is_not(None),
        col(run.engine_id).is_not(None),
        *([col(run.engine_id).in_(engine_ids)] if engine_ids else []),
    )
    # The points of the kept lines only, read through the covering index of the chart
    # (metric, engine, device, unit, concurrency, value).
    point = aliased(m.BenchmarkRun, name="point")
    group = (
        col(point.engine_id),
        col(point.device_id),
        col(point.metric),
        col(point.unit),
        col(point.concurrency),
    )
    value = col(point.value)
    statement = (
        sa.select(
            *group,
            sa.func.count(),
            sa.func.avg(value),
            sa.func.min(value),
            sa.func.max(value),
            sa.func.max(series.c.total),
        )
        .join_from(point, series, _same_line(group[:4], series))
        .where(col(point.concurrency).is_not(None))
        .group_by(*group)
    )
    found = session.execute(statement).all()
    engine_names = _names(session, m.Engine, {r[0] for r in found})
    device_names = _names(session, m.Device, {r[1] for r in found})
    rows = tuple(
        sorted(
            (
                engine_names[engine_id],
                device_names.get(device_id, ""),
                metric,
                unit,
                concurrency,
                runs,
                round(float(mean), 6),
                low,
                high,
            )
            for engine_id, device_id, metric, unit, concurrency, runs, mean, low, high, _ in found
        )
    )
    lines = {r[:4] for r in rows}
    total = max((r[-1] for r in found), default=0)
    units = sorted({r[3] for r in rows})

    def draw(data: ChartData) -> Any:
        chart = configured(
            pygal.XY,
            data,
            x_title="Concurrency (requests in flight)",
            y_title=f"Throughput ({', '.join(units) or 'no runs'})",
            **marked_vertices(data, len(lines)),
        )
        drawn: dict[str, list[Any]] = {}
        for engine, device, metric, unit, concurrency, runs, mean, _low, _high in rows:
            drawn.setdefault(_label(engine, device, metric, unit), []).append(
                {"value": (concurrency, mean), "label": f"mean of {runs} run(s)"}
            )
        add_series(chart, drawn)
        return chart

    return ChartData(
        "runs-throughput-concurrency",
        "Benchmark runs: throughput vs concurrency",
        "Every stored benchmark run (imported ones included) that measured throughput at a "
        "stated concurrency: one line per engine, device and metric, each point the mean of "
        "the runs at that concurrency (the CSV gives their count, lowest and highest)."
        + _left_out_sentence(len(lines), total, "runs"),
        ("engine", "device", "metric", "unit", "concurrency", "runs", "mean", "min", "max"),
        rows,
        draw,
    )


@functools.cache
def _lines_with_ttft(filtered: bool) -> Any:
    """The `MAX_RUN_SERIES` throughput lines with the most runs among the engines and devices
    that also have TTFT runs, each with the number of such lines (`total`): one grouped read
    of the chart index, and for each line a look-up of one TTFT run in it. With `filtered`,
    only the engines of the bound list `engine_ids`. Built once per shape (see `_points`)."""
    run = m.BenchmarkRun
    ttft = aliased(m.BenchmarkRun, name="ttft")

    def timed(same_device: Any) -> Any:
        return (
            sa.exists()
            .where(
                col(ttft.metric) == LATENCY_METRIC,
                col(ttft.engine_id) == run.engine_id,
                same_device,
            )
            .correlate(run)
        )

    # The device stated or not as two look-ups: PostgreSQL answers neither IS NOT DISTINCT
    # FROM nor an OR of the two cases from an index, and probing by engine alone read every
    # TTFT run of the engine for each line.
    has_ttft = sa.or_(
        timed(col(ttft.device_id) == run.device_id),
        sa.and_(col(run.device_id).is_(None), timed(col(ttft.device_id).is_(None))),
    )
    lines = _largest(
        (col(run.engine_id), col(run.device_id), col(run.metric), col(run.unit)),
        # Sized by every throughput run, whatever its statistic: the index alone answers.
        sa.func.count(),
        col(run.metric).in_(THROUGHPUT_METRICS),
        col(run.engine_id).is_not(None),
        *([col(run.engine_id).in_(sa.bindparam("engine_ids", expanding=True))] if filtered else []),
        having=has_ttft,
    )
    return sa.select(lines)


# --- throughput vs latency ----------------------------------------------------------------


@functools.lru_cache(maxsize=128)
def _points(stated: int, unstated: int) -> Any:
    """The latency chart's points of `stated` engine-and-device pairs (bound as `engine_<i>`,
    `device_<i>`) and `unstated` engines without a device (`bare_engine_<j>`), with the
    engine's, device's and model's names.

    Built once per shape and then only executed with the pairs' ids: building this statement
    (its CTEs, the union, a condition per pair) cost more CPU than the database took to run
    it, and SQLAlchemy's compiled cache then serves the SQL too. Shapes are few: a chart
    draws at most `MAX_RUN_SERIES` lines, so `stated + unstated <= MAX_RUN_SERIES`."""
    run = m.BenchmarkRun
    metric, value, statistic = col(run.metric), col(run.value), col(run.statistic)

    def stated_value(condition: Any, what: Any) -> Any:
        return sa.case((condition, what))

    latency = sa.func.avg(
        stated_value(
            sa.and_(
                metric == LATENCY_METRIC,
                sa.or_(statistic.is_(None), statistic.in_(LATENCY_STATISTICS)),
            ),
            value,
        )
    )
    throughput_ok = sa.and_(
        sa.or_(statistic.is_(None), statistic.in_(THROUGHPUT_STATISTICS)),
        # Per-device values are another number than the system's: never averaged with it.
        sa.not_(col(run.per_device)),
    )
    # One grouped pass: a measurement is the runs of one source, record, engine, model,
    # device and concurrency (NULLs group together, which a self-join could not do through
    # an index); each throughput metric and the median TTFT become its columns.
    per_metric = [
        (
            sa.func.avg(stated_value(sa.and_(metric == name, throughput_ok), value)).label(
                f"value_{i}"
            ),
            sa.func.max(stated_value(metric == name, col(run.unit))).label(f"unit_{i}"),
        )
        for i, name in enumerate(THROUGHPUT_METRICS)
    ]
    # One condition a pair, each looked up in the chart index by both databases (given the
    # pairs as a row-value list, SQLite read every run instead; joined to the lines in one
    # statement, each database misjudged how few they are and read every run).
    measured_metric = metric.in_((*THROUGHPUT_METRICS, LATENCY_METRIC))
    measured = sa.or_(
        sa.false(),
        *(
            sa.and_(
                measured_metric,
                col(run.engine_id) == sa.bindparam(f"engine_{i}"),
                col(run.device_id) == sa.bindparam(f"device_{i}"),
            )
            for i in range(stated)
        ),
        *(
            sa.and_(
                measured_metric,
                col(run.engine_id) == sa.bindparam(f"bare_engine_{j}"),
                col(run.device_id).is_(None),
            )
            for j in range(unstated)
        ),
    )
    key = (
        col(run.engine_id),
        col(run.device_id),
        col(run.model_id),
        col(run.concurrency),
    )
    measurements = (
        sa.select(*key, latency.label("latency"), *(c for pair in per_metric for c in pair))
        .where(measured)
        .group_by(col(run.source_id), col(run.origin_record), *key)
        .cte("measurements")
    )
    c = measurements.c
    pairs = sa.union_all(
        *(
            sa.select(
                c.engine_id,
                c.device_id,
                sa.literal(name).label("metric"),
                c[f"unit_{i}"].label("unit"),
                c.model_id,
                c.concurrency,
                c[f"value_{i}"].label("throughput"),
                c.latency,
            ).where(c[f"value_{i}"].is_not(None), c.latency.is_not(None))
            for i, name in enumerate(THROUGHPUT_METRICS)
        )
    ).cte("pairs")
    group = (
        pairs.c.engine_id,
        pairs.c.device_id,
        pairs.c.metric,
        pairs.c.unit,
        pairs.c.model_id,
        pairs.c.concurrency,
    )
    points = (
        sa.select(
            *group,
            sa.func.count().label("measurements"),
            sa.func.avg(pairs.c.throughput).label("throughput"),
            sa.func.avg(pairs.c.latency).label("latency"),
        )
        .group_by(*group)
        .cte("points")
    )
    engine, device, model = m.Engine, m.Device, m.LLMModel
    return (
        sa.select(
            points,
            col(engine.name).label("engine_name"),
            col(device.name).label("device_name"),
            col(model.name).label("model_name"),
        )
        .join_from(points, engine, col(engine.id) == points.c.engine_id)
        .outerjoin(device, col(device.id) == points.c.device_id)
        .outerjoin(model, col(model.id) == points.c.model_id)
    )


def runs_throughput_latency(session: Session, engines: Sequence[str] = ()) -> ChartData:
    """Throughput against median time to first token, from runs measured together: a
    throughput run and a TTFT run of the same source, engine, model, device, concurrency and
    imported record (the survey's commercial figure states both per provider and model)."""
    engine_ids = _engine_ids(session, engines)
    # The lines are chosen first (`_lines_with_ttft`), then only their engines' and devices'
    # runs are paired, so the cost does not grow with the runs that are not drawn.
    picked = session.execute(
        _lines_with_ttft(bool(engine_ids)), {"engine_ids": engine_ids} if engine_ids else {}
    ).all()
    drawn_lines = {tuple(line[:4]) for line in picked}
    kept = {(line.engine_id, line.device_id) for line in picked}
    stated = sorted(pair for pair in kept if pair[1] is not None)
    unstated = sorted(engine_id for engine_id, device_id in kept if device_id is None)
    bound = {
        **{f"engine_{i}": engine_id for i, (engine_id, _) in enumerate(stated)},
        **{f"device_{i}": device_id for i, (_, device_id) in enumerate(stated)},
        **{f"bare_engine_{j}": engine_id for j, engine_id in enumerate(unstated)},
    }
    # The kept engines and devices may have points of other lines (another metric): not drawn.
    points_read = [
        (
            r.engine_name,
            r.device_name or "",
            r.model_name or "",
            r.concurrency,
            r.metric,
            r.unit,
            r.measurements,
            float(r.throughput),
            float(r.latency),
        )
        for r in session.execute(_points(len(stated), len(unstated)), bound)
        if (r.engine_id, r.device_id, r.metric, r.unit) in drawn_lines
    ]
    # A point without a concurrency sorts before those with one (None and ints do not compare).
    rows = tuple(sorted(points_read, key=lambda p: (*p[:3], p[3] is not None, p[3] or 0, *p[4:])))
    lines = {(r[0], r[1], r[4], r[5]) for r in rows}
    total = max((line.total for line in picked), default=0)
    units = sorted({r[5] for r in rows})

    def draw(data: ChartData) -> Any:
        chart = configured(
            pygal.XY,
            data,
            x_title="Time to first token, median (s)",
            y_title=f"Throughput ({', '.join(units) or 'no runs'})",
            # Points of one line are different models or loads: no line joins them.
            **marked_vertices(data, len(lines), joined=False),
        )
        drawn: dict[str, list[Any]] = {}
        for engine, device, model, concurrency, metric, unit, count, value, ttft in rows:
            where = ", ".join(
                [
                    *([model] if model else []),
                    *([f"concurrency {concurrency}"] if concurrency else []),
                ]
            )
            drawn.setdefault(_label(engine, device, metric, unit), []).append(
                {"value": (ttft, value), "label": f"{where or 'one run'}: {count} measurement(s)"}
            )
        add_series(chart, drawn)
        return chart

    return ChartData(
        "runs-throughput-latency",
        "Benchmark runs: throughput vs time to first token",
        "Every stored measurement (imported ones included) that states both a throughput and "
        "the median time to first token: a throughput run and a TTFT run of the same source, "
        "engine, model, device, concurrency and imported record. Horizontal: median TTFT in "
        "seconds (the survey's runs state one TTFT without saying which statistic); vertical: "
        "the throughput metric in its unit. One colour per engine, device and metric, one "
        "point per model and concurrency (the mean of its measurements)."
        + _left_out_sentence(len(picked), total, "throughput runs")
        + _unpaired_sentence(len(picked) - len(lines)),
        (
            "engine",
            "device",
            "model",
            "concurrency",
            "metric",
            "unit",
            "measurements",
            "throughput",
            "ttft_median_s",
        ),
        rows,
        draw,
    )
