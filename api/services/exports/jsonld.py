"""JSON-LD with the schema.org vocabulary: one node, or the whole graph as a stream.

Node types: papers are `ScholarlyArticle`, engines `SoftwareApplication` (their repository a
`SoftwareSourceCode` whose `targetProduct` is the engine), techniques and matrix columns and
precisions `DefinedTerm` (categories are `DefinedTermSet`s and terms of their parent),
organizations `Organization`, platforms and devices `Product`, models and sources
`CreativeWork`. Every property is used on a type inside its schema.org domain
(tests/exports/test_jsonld_schema.py checks it against a pinned copy of the vocabulary);
where schema.org has no property, InferGraph's own vocabulary (`ig:`, described by nodes at
the head of the graph, `jsonld_terms.py`) names it: the tri-state support facts with their
sources, benchmark runs. Prices are schema.org `Offer`s of the providing engine. A technique's
cited papers are its `subjectOf`, like an engine's own papers. The context is inlined, so
reading our JSON-LD never needs the network.
"""

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

import models as m
from api.errors import InvalidInputError, Problem
from api.services.exports import jsonld_facts as facts
from api.services.exports.jsonld_terms import (
    doi_iri,
    iri,
    jsonld_context,
    url_iri,
    vocabulary_nodes,
)
from api.services.exports.papers import BATCH_SIZE, PaperRecord, paper_records
from api.services.exports.text import json_text
from api.services.lookup import by_slug, not_found
from models.base import OpenSource, SupportStatus

MEDIA_TYPE = "application/ld+json"


# --- one node ------------------------------------------------------------------------


def node_jsonld(session: Session, kind: str, key: str, base: str) -> dict[str, Any]:
    """One node with the context inlined. `key` is a slug, or a cite key for papers; `base`
    the URL the IRIs start with (the server's own)."""
    if kind not in _KINDS:
        raise InvalidInputError(
            f"no node kind {kind!r}",
            [Problem(f"known kinds: {', '.join(NODE_KINDS)}", field="kind", value=kind)],
        )
    if kind == "paper":
        paper = session.exec(select(m.Paper).where(m.Paper.bibtex_key == key)).first()
        if paper is None:
            raise not_found("paper", key, session.exec(select(m.Paper.bibtex_key)), "key")
        record = next(paper_records(session, [paper.id] if paper.id is not None else []))
        node = _paper_nodes(session, base, [record])[0]
    else:
        model, label, build = _KINDS[kind]
        row = by_slug(session, model, key, label, "key")
        node = build(session, base, [row])[0]
    return {"@context": jsonld_context(base), **node}


# --- the whole graph -----------------------------------------------------------------


def graph_jsonld_stream(session: Session, base: str) -> Iterator[str]:
    """`{"@context": …, "@graph": [node, …]}`, one node per chunk, read in batches."""
    yield '{"@context": ' + json_text(jsonld_context(base)) + ',\n"@graph": ['
    first = True
    for node in _graph_nodes(session, base):
        yield ("\n" if first else ",\n") + json_text(node)
        first = False
    yield "\n]}\n"


def _graph_nodes(session: Session, base: str) -> Iterator[dict[str, Any]]:
    yield from vocabulary_nodes()
    for kind in NODE_KINDS:
        if kind == "paper":
            for records in _chunks(paper_records(session, sa.select(col(m.Paper.id)))):
                yield from _paper_nodes(session, base, records)
            continue
        model, _, build = _KINDS[kind]
        for rows in _slug_batches(session, model):
            yield from build(session, base, rows)


def _slug_batches(session: Session, model: type[SQLModel]) -> Iterator[list[Any]]:
    slug: Any = model.slug  # type: ignore[attr-defined]
    last: str | None = None
    while True:
        statement = select(model).order_by(slug).limit(BATCH_SIZE)
        if last is not None:
            statement = statement.where(slug > last)
        rows = list(session.exec(statement))
        if not rows:
            return
        yield rows
        last = getattr(rows[-1], "slug")  # noqa: B009  (every node model has a slug)


def _chunks(records: Iterator[PaperRecord]) -> Iterator[list[PaperRecord]]:
    batch: list[PaperRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) == BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


