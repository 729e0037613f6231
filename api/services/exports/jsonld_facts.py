"""The measured and stated facts of the JSON-LD graph: tri-state support with its source,
prices as schema.org offers, benchmark runs, and the nodes they point at (matrix columns,
precisions, models, sources). Built a batch of rows at a time, one query per relation."""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col

import models as m
from api.services.exports.jsonld_terms import iri, url_iri
from api.services.sql import AnySelect
from models.base import SupportStatus, ValueQualifier

# (support table, its target column, the target table, the target's node kind)
_SUPPORT_TABLES: tuple[tuple[type[SQLModel], str, type[SQLModel], str], ...] = (
    (m.FeatureSupport, "feature_id", m.OptimizationFeature, "feature"),
    (m.PlatformSupport, "platform_id", m.Platform, "platform"),
    (m.PrecisionSupport, "precision_id", m.Precision, "precision"),
)


def support_facts(
    session: Session, base: str, engine_ids: Sequence[int | None]
) -> dict[int, list[dict[str, Any]]]:
    """Every support fact of these engines, each status as stated (not supported and
    unknown included), with its note and source."""
    sources = _source_slugs(session)
    facts: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for table, target_column, target_table, kind in _SUPPORT_TABLES:
        t: Any = table
        target: Any = target_table
        rows = session.execute(
            sa.select(t.engine_id, target.slug, t.status, t.note, t.source_id)
            .join(target, target.id == getattr(t, target_column))
            .where(t.engine_id.in_(engine_ids))
            .order_by(t.engine_id, target.slug, t.source_id)
        )
        for engine_id, slug, status, note, source_id in rows:
            fact: dict[str, Any] = {
                "@type": "ig:SupportFact",
                "target": iri(base, kind, slug),
                "status": SupportStatus(status).value,
                "source": iri(base, "source", sources[source_id]),
            }
            if note:
                fact["description"] = note
            facts[engine_id].append(fact)
    return facts


def offers(
    session: Session, base: str, engine_ids: Sequence[int | None]
) -> dict[int, list[dict[str, Any]]]:
    """What each engine, as a hosted provider, sells: model tokens (input and output price
    per million) and device hours, in USD, with the source of each price."""
    sources = _source_slugs(session)
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    model_rows = session.execute(
        sa.select(m.ModelPrice, col(m.LLMModel.slug))
        .join(m.LLMModel, col(m.LLMModel.id) == m.ModelPrice.model_id)
        .where(col(m.ModelPrice.provider_id).in_(engine_ids))
        .order_by(col(m.ModelPrice.provider_id), col(m.LLMModel.slug), col(m.ModelPrice.id))
    )
    served = _model_slugs(session)
    for price, model_slug in model_rows:
        offer: dict[str, Any] = {
            "@type": "Offer",
            "itemOffered": iri(base, "model", model_slug),
            "priceSpecification": [
                _unit_price(price.input_usd_per_mtok, "1M input tokens"),
                _unit_price(price.output_usd_per_mtok, "1M output tokens"),
            ],
            "source": iri(base, "source", sources[price.source_id]),
        }
        notes = [
            text
            for text in (
                price.model_variant,
                price.pricing_mode and f"{price.pricing_mode} mode",
                price.served_model_id is not None
                and f"serves {served.get(price.served_model_id)} in its place",
            )
            if text
        ]
        if notes:
            offer["description"] = "; ".join(str(n) for n in notes)
        found[price.provider_id].append(offer)
    device_rows = session.execute(
        sa.select(m.DevicePrice, col(m.Device.slug))
        .join(m.Device, col(m.Device.id) == m.DevicePrice.device_id)
        .where(col(m.DevicePrice.provider_id).in_(engine_ids))
        .order_by(col(m.DevicePrice.provider_id), col(m.Device.slug), col(m.DevicePrice.id))
    )
    for device_price, device_slug in device_rows:
        found[device_price.provider_id].append(
            {
                "@type": "Offer",
                "itemOffered": iri(base, "device", device_slug),
                "priceSpecification": _unit_price(device_price.usd_per_hour, "device-hour"),
                "source": iri(base, "source", sources[device_price.source_id]),
            }
        )
    return found


def _unit_price(amount: Decimal, unit: str) -> dict[str, Any]:
    return {
        "@type": "UnitPriceSpecification",
        "price": float(amount),
        "priceCurrency": "USD",
        "unitText": unit,
    }


