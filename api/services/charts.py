"""Charts drawn from the graph: each is a table of data (its CSV twin) and an SVG drawn from
exactly that table with pygal, so the picture and the download cannot disagree."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pygal
import sqlalchemy as sa
from sqlmodel import Session, col

import models as m
from api.errors import InvalidInputError, Problem
from api.services import profile
from api.services.chart_drawing import ChartData, configured, render_csv, render_svg
from api.services.lookup import not_found
from api.services.matrix_charts import MATRIX_CHARTS, MatrixFilter, support_matrix
from api.services.run_charts import runs_throughput_concurrency, runs_throughput_latency

__all__ = [
    "MATRIX_CHARTS",
    "ChartData",
    "MatrixFilter",
    "render_csv",
    "render_svg",
    "support_matrix",
]
COMMERCIAL_SOURCE = "survey-commercial-performance-figure"
# At most this many engines overlaid on one radar: beyond it the polygons hide each other.
MAX_RADAR_ENGINES = 4


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


# --- radar of the derived profile -------------------------------------------------------


def radar(session: Session, engines: Sequence[str]) -> ChartData:
    if not engines:
        raise InvalidInputError(
            "Name at least one engine.", [Problem("missing", "query", "engine")]
        )
    if len(engines) > MAX_RADAR_ENGINES:
        raise InvalidInputError(
            f"At most {MAX_RADAR_ENGINES} engines on one radar.",
            [Problem(f"{len(engines)} given", "query", "engine", len(engines))],
        )
    profiles = profile.profiles_by_slugs(session, engines)
    dimensions = [s.name for s in profiles[0].scores]
    rows = tuple(
        (p.engine_slug, p.engine_name, s.dimension.value, s.name, s.score_min, s.score_max)
        for p in profiles
        for s in p.scores
    )
    names = ", ".join(p.engine_name for p in profiles)
    ranged = [p.engine_name for p in profiles if not all(s.known for s in p.scores)]
    description = (
        f"Six-dimension profile of {names}, {profile.LABEL}: each score on 0 to 5 from the "
        "graph's facts (formula in docs/profile.md). "
        + (
            f"Unknown facts widen some scores of {', '.join(ranged)} into a range, drawn as "
            "an inner (lowest) and an outer (highest) outline."
            if ranged
            else "Every fact counted is known, so each score is one value."
        )
    )

    def draw(data: ChartData) -> Any:
        chart = configured(pygal.Radar, data, range=(0, profile.SCALE_MAX), fill=False)
        chart.x_labels = dimensions
        for p in profiles:
            lows = [s.score_min for s in p.scores]
            highs = [s.score_max for s in p.scores]
            if lows == highs:
                chart.add(p.engine_name, highs)
            else:
                chart.add(f"{p.engine_name} (highest)", highs)
                chart.add(f"{p.engine_name} (lowest)", lows)
        return chart

    name = "radar-" + "-".join(engines)
    return ChartData(
        name,
        f"Derived profile (InferGraph, not the survey's): {names}",
        description,
        ("engine", "engine_name", "dimension", "dimension_name", "score_min", "score_max"),
        rows,
        draw,
    )


# --- the survey's commercial performance figure, from the stored runs -------------------


def _commercial(session: Session, metric: str, title: str, unit: str, what: str) -> ChartData:
    statement = (
        sa.select(
            col(m.Engine.name),
            col(m.LLMModel.name),
            col(m.BenchmarkRun.value),
            col(m.BenchmarkRun.slug),
        )
        .join(m.Engine, col(m.Engine.id) == m.BenchmarkRun.engine_id)
        .join(m.LLMModel, col(m.LLMModel.id) == m.BenchmarkRun.model_id)
        .join(m.Source, col(m.Source.id) == m.BenchmarkRun.source_id)
        .where(col(m.Source.slug) == COMMERCIAL_SOURCE, col(m.BenchmarkRun.metric) == metric)
        .order_by(col(m.LLMModel.name), col(m.Engine.name))
    )
    rows = tuple(
        (model, provider, value, slug)
        for provider, model, value, slug in session.execute(statement)
    )
    models = list(dict.fromkeys(r[0] for r in rows))
    providers = sorted({r[1] for r in rows})
    values = {(r[0], r[1]): r[2] for r in rows}

    def draw(data: ChartData) -> Any:
        chart = configured(pygal.Bar, data, x_title="Model", y_title=f"{what} ({unit})")
        chart.x_labels = models
        for provider in providers:
            # None, not 0: pygal leaves a gap where a provider does not serve the model.
            chart.add(provider, [values.get((model, provider)) for model in models])
        return chart

    return ChartData(
        f"commercial-{metric.replace('_', '-')}",
        title,
        f"{what} in {unit} per hosted provider and model, as the survey's commercial "
        "performance figure reports them (stored benchmark runs of that source). A provider "
        "that does not serve a model has no bar there.",
        ("model", "provider", f"{metric}_{unit.replace('/', '_per_')}", "run"),
        rows,
        draw,
    )


def commercial_throughput(session: Session) -> ChartData:
    return _commercial(
        session,
        "output_throughput",
        "Output speed per provider and model",
        "tokens/s",
        "Output throughput",
    )


def commercial_ttft(session: Session) -> ChartData:
    return _commercial(
        session, "ttft", "Time to first token per provider and model", "s", "Time to first token"
    )


# --- prices -----------------------------------------------------------------------------


def model_prices(session: Session) -> ChartData:
    statement = (
        sa.select(
            col(m.Engine.name),
            col(m.LLMModel.name),
            col(m.ModelPrice.input_usd_per_mtok),
            col(m.ModelPrice.output_usd_per_mtok),
        )
        .join(m.Engine, col(m.Engine.id) == m.ModelPrice.provider_id)
        .join(m.LLMModel, col(m.LLMModel.id) == m.ModelPrice.model_id)
        .order_by(col(m.Engine.name), col(m.LLMModel.name), col(m.ModelPrice.id))
    )
    rows = tuple(
        (provider, model, _number(i), _number(o))
        for provider, model, i, o in session.execute(statement)
    )

    def draw(data: ChartData) -> Any:
        chart = configured(
            pygal.XY,
            data,
            stroke=False,
            x_title="Input price (USD per 1M tokens)",
            y_title="Output price (USD per 1M tokens)",
        )
        for provider in dict.fromkeys(r[0] for r in rows):
            chart.add(
                provider,
                [{"value": (r[2], r[3]), "label": r[1]} for r in rows if r[0] == provider],
            )
        return chart

    return ChartData(
        "model-prices",
        "Model prices: input vs output, per provider",
        "Each point is one provider's price for one model: input tokens (horizontal) against "
        "output tokens (vertical), in US dollars per million tokens.",
        ("provider", "model", "input_usd_per_mtok", "output_usd_per_mtok"),
        rows,
        draw,
    )


def device_prices(session: Session) -> ChartData:
    statement = (
        sa.select(col(m.Engine.name), col(m.Device.name), col(m.DevicePrice.usd_per_hour))
        .join(m.Engine, col(m.Engine.id) == m.DevicePrice.provider_id)
        .join(m.Device, col(m.Device.id) == m.DevicePrice.device_id)
        .order_by(col(m.Device.name), col(m.Engine.name))
    )
    rows = tuple(
        (device, provider, _number(p)) for provider, device, p in session.execute(statement)
    )
    devices = list(dict.fromkeys(r[0] for r in rows))
    prices = {(r[0], r[1]): r[2] for r in rows}

    def draw(data: ChartData) -> Any:
        chart = configured(pygal.Bar, data, x_title="Device", y_title="Price (USD per device-hour)")
        chart.x_labels = devices
        for provider in sorted({r[1] for r in rows}):
            chart.add(provider, [prices.get((d, provider)) for d in devices])
        return chart

    return ChartData(
        "device-prices",
        "Device-hour prices per provider",
        "What each provider charges for one hour of one device, in US dollars; a provider "
        "that does not rent a device has no bar there.",
        ("device", "provider", "usd_per_hour"),
        rows,
        draw,
    )


# --- engines over time ------------------------------------------------------------------


def engines_over_time(session: Session) -> ChartData:
    statement = (
        sa.select(
            col(m.Engine.slug),
            col(m.Engine.name),
            col(m.Engine.release_year),
            col(m.Engine.release_month),
            col(m.Engine.github_stars),
            col(m.Organization.kind),
        )
        .join(m.Organization, col(m.Organization.id) == m.Engine.organization_id, isouter=True)
        .where(col(m.Engine.release_year).is_not(None), col(m.Engine.github_stars).is_not(None))
        .order_by(col(m.Engine.release_year), col(m.Engine.release_month), col(m.Engine.name))
    )
    rows = tuple(
        (slug, name, year, month, stars, kind.value if kind is not None else "unknown")
        for slug, name, year, month, stars, kind in session.execute(statement)
    )

    def when(year: int, month: int | None) -> float:
        # A month unknown is drawn at the start of its year.
        return round(year + ((month or 1) - 1) / 12, 3)

    def draw(data: ChartData) -> Any:
        chart = configured(
            pygal.XY,
            data,
            stroke=False,
            x_title="First release (year)",
            y_title="GitHub stars (count, log scale)",
            # Stars span two orders of magnitude; on a linear axis most engines sit on the floor.
            logarithmic=True,
        )
        for kind in sorted({r[5] for r in rows}):
            chart.add(
                kind.replace("_", " "),
                [{"value": (when(r[2], r[3]), r[4]), "label": r[1]} for r in rows if r[5] == kind],
            )
        return chart

    return ChartData(
        "engines-over-time",
        "Engines over time: first release vs GitHub stars",
        "Each point is an engine with a known release date and star count: when it was first "
        "released (horizontal) against its GitHub stars as the survey counted them (vertical), "
        "coloured by the kind of organisation that builds it.",
        (
            "engine",
            "engine_name",
            "release_year",
            "release_month",
            "github_stars",
            "organization_kind",
        ),
        rows,
        draw,
    )


# --- the deployment quadrant -----------------------------------------------------------

_QUADRANT_X = {"homogeneous": 0, "heterogeneous": 1}
_QUADRANT_Y = {"single_node": 0, "multi_node": 1}
_QUADRANT_NAMES = (
    {0.5: "homogeneous", 1.5: "heterogeneous"},
    {0.5: "single-node", 1.5: "multi-node"},
)


def deployment_quadrant(session: Session) -> ChartData:
    statement = sa.select(
        col(m.Engine.slug),
        col(m.Engine.name),
        col(m.Engine.hardware_diversity),
        col(m.Engine.deployment_scale),
    ).order_by(col(m.Engine.name))
    rows = tuple(
        (slug, name, diversity.value, scale.value)
        for slug, name, diversity, scale in session.execute(statement)
        if diversity is not None and scale is not None
    )

    def draw(data: ChartData) -> Any:
        chart = configured(
            pygal.XY,
            data,
            stroke=False,
            print_labels=True,
            x_title="Hardware diversity (kind of hardware supported)",
            y_title="Deployment scale (nodes served)",
            xrange=(0, 2),
            range=(0, 2),
            x_value_formatter=lambda v: _QUADRANT_NAMES[0].get(v, ""),
            value_formatter=lambda v: _QUADRANT_NAMES[1].get(v, ""),
        )
        # Each quadrant is a unit square; the axis labels sit at the centres (pygal cannot
        # place labels on an XY chart with no points, so an empty graph draws none).
        if rows:
            chart.x_labels = [0.5, 1.5]
            chart.y_labels = [0.5, 1.5]
        cells: dict[tuple[int, int], list[tuple[str, ...]]] = {}
        for r in rows:
            cells.setdefault((_QUADRANT_X[r[2]], _QUADRANT_Y[r[3]]), []).append(r)
        for (x, y), members in sorted(cells.items()):
            # Engines of one quadrant are spread down a column inside it so each name reads;
            # the position within the quadrant means nothing.
            step = 0.9 / max(len(members), 1)
            chart.add(
                f"{members[0][2]}, {members[0][3].replace('_', '-')}",
                [
                    {"value": (x + 0.15, y + 0.95 - step * (i + 0.5)), "label": r[1]}
                    for i, r in enumerate(members)
                ],
            )
        return chart

    return ChartData(
        "deployment-quadrant",
        "Deployment quadrant: hardware diversity vs deployment scale",
        "Every engine whose hardware diversity and deployment scale the graph knows, placed in "
        "one of four quadrants: homogeneous or heterogeneous hardware (horizontal), single-node "
        "or multi-node serving (vertical). Within a quadrant the order is by name only.",
        ("engine", "engine_name", "hardware_diversity", "deployment_scale"),
        rows,
        draw,
    )


CHARTS: dict[str, Callable[[Session], ChartData]] = {
    "commercial-output-throughput": commercial_throughput,
    "commercial-ttft": commercial_ttft,
    "model-prices": model_prices,
    "device-prices": device_prices,
    "engines-over-time": engines_over_time,
    "deployment-quadrant": deployment_quadrant,
    "runs-throughput-concurrency": runs_throughput_concurrency,
    "runs-throughput-latency": runs_throughput_latency,
    **{
        name: (lambda session, name=name: support_matrix(session, name))  # type: ignore[misc]
        for name in MATRIX_CHARTS
    },
}
"""Charts of the whole graph by name; the radar takes engines and is not listed here."""


RUN_CHARTS: dict[str, Callable[[Session, Sequence[str]], ChartData]] = {
    "runs-throughput-concurrency": runs_throughput_concurrency,
    "runs-throughput-latency": runs_throughput_latency,
}
ENGINE_CHARTS = ("radar", *RUN_CHARTS)
"""The charts that take `engine`: the radar's engines, the runs charts' narrowing."""


def chart(
    session: Session,
    name: str,
    engines: Sequence[str] = (),
    where: MatrixFilter | None = None,
) -> ChartData:
    """The chart `name`: `engines` for those that take them, `where` for the matrices."""
    if where is not None:
        if name not in MATRIX_CHARTS:
            raise InvalidInputError(
                f"Only {', '.join(MATRIX_CHARTS)} take category, sort and page.",
                [Problem("not used by this chart", "query", "category")],
            )
        if engines:
            raise InvalidInputError(
                "The matrices take no engines.",
                [Problem("not used by this chart", "query", "engine")],
            )
        return support_matrix(session, name, where)
    if name == "radar":
        return radar(session, engines)
    if name in RUN_CHARTS:
        return RUN_CHARTS[name](session, engines)
    build = CHARTS.get(name)
    if build is None:
        raise not_found("chart", name, ["radar", *CHARTS], "name")
    if engines:
        raise InvalidInputError(
            f"Only {', '.join(ENGINE_CHARTS)} take engines.",
            [Problem("not used by this chart", "query", "engine")],
        )
    return build(session)


@dataclass(frozen=True)
class ChartEntry:
    name: str
    title: str
    description: str
    takes_engines: bool


RADAR_ENTRY = ChartEntry(
    "radar",
    "Derived profile (InferGraph, not the survey's)",
    f"Six-dimension profile of one to {MAX_RADAR_ENGINES} engines overlaid, {profile.LABEL}; "
    "name them with engine=.",
    True,
)


def chart_index(session: Session) -> list[ChartEntry]:
    """Every chart with its title and description as drawn now, the radar last."""
    entries = [
        ChartEntry(d.name, d.title, d.description, d.name in ENGINE_CHARTS)
        for d in (build(session) for build in CHARTS.values())
    ]
    return [*entries, RADAR_ENTRY]
