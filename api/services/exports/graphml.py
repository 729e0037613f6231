"""GraphML of the whole graph (for networkx, Gephi, yEd), streamed element by element.

Node ids are `kind:key` (`engine:vllm`, `paper:kwon2023efficient`, `author:kwon, woosuk`),
stable across runs and restores. Every node has `kind`, `key` and `label`, then the attributes
of its entity's view (`api/services/views.py`: what REST and GraphQL show of it, an entity's
own kind as `subkind`), where they have a value. Every edge has `kind`; the edge kinds, all
directed:

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
| `measured_engine` | run → engine | source |
| `measured_model` | run → model | source |
| `measured_on` | run → device | source |

A benchmark run is a node (`run:<slug>`, labelled by its slug) with its number, unit,
metric, concurrency and workload; a run naming a model class (`8B models`) rather than one
model has `model_scope` and no `measured_model` edge.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, get_args
from xml.sax.saxutils import escape, quoteattr

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

import models as m
from api.services import benchmarks, engines, hardware, literature, market, techniques
from api.services.sql import AnySelect
from api.services.views import Attr, View

MEDIA_TYPE = "application/graphml+xml"
_BATCH = 100
# Characters XML 1.0 cannot carry at all, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# (name, GraphML type) of every edge attribute; node attributes come from the entities' views.
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
    """Columns `key`, `label`, then the columns the view's attributes read."""
    view: View


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
    for domain, keys in (("node", _node_keys()), ("edge", _EDGE_KEYS)):
        for name, graphml_type in keys:
            yield (
                f'  <key id="{domain[0]}_{name}" for="{domain}"'
                f' attr.name="{name}" attr.type="{graphml_type}"/>\n'
            )
    yield '  <graph id="infergraph" edgedefault="directed">\n'
    for nodes in _node_sets():
        for row in _stream(session, nodes.statement):
            node_id = f"{nodes.kind}:{row.key}"
            attributes = {"kind": nodes.kind, "label": row.label, "key": row.key}
            for attr in nodes.view.attrs:
                shown = _graphml_name(attr)
                if shown is not None:
                    attributes[shown] = attr.get(row)
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


@dataclass(frozen=True)
class _NodeKind:
    kind: str
    view: View
    key: str
    """The column that identifies a node of this kind (slug, cite key, author key)."""


_NODE_KINDS = (
    _NodeKind("engine", engines.ENGINE, "slug"),
    _NodeKind("organization", engines.ORGANIZATION, "slug"),
    _NodeKind("category", techniques.CATEGORY, "slug"),
    _NodeKind("technique", techniques.TECHNIQUE, "slug"),
    _NodeKind("feature", techniques.FEATURE, "slug"),
    _NodeKind("paper", literature.PAPER, "bibtex_key"),
    _NodeKind("author", literature.AUTHOR, "name_key"),
    _NodeKind("platform", hardware.PLATFORM, "slug"),
    _NodeKind("precision", hardware.PRECISION, "slug"),
    _NodeKind("device", hardware.DEVICE, "slug"),
    _NodeKind("model", market.MODEL, "slug"),
    _NodeKind("run", benchmarks.RUN, "slug"),
)
_SHOWN_AS = {"slug": None, "bibtex_key": None, "name": None, "kind": "subkind"}
"""View attributes GraphML names otherwise: the node's `key` and `label` already say slug and
name, and `kind` is the node's kind, so an entity's own kind becomes `subkind`."""
_GRAPHML_TYPES = ((bool, "boolean"), (int, "int"), (float, "double"))


def _graphml_name(attr: Attr) -> str | None:
    return _SHOWN_AS.get(attr.name, attr.name)


def _graphml_type(value_type: Any) -> str:
    for python_type in (value_type, *get_args(value_type)):
        for known, name in _GRAPHML_TYPES:
            if python_type is known:
                return name
    return "string"


def _node_keys() -> list[tuple[str, str]]:
    """`kind`, `label`, `key`, then every attribute any view shows, once, in view order."""
    keys = {"kind": "string", "label": "string", "key": "string"}
    for node_kind in _NODE_KINDS:
        for attr in node_kind.view.attrs:
            name = _graphml_name(attr)
            if name is not None:
                keys.setdefault(name, _graphml_type(attr.type))
    return list(keys.items())


def _node_sets() -> list[_Nodes]:
    nodes = []
    for node_kind in _NODE_KINDS:
        model: Any = node_kind.view.model
        # A run has no name of its own: its slug labels it.
        label = model.title if node_kind.kind == "paper" else getattr(model, "name", None)
        key_column = getattr(model, node_kind.key)
        # Every column, not only the attributes' own: derived attributes read others.
        columns = {column.name for column in model.__table__.columns}
        statement = sa.select(
            col(getattr(model, node_kind.key)).label("key"),
            (key_column if label is None else sa.func.coalesce(label, key_column)).label("label"),
            *(col(getattr(model, name)) for name in sorted(columns)),
        ).order_by(col(getattr(model, node_kind.key)))
        nodes.append(_Nodes(node_kind.kind, statement, node_kind.view))
    return nodes


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
        *(
            _run_edges(kind, target_kind, target, column)
            for kind, target_kind, target, column in (
                ("measured_engine", "engine", m.Engine, "engine_id"),
                ("measured_model", "model", m.LLMModel, "model_id"),
                ("measured_on", "device", m.Device, "device_id"),
            )
        ),
    ]


def _run_edges(kind: str, target_kind: str, target: Any, target_column: str) -> _Edges:
    return _Edges(
        kind,
        "run",
        target_kind,
        sa.select(
            col(m.BenchmarkRun.slug).label("source_key"),
            col(target.slug).label("target_key"),
            col(m.Source.slug).label("source"),
        )
        .select_from(m.BenchmarkRun)
        .join(target, col(target.id) == getattr(m.BenchmarkRun, target_column))
        .join(m.Source, col(m.Source.id) == m.BenchmarkRun.source_id)
        .order_by(col(m.BenchmarkRun.slug)),
    )


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
