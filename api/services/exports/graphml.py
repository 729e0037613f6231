"""GraphML of the whole graph (for networkx, Gephi, yEd), streamed element by element.

Node ids are `kind:key` (`engine:vllm`, `paper:kwon2023efficient`, `author:kwon, woosuk`),
stable across runs and restores. Every node has `kind` and `label`; other attributes
appear where they apply. Every edge has `kind`; the edge kinds, all directed:

| kind | from → to | attributes |
| --- | --- | --- |
| `made_by` | engine → organization | |
| `in_category` | technique → category | |
| `subcategory_of` | category → category | |
| `member_of` | technique → feature | |
| `supports` | engine → feature, engine → precision | status, note, source |
| `runs_on` | engine → platform | status, note, source |
| `cites` | technique → paper | label, position, url, source |
| `described_in` | engine → paper | label, position, url, source |
| `authored_by` | paper → author | position |
| `instance_of` | device → platform | |
| `prices_model` | engine → model | input/output USD per 1M tokens, source |
| `rents_device` | engine → device | USD per hour, source |
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

import models as m
from api.services.exports.sql import AnySelect

MEDIA_TYPE = "application/graphml+xml"
_BATCH = 100
# Characters XML 1.0 cannot carry at all, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# (domain, name, GraphML type) of every attribute.
_NODE_KEYS = (
    ("kind", "string"),
    ("label", "string"),
    ("key", "string"),
    ("subkind", "string"),
    ("year", "int"),
    ("month", "int"),
    ("open_source", "string"),
    ("is_commercial", "boolean"),
    ("github_stars", "int"),
    ("url", "string"),
    ("entry_type", "string"),
    ("venue", "string"),
    ("doi", "string"),
    ("arxiv_id", "string"),
    ("vendor", "string"),
    ("memory_gb", "int"),
    ("bits", "int"),
    ("parameters_billion", "double"),
)
_EDGE_KEYS = (
    ("kind", "string"),
    ("status", "string"),
    ("note", "string"),
    ("source", "string"),
    ("label", "string"),
    ("position", "int"),
    ("url", "string"),
    ("input_usd_per_mtok", "double"),
    ("output_usd_per_mtok", "double"),
    ("usd_per_hour", "double"),
)


@dataclass(frozen=True)
class _Nodes:
    kind: str
    statement: AnySelect
    """Columns `key`, `label`, then attributes by their GraphML names."""


@dataclass(frozen=True)
class _Edges:
    kind: str
    source_kind: str
    target_kind: str
    statement: AnySelect
    """Columns `source_key`, `target_key`, then attributes by their GraphML names."""


def graphml_stream(session: Session) -> Iterator[str]:
    """The GraphML document: keys, then every node, then every edge."""
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
        ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    for domain, keys in (("node", _NODE_KEYS), ("edge", _EDGE_KEYS)):
        for name, graphml_type in keys:
            yield (
                f'  <key id="{domain[0]}_{name}" for="{domain}"'
                f' attr.name="{name}" attr.type="{graphml_type}"/>\n'
            )
    yield '  <graph id="infergraph" edgedefault="directed">\n'
    for nodes in _node_sets():
        for row in _stream(session, nodes.statement):
            values = row._asdict()
            node_id = f"{nodes.kind}:{values['key']}"
            attributes = {"kind": nodes.kind, **values}
            yield f"    <node id={_attr(node_id)}>{_data('n', attributes)}</node>\n"
    edge_number = 0
    for edges in _edge_sets():
        for row in _stream(session, edges.statement):
            values = row._asdict()
            source = f"{edges.source_kind}:{values.pop('source_key')}"
            target = f"{edges.target_kind}:{values.pop('target_key')}"
            attributes = {"kind": edges.kind, **values}
            yield (
                f'    <edge id="e{edge_number}" source={_attr(source)} target={_attr(target)}>'
                f"{_data('e', attributes)}</edge>\n"
            )
            edge_number += 1
    yield "  </graph>\n</graphml>\n"


def _stream(session: Session, statement: AnySelect) -> Iterator[sa.Row[Any]]:
    yield from session.execute(statement.execution_options(yield_per=_BATCH))


def _data(domain: str, attributes: dict[str, Any]) -> str:
    return "".join(
        f'<data key="{domain}_{name}">{_text(value)}</data>'
        for name, value in attributes.items()
        if value is not None
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, Decimal):
        value = float(value)
    return escape(_INVALID_XML.sub("", str(value)))


def _attr(value: str) -> str:
    return quoteattr(_INVALID_XML.sub("", value))


# --- what is a node, what is an edge -------------------------------------------------


def _node_sets() -> list[_Nodes]:
    engine, org, category = m.Engine, m.Organization, m.TechniqueCategory
    return [
        _Nodes(
            "engine",
            sa.select(
                col(engine.slug).label("key"),
                col(engine.name).label("label"),
                col(engine.release_year).label("year"),
                col(engine.release_month).label("month"),
                col(engine.open_source).label("open_source"),
                col(engine.is_commercial).label("is_commercial"),
                col(engine.github_stars).label("github_stars"),
                col(engine.web_url).label("url"),
            ).order_by(col(engine.slug)),
        ),
        _Nodes(
            "organization",
            sa.select(
                col(org.slug).label("key"),
                col(org.name).label("label"),
                col(org.kind).label("subkind"),
            ).order_by(col(org.slug)),
        ),
        _Nodes(
            "category",
            sa.select(col(category.slug).label("key"), col(category.name).label("label")).order_by(
                col(category.slug)
            ),
        ),
        _Nodes(
            "technique",
            sa.select(
                col(m.Technique.slug).label("key"), col(m.Technique.name).label("label")
            ).order_by(col(m.Technique.slug)),
        ),
        _Nodes(
            "feature",
            sa.select(
                col(m.OptimizationFeature.slug).label("key"),
                col(m.OptimizationFeature.name).label("label"),
                col(m.OptimizationFeature.kind).label("subkind"),
            ).order_by(col(m.OptimizationFeature.slug)),
        ),
        _Nodes(
            "paper",
            sa.select(
                col(m.Paper.bibtex_key).label("key"),
                sa.func.coalesce(m.Paper.title, m.Paper.bibtex_key).label("label"),
                col(m.Paper.entry_type).label("entry_type"),
                col(m.Paper.year).label("year"),
                col(m.Paper.month).label("month"),
                col(m.Paper.venue).label("venue"),
                col(m.Paper.doi).label("doi"),
                col(m.Paper.arxiv_id).label("arxiv_id"),
                col(m.Paper.url).label("url"),
            ).order_by(col(m.Paper.bibtex_key)),
        ),
        _Nodes(
            "author",
            sa.select(
                col(m.Author.name_key).label("key"), col(m.Author.name).label("label")
            ).order_by(col(m.Author.name_key)),
        ),
        _Nodes(
            "platform",
            sa.select(
                col(m.Platform.slug).label("key"),
                col(m.Platform.name).label("label"),
                col(m.Platform.kind).label("subkind"),
                col(m.Platform.url).label("url"),
            ).order_by(col(m.Platform.slug)),
        ),
        _Nodes(
            "precision",
            sa.select(
                col(m.Precision.slug).label("key"),
                col(m.Precision.name).label("label"),
                col(m.Precision.family).label("subkind"),
                col(m.Precision.bits).label("bits"),
            ).order_by(col(m.Precision.slug)),
        ),
        _Nodes(
            "device",
            sa.select(
                col(m.Device.slug).label("key"),
                col(m.Device.name).label("label"),
                col(m.Device.vendor).label("vendor"),
                col(m.Device.memory_gb).label("memory_gb"),
            ).order_by(col(m.Device.slug)),
        ),
        _Nodes(
            "model",
            sa.select(
                col(m.LLMModel.slug).label("key"),
                col(m.LLMModel.name).label("label"),
                col(m.LLMModel.family).label("subkind"),
                col(m.LLMModel.parameters_billion).label("parameters_billion"),
            ).order_by(col(m.LLMModel.slug)),
        ),
    ]


def _edge_sets() -> list[_Edges]:
    parent = aliased(m.TechniqueCategory)
    return [
        _Edges(
            "made_by",
            "engine",
            "organization",
            sa.select(
                col(m.Engine.slug).label("source_key"),
                col(m.Organization.slug).label("target_key"),
            )
            .join(m.Organization, col(m.Organization.id) == m.Engine.organization_id)
            .order_by(col(m.Engine.slug)),
        ),
        _Edges(
            "in_category",
            "technique",
            "category",
            sa.select(
                col(m.Technique.slug).label("source_key"),
                col(m.TechniqueCategory.slug).label("target_key"),
            )
            .join(m.TechniqueCategory, col(m.TechniqueCategory.id) == m.Technique.category_id)
            .order_by(col(m.Technique.slug)),
        ),
        _Edges(
            "subcategory_of",
            "category",
            "category",
            sa.select(
                col(m.TechniqueCategory.slug).label("source_key"),
                col(parent.slug).label("target_key"),
            )
            .join(parent, col(parent.id) == m.TechniqueCategory.parent_id)
            .order_by(col(m.TechniqueCategory.slug)),
        ),
        _Edges(
            "member_of",
            "technique",
            "feature",
            sa.select(
                col(m.Technique.slug).label("source_key"),
                col(m.OptimizationFeature.slug).label("target_key"),
            )
            .select_from(m.FeatureMember)
            .join(m.Technique, col(m.Technique.id) == m.FeatureMember.technique_id)
            .join(
                m.OptimizationFeature,
                col(m.OptimizationFeature.id) == m.FeatureMember.feature_id,
            )
            .order_by(col(m.Technique.slug), col(m.OptimizationFeature.slug)),
        ),
        _support_edges(
            "supports", "feature", m.FeatureSupport, m.OptimizationFeature, "feature_id"
        ),
        _support_edges("supports", "precision", m.PrecisionSupport, m.Precision, "precision_id"),
        _support_edges("runs_on", "platform", m.PlatformSupport, m.Platform, "platform_id"),
        _Edges(
            "cites",
            "technique",
            "paper",
            sa.select(
                col(m.Technique.slug).label("source_key"),
                col(m.Paper.bibtex_key).label("target_key"),
                col(m.TechniqueCitation.label).label("label"),
                col(m.TechniqueCitation.position).label("position"),
                col(m.TechniqueCitation.url).label("url"),
                col(m.Source.slug).label("source"),
            )
            .select_from(m.TechniqueCitation)
            .join(m.Technique, col(m.Technique.id) == m.TechniqueCitation.technique_id)
            .join(m.Paper, col(m.Paper.id) == m.TechniqueCitation.paper_id)
            .join(m.Source, col(m.Source.id) == m.TechniqueCitation.source_id)
            .order_by(col(m.Technique.slug), col(m.Source.slug), col(m.TechniqueCitation.position)),
        ),
        _Edges(
            "described_in",
            "engine",
            "paper",
            sa.select(
                col(m.Engine.slug).label("source_key"),
                col(m.Paper.bibtex_key).label("target_key"),
                col(m.EnginePaper.label).label("label"),
                col(m.EnginePaper.position).label("position"),
                col(m.EnginePaper.url).label("url"),
                col(m.Source.slug).label("source"),
            )
            .select_from(m.EnginePaper)
            .join(m.Engine, col(m.Engine.id) == m.EnginePaper.engine_id)
            .join(m.Paper, col(m.Paper.id) == m.EnginePaper.paper_id)
            .join(m.Source, col(m.Source.id) == m.EnginePaper.source_id)
            .order_by(col(m.Engine.slug), col(m.EnginePaper.position)),
        ),
        _Edges(
            "authored_by",
            "paper",
            "author",
            sa.select(
                col(m.Paper.bibtex_key).label("source_key"),
                col(m.Author.name_key).label("target_key"),
                col(m.PaperAuthor.position).label("position"),
            )
            .select_from(m.PaperAuthor)
            .join(m.Paper, col(m.Paper.id) == m.PaperAuthor.paper_id)
            .join(m.Author, col(m.Author.id) == m.PaperAuthor.author_id)
            .order_by(col(m.Paper.bibtex_key), col(m.PaperAuthor.position)),
        ),
        _Edges(
            "instance_of",
            "device",
            "platform",
            sa.select(
                col(m.Device.slug).label("source_key"),
                col(m.Platform.slug).label("target_key"),
            )
            .join(m.Platform, col(m.Platform.id) == m.Device.platform_id)
            .order_by(col(m.Device.slug)),
        ),
        _Edges(
            "prices_model",
            "engine",
            "model",
            sa.select(
                col(m.Engine.slug).label("source_key"),
                col(m.LLMModel.slug).label("target_key"),
                col(m.ModelPrice.input_usd_per_mtok).label("input_usd_per_mtok"),
                col(m.ModelPrice.output_usd_per_mtok).label("output_usd_per_mtok"),
                col(m.Source.slug).label("source"),
            )
            .select_from(m.ModelPrice)
            .join(m.Engine, col(m.Engine.id) == m.ModelPrice.provider_id)
            .join(m.LLMModel, col(m.LLMModel.id) == m.ModelPrice.model_id)
            .join(m.Source, col(m.Source.id) == m.ModelPrice.source_id)
            .order_by(col(m.Engine.slug), col(m.LLMModel.slug), col(m.Source.slug)),
        ),
        _Edges(
            "rents_device",
            "engine",
            "device",
            sa.select(
                col(m.Engine.slug).label("source_key"),
                col(m.Device.slug).label("target_key"),
                col(m.DevicePrice.usd_per_hour).label("usd_per_hour"),
                col(m.Source.slug).label("source"),
            )
            .select_from(m.DevicePrice)
            .join(m.Engine, col(m.Engine.id) == m.DevicePrice.provider_id)
            .join(m.Device, col(m.Device.id) == m.DevicePrice.device_id)
            .join(m.Source, col(m.Source.id) == m.DevicePrice.source_id)
            .order_by(col(m.Engine.slug), col(m.Device.slug), col(m.Source.slug)),
        ),
    ]


def _support_edges(
    kind: str, target_kind: str, fact: Any, target: Any, target_column: str
) -> _Edges:
    return _Edges(
        kind,
        "engine",
        target_kind,
        sa.select(
            col(m.Engine.slug).label("source_key"),
            col(target.slug).label("target_key"),
            col(fact.status).label("status"),
            col(fact.note).label("note"),
            col(m.Source.slug).label("source"),
        )
        .select_from(fact)
        .join(m.Engine, col(m.Engine.id) == fact.engine_id)
        .join(target, col(target.id) == getattr(fact, target_column))
        .join(m.Source, col(m.Source.id) == fact.source_id)
        .order_by(col(m.Engine.slug), col(target.slug), col(m.Source.slug)),
    )
