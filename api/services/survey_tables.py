"""Regenerate the survey's tables from the database, cell for cell.

The regeneration is the proof that the seed lost and misread nothing: the tests compare
every cell with the survey. Row order and per-table spellings come from the layout the
seed recorded; every cell value comes from the facts.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, col, select

import models as m
from api.errors import NotFoundError, Problem
from api.services.exports.csv_writer import BOM, LINE_END, neutralised
from models.base import (
    DeploymentScale,
    DocsLevel,
    HardwareDiversity,
    LayoutAxis,
    OpenSource,
    OrganizationKind,
    SupportStatus,
)
from models.support import SupportFact

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ORG_KIND = {
    OrganizationKind.COMMUNITY: "Community",
    OrganizationKind.ACADEMIC: "Academic",
    OrganizationKind.BIG_TECH: "Big Tech",
    OrganizationKind.STARTUP: "Startup",
}
_OPEN_SOURCE = {OpenSource.YES: "✅", OpenSource.PARTIAL: "🔷", OpenSource.NO: "❌"}
_DOCS = {DocsLevel.DETAILED: "✅", DocsLevel.MODERATE: "🟠", DocsLevel.SIMPLE: "🟡"}
_STATUS = {SupportStatus.SUPPORTED: "✅", SupportStatus.NOT_SUPPORTED: "❌"}
_UNKNOWN = "-"
QUADRANT_ROWS = {
    DeploymentScale.SINGLE_NODE: "🖥 **Single-Node**",
    DeploymentScale.MULTI_NODE: "🖧 **Multi-Node**",
}
QUADRANT_COLUMNS = {
    HardwareDiversity.HETEROGENEOUS: "🧩 Heterogeneous Devices",
    HardwareDiversity.HOMOGENEOUS: "⚙️ Homogeneous Devices",
}


@dataclass
class Table:
    name: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)

    def to_markdown(self) -> str:
        lines = [_markdown_row(self.headers), _markdown_row(["---"] * len(self.headers))]
        lines += [_markdown_row(row) for row in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"

    def to_csv(self, *, bom: bool = False) -> str:
        """RFC 4180 CSV; with `bom`, a byte-order mark first (Excel's dialect)."""
        buffer = io.StringIO()
        if bom:
            buffer.write(BOM)
        writer = csv.writer(buffer, lineterminator=LINE_END)
        writer.writerow([neutralised(cell) for cell in self.headers])
        writer.writerows([neutralised(cell) for cell in row] for row in self.rows)
        return buffer.getvalue()


def _markdown_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def table_names(session: Session) -> list[str]:
    """Every table that can be regenerated, in the survey's order."""
    categories = _technique_table_categories(session)
    return [
        "overview",
        *(f"techniques-{category.slug}" for category in categories),
        "hardware-matrix",
        "deployment-quadrant",
        "optimization-matrix",
        "precision-matrix",
        "model-pricing",
        "device-pricing",
    ]


def render_table(session: Session, name: str) -> Table:
    builders: dict[str, Callable[[Session], Table]] = {
        "overview": _overview,
        "hardware-matrix": _hardware_matrix,
        "deployment-quadrant": _deployment_quadrant,
        "optimization-matrix": _optimization_matrix,
        "precision-matrix": _precision_matrix,
        "model-pricing": _model_pricing,
        "device-pricing": _device_pricing,
    }
    if name in builders:
        return builders[name](session)
    if name.startswith("techniques-"):
        slug = name.removeprefix("techniques-")
        category = session.exec(
            select(m.TechniqueCategory).where(m.TechniqueCategory.slug == slug)
        ).first()
        if category is not None:
            return _technique_table(session, category)
    known = table_names(session)
    raise NotFoundError(
        f"no table named {name!r}",
        [Problem(f"known tables: {', '.join(known)}", field="name", value=name)],
    )


# --- queries -------------------------------------------------------------------------


def _source_id(session: Session, slug: str) -> int:
    source = session.exec(select(m.Source).where(m.Source.slug == slug)).first()
    if source is None or source.id is None:
        raise NotFoundError(f"the database has no source {slug!r}; run `infergraph seed`")
    return source.id


def _layout(session: Session, source_id: int, axis: LayoutAxis) -> list[m.LayoutEntry]:
    return list(
        session.exec(
            select(m.LayoutEntry)
            .where(m.LayoutEntry.source_id == source_id, m.LayoutEntry.axis == axis)
            .order_by(col(m.LayoutEntry.cell), col(m.LayoutEntry.position))
        )
    )


def _technique_table_categories(session: Session) -> list[m.TechniqueCategory]:
    """Categories that hold techniques, depth-first in survey order."""
    categories = list(session.exec(select(m.TechniqueCategory)))
    children: dict[int | None, list[m.TechniqueCategory]] = defaultdict(list)
    for category in categories:
        children[category.parent_id].append(category)
    # A technique the survey no longer lists (retired by a sync) is no row of its table.
    with_techniques = set(
        session.exec(
            select(m.Technique.category_id).where(col(m.Technique.in_survey_table)).distinct()
        )
    )
    ordered: list[m.TechniqueCategory] = []

    def visit(parent: int | None) -> None:
        for category in sorted(children[parent], key=lambda c: c.position):
            if category.id in with_techniques:
                ordered.append(category)
            visit(category.id)

    visit(None)
    return ordered


# --- tables --------------------------------------------------------------------------


def _overview(session: Session) -> Table:
    source = _source_id(session, "survey-overview")
    engines = {e.id: e for e in session.exec(select(m.Engine))}
    organizations = {o.id: o for o in session.exec(select(m.Organization))}
    rows = []
    for entry in _layout(session, source, LayoutAxis.ROW):
        engine = engines[entry.engine_id]
        organization = organizations.get(engine.organization_id)
        rows.append(
            [
                entry.label,
                f"{ORG_KIND[organization.kind]} ({organization.name})" if organization else "",
                _release(engine),
                _OPEN_SOURCE[engine.open_source] if engine.open_source else _UNKNOWN,
                _stars(engine.github_stars),
                _DOCS.get(engine.docs_level, "❌") if engine.docs_level else _UNKNOWN,
                *(_yes_no(flag) for flag in (engine.has_sns, engine.has_forum, engine.has_meetup)),
            ]
        )
    headers = [
        "Framework",
        "Organization",
        "Release Date",
        "Open Source",
        "GitHub Stars",
        "Docs",
        "SNS",
        "Forum",
        "Meetup",
    ]
    return Table("overview", "Overview of LLM Inference Engines", headers, rows)


def _release(engine: m.Engine) -> str:
    if engine.release_year is None or engine.release_month is None:
        return _UNKNOWN
    return f"{_MONTHS[engine.release_month - 1]}. {engine.release_year}"


def _stars(stars: int | None) -> str:
    """The survey's style: `136K` from 100K up, one decimal below (`77.6K`, `0.7K`)."""
    if stars is None:
        return "--"
    if stars >= 100_000:
        return f"{round(stars / 1000)}K"
    return f"{stars / 1000:.1f}K"


def _yes_no(flag: bool | None) -> str:
    return _UNKNOWN if flag is None else ("✅" if flag else "❌")


def _technique_table(session: Session, category: m.TechniqueCategory) -> Table:
    techniques = list(
        session.exec(
            select(m.Technique)
            .where(m.Technique.category_id == category.id, col(m.Technique.in_survey_table))
            .order_by(col(m.Technique.position))
        )
    )
    source = _source_id(session, "survey-technique-tables")
    citations: dict[int, list[m.TechniqueCitation]] = defaultdict(list)
    for citation in session.exec(
        select(m.TechniqueCitation)
        .where(
            col(m.TechniqueCitation.technique_id).in_([t.id for t in techniques]),
            m.TechniqueCitation.source_id == source,
        )
        .order_by(col(m.TechniqueCitation.position))
    ):
        citations[citation.technique_id].append(citation)
    rows = [
        [
            technique.name,
            technique.description,
            ", ".join(f"[{c.label}]({c.url})" for c in citations[technique.id or 0]),
        ]
        for technique in techniques
    ]
    return Table(
        f"techniques-{category.slug}",
        category.name,
        ["Technique", "Description", "References"],
        rows,
    )


def _support_matrix(
    session: Session,
    *,
    name: str,
    title: str,
    source_slug: str,
    fact_model: type[SupportFact],
    target_column: str,
) -> Table:
    source = _source_id(session, source_slug)
    columns = _layout(session, source, LayoutAxis.COLUMN)
    facts: dict[tuple[int, int], SupportFact] = {}
    for fact in session.exec(select(fact_model).where(fact_model.source_id == source)):
        facts[(fact.engine_id, getattr(fact, target_column))] = fact
    named_targets = {getattr(c, target_column) for c in columns} - {None}
    target_names = {p.id: p.name for p in session.exec(select(m.Platform))}
    rows = []
    for entry in _layout(session, source, LayoutAxis.ROW):
        engine_id = entry.engine_id or 0
        cells = [entry.label]
        for column in columns:
            target = getattr(column, target_column)
            if target is None:
                # A catch-all column ("ETC") lists supported targets no other column names.
                others = sorted(
                    target_names.get(t, "")
                    for (e, t), f in facts.items()
                    if e == engine_id
                    and t not in named_targets
                    and f.status == SupportStatus.SUPPORTED
                )
                cells.append(", ".join(others) if others else "❌")
                continue
            stated = facts.get((engine_id, target))
            cells.append(_support_cell(stated.status, stated.note) if stated else _UNKNOWN)
        rows.append(cells)
    return Table(name, title, ["Framework", *(c.label for c in columns)], rows)


def _support_cell(status: SupportStatus, note: str | None) -> str:
    symbol = _STATUS.get(status, _UNKNOWN)
    return f"{symbol} ({note})" if note else symbol


def _hardware_matrix(session: Session) -> Table:
    return _support_matrix(
        session,
        name="hardware-matrix",
        title="Hardware Support Matrix",
        source_slug="survey-hardware-matrix",
        fact_model=m.PlatformSupport,
        target_column="platform_id",
    )


def _optimization_matrix(session: Session) -> Table:
    return _support_matrix(
        session,
        name="optimization-matrix",
        title="Optimization Coverage Matrix",
        source_slug="survey-optimization-matrix",
        fact_model=m.FeatureSupport,
        target_column="feature_id",
    )


def _precision_matrix(session: Session) -> Table:
    return _support_matrix(
        session,
        name="precision-matrix",
        title="Numeric Precision Support Matrix",
        source_slug="survey-precision-matrix",
        fact_model=m.PrecisionSupport,
        target_column="precision_id",
    )


def _deployment_quadrant(session: Session) -> Table:
    source = _source_id(session, "survey-deployment-quadrant")
    order = {
        (e.cell, e.engine_id): (e.position, e.label)
        for e in _layout(session, source, LayoutAxis.ROW)
    }
    cells: dict[tuple[DeploymentScale, HardwareDiversity], list[tuple[int, str, str]]] = (
        defaultdict(list)
    )
    for engine in session.exec(select(m.Engine)):
        if engine.deployment_scale is None or engine.hardware_diversity is None:
            continue
        cell = f"{engine.deployment_scale.value}/{engine.hardware_diversity.value}"
        # Engines the survey did not place come after those it did, by name.
        position, label = order.get((cell, engine.id), (1_000_000, engine.name))
        cells[(engine.deployment_scale, engine.hardware_diversity)].append(
            (position, engine.name.casefold(), label)
        )
    rows = [
        [
            row_label,
            *(
                ", ".join(label for _, _, label in sorted(cells[(scale, diversity)]))
                for diversity in QUADRANT_COLUMNS
            ),
        ]
        for scale, row_label in QUADRANT_ROWS.items()
    ]
    return Table(
        "deployment-quadrant",
        "Deployment Scalability vs. Hardware Diversity",
        ["", *QUADRANT_COLUMNS.values()],
        rows,
    )


def _model_pricing(session: Session) -> Table:
    source = _source_id(session, "survey-model-pricing")
    providers = _layout(session, source, LayoutAxis.COLUMN)
    models_by_id = {x.id: x for x in session.exec(select(m.LLMModel))}
    prices = {
        (p.provider_id, p.model_id): p
        for p in session.exec(select(m.ModelPrice).where(m.ModelPrice.source_id == source))
    }
    variant_families: dict[str, set[str]] = defaultdict(set)
    modes: set[str] = set()
    served: list[str] = []
    headers = ["Model"]
    for provider in providers:
        mine = [p for (pid, _), p in prices.items() if pid == provider.engine_id]
        mark = ""
        if any(p.model_variant for p in mine):
            mark += "†"
        if any(p.pricing_mode for p in mine):
            mark += "‡"
        headers.append(provider.label + mark)
        for price in mine:
            if price.model_variant:
                family = models_by_id[price.model_id].family or models_by_id[price.model_id].name
                variant_families[price.model_variant].add(family)
            if price.pricing_mode:
                modes.add(price.pricing_mode)
            if price.served_model_id is not None:
                name = models_by_id[price.served_model_id].name
                if name not in served:
                    served.append(name)
    rows = []
    for entry in _layout(session, source, LayoutAxis.ROW):
        cells = [entry.label]
        for provider in providers:
            offered = prices.get((provider.engine_id or 0, entry.model_id or 0))
            if offered is None:
                cells.append("- / -")
                continue
            star = "*" if offered.served_model_id is not None else ""
            cells.append(
                f"{offered.input_usd_per_mtok:.2f}{star} / {offered.output_usd_per_mtok:.2f}{star}"
            )
        rows.append(cells)
    notes = [
        f"† {' and '.join(sorted(families))} is {variant} model"
        for variant, families in sorted(variant_families.items())
    ]
    notes += [f"‡ {mode} mode price" for mode in sorted(modes)]
    notes += [f"\\* {name}" for name in served]
    return Table(
        "model-pricing",
        "Commercial Inference Engine Pricing by Model (USD per 1M tokens)",
        headers,
        rows,
        notes,
    )


def _device_pricing(session: Session) -> Table:
    source = _source_id(session, "survey-device-pricing")
    providers = _layout(session, source, LayoutAxis.COLUMN)
    prices = {
        (p.provider_id, p.device_id): p.usd_per_hour
        for p in session.exec(select(m.DevicePrice).where(m.DevicePrice.source_id == source))
    }
    rows = []
    for entry in _layout(session, source, LayoutAxis.ROW):
        cells = [entry.label]
        for provider in providers:
            price = prices.get((provider.engine_id or 0, entry.device_id or 0))
            cells.append(_plain_decimal(price) if price is not None else "-")
        rows.append(cells)
    return Table(
        "device-pricing",
        "Commercial Inference Engine Pricing by Hardware Type (USD per hour per device)",
        ["Hardware", *(p.label for p in providers)],
        rows,
    )


def _plain_decimal(value: Decimal) -> str:
    """`2.9000` → `2.9`: the survey prints hourly prices without trailing zeros."""
    return format(Decimal(value).normalize(), "f")
