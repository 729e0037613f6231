"""Charts drawn from the graph: each is a table of data (its CSV twin) and an SVG drawn from
exactly that table with pygal, so the picture and the download cannot disagree."""

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pygal
import sqlalchemy as sa
from lxml import etree
from pygal.style import DefaultStyle
from sqlmodel import Session, col

import models as m
from api.errors import InvalidInputError, Problem
from api.services import profile, support
from api.services.heatmap import Cell, CellStyle, Heatmap
from api.services.lookup import by_slug, not_found
from api.services.support import FactKind
from models.base import SupportStatus

SVG_NS = "http://www.w3.org/2000/svg"
COMMERCIAL_SOURCE = "survey-commercial-performance-figure"
# At most this many engines overlaid on one radar: beyond it the polygons hide each other.
MAX_RADAR_ENGINES = 4


@dataclass(frozen=True)
class ChartData:
    name: str
    title: str
    description: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    svg: Callable[["ChartData"], Any]
    """Builds the pygal chart from this data (title, axes and series already set)."""


def _style() -> Any:
    # A system font stack instead of pygal's monospace, and enough contrast for axe.
    return DefaultStyle(font_family="system-ui, sans-serif", foreground="#222", background="white")


def _config(chart_class: Any, data: ChartData, **options: Any) -> Any:
    return chart_class(
        js=[],  # no script: pygal's default loads one from a CDN, and pages load nothing outside
        style=_style(),
        title=data.title,
        width=800,
        height=480,
        legend_at_bottom=True,
        print_values=False,
        truncate_label=-1,  # model names in full: "Llama 3.1 8B" vs "Llama 3.1 70B" matters
        x_label_rotation=20,
        **options,
    )