# --- node builders, one batch at a time (a query per relation, not per node) ---------


def _engine_nodes(session: Session, base: str, engines: Sequence[m.Engine]) -> list[dict[str, Any]]:
    ids = [e.id for e in engines]
    aliases = facts.grouped(
        session,
        sa.select(col(m.EngineAlias.engine_id), col(m.EngineAlias.alias))
        .where(col(m.EngineAlias.engine_id).in_(ids))
        .order_by(col(m.EngineAlias.alias)),
    )
    organizations = dict(
        session.execute(
            sa.select(col(m.Organization.id), col(m.Organization.slug)).where(
                col(m.Organization.id).in_([e.organization_id for e in engines])
            )
        ).all()
    )
    techniques = facts.grouped(
        session,
        sa.select(col(m.FeatureSupport.engine_id), col(m.Technique.slug))
        .join(m.FeatureMember, col(m.FeatureMember.feature_id) == m.FeatureSupport.feature_id)
        .join(m.Technique, col(m.Technique.id) == m.FeatureMember.technique_id)
        .where(
            col(m.FeatureSupport.engine_id).in_(ids),
            col(m.FeatureSupport.status) == SupportStatus.SUPPORTED,
        )
        .distinct()
        .order_by(col(m.FeatureSupport.engine_id), col(m.Technique.slug)),
    )
    platforms = facts.grouped(
        session,
        sa.select(col(m.PlatformSupport.engine_id), col(m.Platform.slug))
        .join(m.Platform, col(m.Platform.id) == m.PlatformSupport.platform_id)
        .where(
            col(m.PlatformSupport.engine_id).in_(ids),
            col(m.PlatformSupport.status) == SupportStatus.SUPPORTED,
        )
        .distinct()
        .order_by(col(m.PlatformSupport.engine_id), col(m.Platform.slug)),
    )
    papers = facts.grouped(
        session,
        sa.select(col(m.EnginePaper.engine_id), col(m.Paper.bibtex_key))
        .join(m.Paper, col(m.Paper.id) == m.EnginePaper.paper_id)
        .where(col(m.EnginePaper.engine_id).in_(ids))
        .order_by(col(m.EnginePaper.engine_id), col(m.EnginePaper.position)),
    )
    support = facts.support_facts(session, base, ids)
    offered = facts.offers(session, base, ids)
    nodes = []
    for engine in engines:
        engine_iri = iri(base, "engine", engine.slug)
        node: dict[str, Any] = {
            "@id": engine_iri,
            "@type": "SoftwareApplication",
            "identifier": engine.slug,
            "name": engine.name,
            "applicationCategory": "LLM inference engine",
        }
        _put(node, "alternateName", aliases.get(engine.id))
        _put(node, "url", engine.web_url and url_iri(engine.web_url))
        if engine.repo_url:
            # `codeRepository` belongs to source code, not to an application: the code is a
            # node of its own whose `targetProduct` is the engine.
            node["@reverse"] = {
                "targetProduct": {
                    "@id": f"{engine_iri}#source-code",
                    "@type": "SoftwareSourceCode",
                    "codeRepository": url_iri(engine.repo_url),
                }
            }
        if engine.organization_id in organizations:
            node["creator"] = iri(base, "organization", organizations[engine.organization_id])
        if engine.open_source is not None:
            node["openSource"] = OpenSource(engine.open_source).value
            if engine.open_source != OpenSource.PARTIAL:
                node["isAccessibleForFree"] = engine.open_source == OpenSource.YES
        if engine.release_year is not None:
            node["datePublished"] = _date(engine.release_year, engine.release_month)
        _put(node, "supportsTechnique", _iris(base, "technique", techniques.get(engine.id)))
        _put(node, "runsOn", _iris(base, "platform", platforms.get(engine.id)))
        _put(node, "subjectOf", _iris(base, "paper", papers.get(engine.id)))
        _put(node, "support", support.get(engine.id or 0))
        _put(node, "offers", offered.get(engine.id or 0))
        nodes.append(node)
    return nodes