def run_nodes(session: Session, base: str, runs: Sequence[m.BenchmarkRun]) -> list[dict[str, Any]]:
    sources = _source_slugs(session)
    engines = _slugs(session, m.Engine, [r.engine_id for r in runs])
    models = _slugs(session, m.LLMModel, [r.model_id for r in runs])
    devices = _slugs(session, m.Device, [r.device_id for r in runs])
    nodes = []
    for run in runs:
        result: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": run.unit}
        if run.value_max is None:
            result["value"] = run.value
        else:
            result["minValue"], result["maxValue"] = run.value, run.value_max
        node: dict[str, Any] = {
            "@id": iri(base, "run", run.slug),
            "@type": "ig:BenchmarkRun",
            "identifier": run.slug,
            "metric": run.metric,
            "result": result,
            "source": iri(base, "source", sources[run.source_id]),
        }
        if run.qualifier != ValueQualifier.EXACT:
            node["qualifier"] = ValueQualifier(run.qualifier).value
        _link(node, "engine", base, "engine", engines.get(run.engine_id or 0))
        _link(node, "model", base, "model", models.get(run.model_id or 0))
        _link(node, "device", base, "device", devices.get(run.device_id or 0))
        for name, value in (
            ("modelScope", run.model_scope),
            ("deviceCount", run.device_count),
            ("concurrency", run.concurrency),
            ("workload", run.workload),
        ):
            if value is not None:
                node[name] = value
        nodes.append(node)
    return nodes


def feature_nodes(
    session: Session, base: str, features: Sequence[m.OptimizationFeature]
) -> list[dict[str, Any]]:
    members = grouped(
        session,
        sa.select(col(m.FeatureMember.feature_id), col(m.Technique.slug))
        .join(m.Technique, col(m.Technique.id) == m.FeatureMember.technique_id)
        .where(col(m.FeatureMember.feature_id).in_([f.id for f in features]))
        .order_by(col(m.FeatureMember.feature_id), col(m.Technique.slug)),
    )
    nodes = []
    for feature in features:
        node: dict[str, Any] = {
            "@id": iri(base, "feature", feature.slug),
            "@type": "DefinedTerm",
            "termCode": feature.slug,
            "name": feature.name,
            "coversTechnique": [iri(base, "technique", t) for t in members.get(feature.id, [])],
        }
        if feature.description:
            node["description"] = feature.description
        nodes.append(node)
    return nodes


def precision_nodes(
    _session: Session, base: str, precisions: Sequence[m.Precision]
) -> list[dict[str, Any]]:
    return [
        {
            "@id": iri(base, "precision", p.slug),
            "@type": "DefinedTerm",
            "termCode": p.slug,
            "name": p.name,
            "bits": p.bits,
        }
        for p in precisions
    ]


def model_nodes(
    _session: Session, base: str, llm_models: Sequence[m.LLMModel]
) -> list[dict[str, Any]]:
    nodes = []
    for model in llm_models:
        node: dict[str, Any] = {
            "@id": iri(base, "model", model.slug),
            "@type": "CreativeWork",
            "identifier": model.slug,
            "name": model.name,
        }
        if model.family:
            node["modelFamily"] = model.family
        if model.parameters_billion is not None:
            node["parametersBillion"] = model.parameters_billion
        nodes.append(node)
    return nodes


def source_nodes(_session: Session, base: str, sources: Sequence[m.Source]) -> list[dict[str, Any]]:
    nodes = []
    for source in sources:
        node: dict[str, Any] = {
            "@id": iri(base, "source", source.slug),
            "@type": "CreativeWork",
            "identifier": source.slug,
            "name": source.title,
            "genre": source.kind.value,
        }
        if source.locator:
            node["locator"] = source.locator
        if source.document_url:
            node["url"] = url_iri(source.document_url)
        if source.as_of is not None:
            node["asOf"] = {"@value": source.as_of.isoformat(), "@type": "schema:Date"}
        nodes.append(node)
    return nodes


def _link(node: dict[str, Any], name: str, base: str, kind: str, slug: str | None) -> None:
    if slug is not None:
        node[name] = iri(base, kind, slug)


def _slugs(session: Session, model: Any, ids: Sequence[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(sa.select(model.id, model.slug).where(model.id.in_(wanted))).all())


def _source_slugs(session: Session) -> dict[int, str]:
    # Sources are few (the survey's tables and figures, one per ingest file or feed).
    return dict(session.execute(sa.select(col(m.Source.id), col(m.Source.slug))).all())


def _model_slugs(session: Session) -> dict[int, str]:
    return dict(session.execute(sa.select(col(m.LLMModel.id), col(m.LLMModel.slug))).all())


def grouped(session: Session, statement: AnySelect) -> dict[Any, list[Any]]:
    """`(owner, value)` rows as owner → values, in the statement's order."""
    groups: dict[Any, list[Any]] = defaultdict(list)
    for owner, value in session.execute(statement):
        groups[owner].append(value)
    return groups