def render_svg(data: ChartData) -> bytes:
    """The chart as a standalone SVG with a <title> and <desc> a screen reader announces."""
    chart = data.svg(data)
    root = etree.fromstring(chart.render(is_unicode=False))
    # pygal names each chart by a random UUID; a stable id keeps the document reproducible.
    old_id = root.get("id") or ""
    new_id = f"chart-{data.name}"
    root.set("id", new_id)
    for style in root.iter(f"{{{SVG_NS}}}style"):
        style.text = (style.text or "").replace(old_id, new_id)
    title = root.find(f"{{{SVG_NS}}}title")
    if title is None:
        title = etree.SubElement(root, f"{{{SVG_NS}}}title")
        title.text = data.title
        root.insert(0, title)
    title.set("id", f"{new_id}-title")
    desc = etree.Element(f"{{{SVG_NS}}}desc", id=f"{new_id}-desc")
    desc.text = data.description
    title.addnext(desc)
    root.set("role", "img")
    root.set("aria-labelledby", f"{new_id}-title {new_id}-desc")
    # pygal embeds its configuration for its (here absent) script: dead weight in a picture.
    for script in list(root.iter(f"{{{SVG_NS}}}script")):
        parent = script.getparent()
        if parent is not None:
            parent.remove(script)
    # Drop pygal's generator comments (they carry the render date, which would change the bytes).
    for comment in root.xpath("comment()"):
        root.remove(comment)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def render_csv(data: ChartData) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(data.columns)
    writer.writerows(["" if v is None else v for v in row] for row in data.rows)
    return out.getvalue()


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
        chart = _config(pygal.Radar, data, range=(0, profile.SCALE_MAX), fill=False)
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
        chart = _config(pygal.Bar, data, x_title="Model", y_title=f"{what} ({unit})")
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
        chart = _config(
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
        chart = _config(pygal.Bar, data, x_title="Device", y_title="Price (USD per device-hour)")
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
        chart = _config(
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
        chart = _config(
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


# --- benchmark runs ---------------------------------------------------------------------

THROUGHPUT_METRICS = ("token_throughput", "output_throughput", "request_throughput")


MAX_RUN_SERIES = 12
"""Lines on one runs chart: beyond a dozen the colours repeat and the legend outgrows the plot."""


def runs_throughput_concurrency(session: Session, engines: Sequence[str] = ()) -> ChartData:
    # One point per engine, device, metric and concurrency: the mean of the runs there, with
    # their count and spread in the CSV. Ten thousand imported runs stay a readable picture,
    # and the database does the grouping.
    engine_ids = [by_slug(session, m.Engine, slug, "engine", "engine").id for slug in engines]
    run = m.BenchmarkRun
    measured = (
        col(run.metric).in_(THROUGHPUT_METRICS),
        col(run.concurrency).is_not(None),
        col(run.engine_id).is_not(None),
        *([col(run.engine_id).in_(engine_ids)] if engine_ids else []),
    )
    # One grouped pass over the runs, by ids and without joins; names are looked up for the
    # lines kept only. The lines with the most runs are drawn, ties by engine and device id,
    # and the CSV holds exactly those.
    value = col(run.value)
    point = (
        col(run.engine_id),
        col(run.device_id),
        col(run.metric),
        col(run.unit),
        col(run.concurrency),
    )
    statement = (
        sa.select(
            *point,
            sa.func.count(),
            sa.func.avg(value),
            sa.func.min(value),
            sa.func.max(value),
        )
        .where(*measured)
        .group_by(*point)
    )
    points: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for engine_id, device_id, metric, unit, *rest in session.execute(statement):
        points.setdefault((engine_id, device_id or 0, metric, unit), []).append(tuple(rest))
    size = {k: sum(p[1] for p in v) for k, v in points.items()}
    kept = sorted(points, key=lambda k: (-size[k], k))[:MAX_RUN_SERIES]
    left_out = len(points) - len(kept)
    engine_names = dict(
        session.execute(
            sa.select(col(m.Engine.id), col(m.Engine.name)).where(
                col(m.Engine.id).in_({k[0] for k in kept})
            )
        ).all()
    )
    device_names = dict(
        session.execute(
            sa.select(col(m.Device.id), col(m.Device.name)).where(
                col(m.Device.id).in_({k[1] for k in kept})
            )
        ).all()
    )
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
            for engine_id, device_id, metric, unit in kept
            for concurrency, runs, mean, low, high in points[(engine_id, device_id, metric, unit)]
        )
    )
    units = sorted({r[3] for r in rows})

    def draw(data: ChartData) -> Any:
        chart = _config(
            pygal.XY,
            data,
            x_title="Concurrency (requests in flight)",
            y_title=f"Throughput ({', '.join(units) or 'no runs'})",
        )
        series: dict[str, list[Any]] = {}
        for engine, device, metric, unit, concurrency, runs, mean, _low, _high in rows:
            label = f"{engine} on {device}" if device else engine
            series.setdefault(f"{label}: {metric} ({unit})", []).append(
                {"value": (concurrency, mean), "label": f"mean of {runs} run(s)"}
            )
        for label, points in series.items():
            chart.add(label, points)
        return chart

    return ChartData(
        "runs-throughput-concurrency",
        "Benchmark runs: throughput vs concurrency",
        "Every stored benchmark run (imported ones included) that measured throughput at a "
        "stated concurrency: one line per engine, device and metric, each point the mean of "
        "the runs at that concurrency (the CSV gives their count, lowest and highest)."
        + (
            f" The {len(kept)} lines with the most runs are drawn; {left_out} more are left "
            "out (name engines with engine= to see theirs)."
            if left_out
            else ""
        ),
        ("engine", "device", "metric", "unit", "concurrency", "runs", "mean", "min", "max"),
        rows,
        draw,
    )


# --- the support matrices as heatmaps --------------------------------------------------

MATRIX_CHARTS: dict[str, tuple[FactKind, str, str]] = {
    "optimization-matrix": (FactKind.FEATURE, "Optimization coverage", "Optimization column"),
    "hardware-matrix": (FactKind.PLATFORM, "Hardware support", "Platform"),
    "precision-matrix": (FactKind.PRECISION, "Numeric precision support", "Precision"),
}
"""Chart name → the kind of fact, the title, what a column is. The matrix pages
(`/matrices/{optimization,hardware,precision}`) show the same views."""

_STATUS_STYLES = {
    SupportStatus.SUPPORTED: CellStyle("supported", "✔", "#d7f0d9", "#1b5e20", False),
    SupportStatus.NOT_SUPPORTED: CellStyle("not-supported", "✘", "#f6d6d6", "#8e1b1b", False),
    # Unknown (no source says) is grey, a question mark and a dashed border: never read as "no".
    SupportStatus.UNKNOWN: CellStyle("unknown", "?", "#ececec", "#444444", True),
}
_STATUS_WORDS = {
    SupportStatus.SUPPORTED: "supported",
    SupportStatus.NOT_SUPPORTED: "not supported",
    SupportStatus.UNKNOWN: "unknown (no source says)",
}


@dataclass(frozen=True)
class MatrixFilter:
    """The matrix pages' query: a column group, the engines' order and a page of engines."""

    category: str = ""
    sort: str = "name"
    page: int = 1


def _sorted_by(sort: str) -> str:
    if sort == "name":
        return "by name"
    if sort == "-supported":
        return "most supported first"
    return f"supporting {sort} first"


def support_matrix(session: Session, name: str, where: MatrixFilter = MatrixFilter()) -> ChartData:
    """The matrix `name` as a heatmap of exactly the rows its page shows for `where`."""
    kind, title, column_word = MATRIX_CHARTS[name]
    view = support.matrix_view(
        session, kind, category=where.category, sort=where.sort, page=where.page
    )
    rows = tuple(
        (
            row.engine,
            row.engine_name,
            column.slug,
            column.name,
            cell.status.value,
            cell.note,
            cell.source,
        )
        for row in view.rows
        for column, cell in zip(view.columns, row.cells, strict=True)
    )
    scope = [f"columns in {view.category}"] if view.category else []
    if view.pages > 1:
        scope.append(f"engines page {view.page} of {view.pages}")
    full_title = f"{title} matrix" + (f" ({'; '.join(scope)})" if scope else "")

    def draw(data: ChartData) -> Heatmap:
        cells = [
            Cell(
                r,
                c,
                _STATUS_STYLES[cell.status],
                cell.note is not None,
                f"{row.engine_name} × {column.name}: {_STATUS_WORDS[cell.status]}"
                + (f" ({cell.note})" if cell.note else ""),
                {"engine": row.engine, "column": column.slug, "status": cell.status.value},
            )
            for r, row in enumerate(view.rows)
            for c, (column, cell) in enumerate(zip(view.columns, row.cells, strict=True))
        ]
        return Heatmap(
            data.title,
            "Engine",
            column_word,
            [row.engine_name for row in view.rows],
            [column.name for column in view.columns],
            cells,
            [(_STATUS_STYLES[s], w) for s, w in _STATUS_WORDS.items()]
            + [(CellStyle("note", "*", "white", "#222222", False), "the source adds a note")],
        )

    return ChartData(
        name,
        full_title,
        f"{len(view.rows)} engines (rows, {_sorted_by(view.sort)}) × "
        f"{len(view.columns)} {column_word.lower()}s (columns). Each cell is the graph's "
        "fact: ✔ green supported, ✘ red not supported, ? grey with a dashed border unknown "
        "(no source says); * marks a fact with a note. The same cells as the matrix page.",
        ("engine", "engine_name", "column", "column_name", "status", "note", "source"),
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
    **{
        name: (lambda session, name=name: support_matrix(session, name))  # type: ignore[misc]
        for name in MATRIX_CHARTS
    },
}
"""Charts of the whole graph by name; the radar takes engines and is not listed here."""


ENGINE_CHARTS = ("radar", "runs-throughput-concurrency")
"""The charts that take `engine`: the radar's engines, the runs chart's narrowing."""


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
    if name == "runs-throughput-concurrency":
        return runs_throughput_concurrency(session, engines)
    build = CHARTS.get(name)
    if build is None:
        raise not_found("chart", name, ["radar", *CHARTS], "name")
    if engines:
        raise InvalidInputError(
            f"Only {' and '.join(ENGINE_CHARTS)} take engines.",
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