def _technique_nodes(
    session: Session, base: str, techniques: Sequence[m.Technique]
) -> list[dict[str, Any]]:
    ids = [t.id for t in techniques]
    categories = dict(
        session.execute(
            sa.select(col(m.TechniqueCategory.id), col(m.TechniqueCategory.slug)).where(
                col(m.TechniqueCategory.id).in_([t.category_id for t in techniques])
            )
        ).all()
    )
    aliases = facts.grouped(
        session,
        sa.select(col(m.TechniqueAlias.technique_id), col(m.TechniqueAlias.alias))
        .where(col(m.TechniqueAlias.technique_id).in_(ids))
        .order_by(col(m.TechniqueAlias.alias)),
    )
    cited = facts.grouped(
        session,
        sa.select(col(m.TechniqueCitation.technique_id), col(m.Paper.bibtex_key))
        .join(m.Paper, col(m.Paper.id) == m.TechniqueCitation.paper_id)
        .where(col(m.TechniqueCitation.technique_id).in_(ids))
        .order_by(
            col(m.TechniqueCitation.technique_id),
            col(m.TechniqueCitation.source_id),
            col(m.TechniqueCitation.position),
        ),
    )
    nodes = []
    for technique in techniques:
        node: dict[str, Any] = {
            "@id": iri(base, "technique", technique.slug),
            "@type": "DefinedTerm",
            "termCode": technique.slug,
            "name": technique.name,
            "description": technique.description,
            "inDefinedTermSet": iri(base, "category", categories[technique.category_id]),
        }
        _put(node, "alternateName", aliases.get(technique.id))
        # The works cited for a technique describe it: `subjectOf` (schema.org's `citation`
        # is a creative work's). A paper cited under two sources is named once.
        _put(
            node,
            "subjectOf",
            _iris(base, "paper", list(dict.fromkeys(cited.get(technique.id, [])))),
        )
        nodes.append(node)
    return nodes


def _category_nodes(
    session: Session, base: str, categories: Sequence[m.TechniqueCategory]
) -> list[dict[str, Any]]:
    parents = dict(
        session.execute(
            sa.select(col(m.TechniqueCategory.id), col(m.TechniqueCategory.slug)).where(
                col(m.TechniqueCategory.id).in_([c.parent_id for c in categories])
            )
        ).all()
    )
    nodes = []
    for category in categories:
        node: dict[str, Any] = {
            "@id": iri(base, "category", category.slug),
            # A set of techniques, and itself a term inside its parent category.
            "@type": ["DefinedTermSet", "DefinedTerm"],
            "termCode": category.slug,
            "name": category.name,
        }
        _put(node, "description", category.description)
        if category.parent_id in parents:
            node["inDefinedTermSet"] = iri(base, "category", parents[category.parent_id])
        nodes.append(node)
    return nodes


def _paper_nodes(
    _session: Session, base: str, records: Sequence[PaperRecord]
) -> list[dict[str, Any]]:
    nodes = []
    for record in records:
        paper = record.paper
        node: dict[str, Any] = {
            "@id": iri(base, "paper", paper.bibtex_key),
            "@type": "ScholarlyArticle",
            "identifier": [
                {"@type": "PropertyValue", "propertyID": "bibtex", "value": paper.bibtex_key}
            ],
        }
        _put(node, "name", paper.title)
        if record.authors:
            node["author"] = [
                {
                    "@id": iri(base, "author", a.key),
                    "@type": "Person",
                    "name": f"{a.given} {a.family}" if a.given else a.family,
                    "familyName": a.family,
                    **({"givenName": a.given} if a.given else {}),
                }
                for a in record.authors
            ]
        if paper.year is not None:
            node["datePublished"] = _date(paper.year, paper.month)
        same_as = []
        if paper.doi:
            node["identifier"].append(
                {"@type": "PropertyValue", "propertyID": "DOI", "value": paper.doi}
            )
            same_as.append(doi_iri(paper.doi))
        if paper.arxiv_id:
            node["identifier"].append(
                {"@type": "PropertyValue", "propertyID": "arXiv", "value": paper.arxiv_id}
            )
            same_as.append(f"https://arxiv.org/abs/{paper.arxiv_id}")
        _put(node, "sameAs", same_as)
        _put(node, "url", paper.url and url_iri(paper.url))
        _put(node, "abstract", paper.abstract)
        if paper.venue:
            entry_type = paper.entry_type.lower()
            if entry_type == "article":
                node["isPartOf"] = {"@type": "Periodical", "name": paper.venue}
            elif entry_type in ("inproceedings", "conference", "incollection"):
                node["isPartOf"] = {"@type": "Book", "name": paper.venue}
            else:
                node["publisher"] = {"@type": "Organization", "name": paper.venue}
        nodes.append(node)
    return nodes


def _organization_nodes(
    _session: Session, base: str, organizations: Sequence[m.Organization]
) -> list[dict[str, Any]]:
    return [
        {
            "@id": iri(base, "organization", o.slug),
            "@type": "Organization",
            "identifier": o.slug,
            "name": o.name,
            **({"organizationKind": o.kind.value} if o.kind is not None else {}),
        }
        for o in organizations
    ]


def _platform_nodes(
    _session: Session, base: str, platforms: Sequence[m.Platform]
) -> list[dict[str, Any]]:
    nodes = []
    for platform in platforms:
        node: dict[str, Any] = {
            "@id": iri(base, "platform", platform.slug),
            "@type": "Product",
            "identifier": platform.slug,
            "name": platform.name,
            "category": platform.kind.value,
        }
        _put(node, "url", platform.url and url_iri(platform.url))
        nodes.append(node)
    return nodes


def _device_nodes(session: Session, base: str, devices: Sequence[m.Device]) -> list[dict[str, Any]]:
    platforms = dict(
        session.execute(
            sa.select(col(m.Platform.id), col(m.Platform.slug)).where(
                col(m.Platform.id).in_([d.platform_id for d in devices])
            )
        ).all()
    )
    nodes = []
    for device in devices:
        node: dict[str, Any] = {
            "@id": iri(base, "device", device.slug),
            "@type": "Product",
            "identifier": device.slug,
            "name": device.name,
            "brand": {"@type": "Brand", "name": device.vendor},
        }
        if device.platform_id in platforms:
            node["isRelatedTo"] = iri(base, "platform", platforms[device.platform_id])
        if device.memory_gb is not None:
            node["additionalProperty"] = {
                "@type": "PropertyValue",
                "name": "memory",
                "value": device.memory_gb,
                "unitText": "GB",
            }
        nodes.append(node)
    return nodes


Builder = Callable[[Session, str, Sequence[Any]], list[dict[str, Any]]]
_KINDS: dict[str, tuple[type[SQLModel], str, Builder]] = {
    "source": (m.Source, "source", facts.source_nodes),
    "category": (m.TechniqueCategory, "technique category", _category_nodes),
    "technique": (m.Technique, "technique", _technique_nodes),
    "feature": (m.OptimizationFeature, "feature", facts.feature_nodes),
    "organization": (m.Organization, "organization", _organization_nodes),
    "engine": (m.Engine, "engine", _engine_nodes),
    "platform": (m.Platform, "platform", _platform_nodes),
    "precision": (m.Precision, "precision", facts.precision_nodes),
    "device": (m.Device, "device", _device_nodes),
    "model": (m.LLMModel, "model", facts.model_nodes),
    "run": (m.BenchmarkRun, "benchmark run", facts.run_nodes),
    "paper": (m.Paper, "paper", _paper_nodes),
}
NODE_KINDS = tuple(_KINDS)


def node_models() -> list[type[SQLModel]]:
    """The tables whose rows become nodes of the whole-graph export."""
    return [model for model, _, _ in _KINDS.values()]


# --- helpers -------------------------------------------------------------------------


def _iris(base: str, kind: str, keys: list[str] | None) -> list[str]:
    return [iri(base, kind, key) for key in keys or []]


def _put(node: dict[str, Any], name: str, value: Any) -> None:
    """Omit empty values: JSON-LD drops nulls anyway, and empty lists say nothing."""
    if value not in (None, "", []):
        node[name] = value


def _date(year: int, month: int | None) -> str:
    return f"{year:04d}" if month is None else f"{year:04d}-{month:02d}"
