"""Write a validated survey seed: one transaction, natural keys, nothing written twice."""

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

from sqlmodel import Session, col

import models as m
from api.services.ingest.identity import stated_together
from api.services.ingest.readers.bibtex import BibEntry
from api.services.ingest.records import identity_key
from seed.survey_files import SurveySeed
from seed.sync import SyncReport, sync_rows

REFERENCES_SOURCE = "survey-references"
TECHNIQUE_TABLES_SOURCE = "survey-technique-tables"
ENGINE_LISTS_SOURCE = "survey-engine-lists"
FACT_SOURCES = {
    "feature": "survey-optimization-matrix",
    "platform": "survey-hardware-matrix",
    "precision": "survey-precision-matrix",
    "model_price": "survey-model-pricing",
    "device_price": "survey-device-pricing",
}


class _Ids:
    """Slug → id maps of what has been written so far."""

    def __init__(self) -> None:
        self.by_kind: dict[str, dict[str, int]] = {}

    def remember(self, kind: str, rows: Mapping[tuple[Hashable, ...], Any]) -> None:
        self.by_kind[kind] = {str(key[0]): row.id for key, row in rows.items()}

    def __call__(self, kind: str, slug: str | None) -> int | None:
        return None if slug is None else self.by_kind[kind][slug]

    def required(self, kind: str, slug: str) -> int:
        return self.by_kind[kind][slug]


def write_survey_seed(session: Session, seed: SurveySeed) -> dict[str, SyncReport]:
    """Make the database hold exactly the seed's facts; returns what changed per table."""
    reports: dict[str, SyncReport] = {}
    ids = _Ids()

    def sync(
        name: str,
        model: type[Any],
        key: tuple[str, ...],
        rows: Iterable[Mapping[str, Any]],
        *,
        scope: Any = None,
        kind: str | None = None,
    ) -> dict[tuple[Hashable, ...], Any]:
        written, report = sync_rows(session, model, key, list(rows), scope=scope)
        reports.setdefault(name, SyncReport())
        reports[name] += report
        if kind is not None:
            ids.remember(kind, written)
        return written

    sync("source", m.Source, ("slug",), (s.model_dump() for s in seed.sources), kind="source")
    seed_sources = [ids.required("source", s.slug) for s in seed.sources]
    sync(
        "organization",
        m.Organization,
        ("slug",),
        (o.model_dump() for o in seed.organizations),
        kind="organization",
    )
    _write_engines(seed, sync, ids)
    _write_techniques(seed, sync, ids)
    _write_hardware(seed, sync, ids)
    _write_papers(session, seed, sync, ids)
    _write_facts(seed, sync, ids, seed_sources)
    _write_layout(seed, sync, ids, seed_sources)
    return reports


def _write_engines(seed: SurveySeed, sync: Any, ids: _Ids) -> None:
    rows = []
    for engine in seed.engines:
        year, month = (
            (int(part) for part in engine.release.split("-"))
            if engine.release
            else (
                None,
                None,
            )
        )
        rows.append(
            {
                "slug": engine.slug,
                "name": engine.name,
                "organization_id": ids("organization", engine.organization),
                "release_year": year,
                "release_month": month,
                "open_source": engine.open_source,
                "is_commercial": engine.commercial,
                "github_stars": engine.github_stars,
                "docs_level": engine.docs,
                "has_sns": engine.sns,
                "has_forum": engine.forum,
                "has_meetup": engine.meetup,
                "repo_url": engine.repo_url,
                "web_url": engine.web_url,
                "deployment_scale": engine.deployment_scale,
                "hardware_diversity": engine.hardware_diversity,
            }
        )
    sync("engine", m.Engine, ("slug",), rows, kind="engine")
    aliases: dict[str, dict[str, Any]] = {}
    for engine in seed.engines:
        for alias in engine.aliases:
            aliases.setdefault(
                alias.casefold(),
                {
                    "normalized": alias.casefold(),
                    "alias": alias,
                    "engine_id": ids.required("engine", engine.slug),
                },
            )
    engine_ids = [ids.required("engine", e.slug) for e in seed.engines]
    sync(
        "engine_alias",
        m.EngineAlias,
        ("normalized",),
        aliases.values(),
        scope=col(m.EngineAlias.engine_id).in_(engine_ids),
    )


def _write_techniques(seed: SurveySeed, sync: Any, ids: _Ids) -> None:
    categories: dict[tuple[Hashable, ...], Any] = {}
    for depth in sorted({c.depth for c in seed.categories}):
        level = [
            {
                "slug": c.row.slug,
                "name": c.row.name,
                "description": c.row.description,
                "position": c.position,
                "parent_id": categories[(c.parent,)].id if c.parent else None,
            }
            for c in seed.categories
            if c.depth == depth
        ]
        categories.update(sync("technique_category", m.TechniqueCategory, ("slug",), level))
    ids.remember("category", categories)
    sync(
        "technique",
        m.Technique,
        ("slug",),
        (
            {
                "slug": t.row.slug,
                "name": t.row.name,
                "description": t.row.description,
                "category_id": ids.required("category", t.category),
                "position": t.position,
                "in_survey_table": t.row.in_survey_table,
            }
            for t in seed.techniques
        ),
        kind="technique",
    )
    technique_ids = [ids.required("technique", t.row.slug) for t in seed.techniques]
    sync(
        "technique_alias",
        m.TechniqueAlias,
        ("technique_id", "alias"),
        (
            {"technique_id": ids.required("technique", t.row.slug), "alias": alias}
            for t in seed.techniques
            for alias in t.row.aliases
        ),
        scope=col(m.TechniqueAlias.technique_id).in_(technique_ids),
    )
    sync(
        "optimization_feature",
        m.OptimizationFeature,
        ("slug",),
        (f.model_dump(exclude={"members"}) for f in seed.features),
        kind="feature",
    )
    feature_ids = [ids.required("feature", f.slug) for f in seed.features]
    sync(
        "feature_member",
        m.FeatureMember,
        ("feature_id", "technique_id"),
        (
            {
                "feature_id": ids.required("feature", f.slug),
                "technique_id": ids.required("technique", member),
            }
            for f in seed.features
            for member in f.members
        ),
        scope=col(m.FeatureMember.feature_id).in_(feature_ids),
    )


def _write_hardware(seed: SurveySeed, sync: Any, ids: _Ids) -> None:
    sync(
        "platform",
        m.Platform,
        ("slug",),
        (p.model_dump(exclude={"examples"}) for p in seed.platforms),
        kind="platform",
    )
    platform_ids = [ids.required("platform", p.slug) for p in seed.platforms]
    sync(
        "platform_example",
        m.PlatformExample,
        ("platform_id", "position"),
        (
            {
                "platform_id": ids.required("platform", slug),
                "position": position,
                "name": example.name,
                "url": example.url,
            }
            for slug, examples in seed.platform_examples.items()
            for position, example in enumerate(examples)
        ),
        scope=col(m.PlatformExample.platform_id).in_(platform_ids),
    )
    sync(
        "device",
        m.Device,
        ("slug",),
        (
            {**d.model_dump(exclude={"platform"}), "platform_id": ids("platform", d.platform)}
            for d in seed.devices
        ),
        kind="device",
    )
    sync(
        "precision",
        m.Precision,
        ("slug",),
        (p.model_dump() for p in seed.precisions),
        kind="precision",
    )
    sync("llm_model", m.LLMModel, ("slug",), (x.model_dump() for x in seed.models), kind="model")


def _write_papers(session: Session, seed: SurveySeed, sync: Any, ids: _Ids) -> None:
    source_id = ids.required("source", REFERENCES_SOURCE)
    sync(
        "paper",
        m.Paper,
        ("bibtex_key",),
        (_paper_row(entry, source_id) for entry in seed.papers),
        kind="paper",
    )
    people: dict[str, dict[str, Any]] = {}
    for entry in seed.papers:
        for person in entry.authors:
            people.setdefault(
                person.key,
                {
                    "name_key": person.key,
                    "name": person.display,
                    "family": person.family,
                    "given": person.given,
                },
            )
    # Authors are shared with later ingests, so the seed adds and corrects but never prunes.
    authors = sync("author", m.Author, ("name_key",), people.values())
    paper_ids = [ids.required("paper", entry.key) for entry in seed.papers]
    sync(
        "paper_author",
        m.PaperAuthor,
        ("paper_id", "position"),
        (
            {
                "paper_id": ids.required("paper", entry.key),
                "position": position,
                "author_id": authors[(person.key,)].id,
                "raw_name": person.raw,
            }
            for entry in seed.papers
            for position, person in enumerate(entry.authors)
        ),
        scope=col(m.PaperAuthor.paper_id).in_(paper_ids),
    )


def _paper_row(entry: BibEntry, source_id: int) -> dict[str, Any]:
    columns = {
        "title": entry.title,
        "venue": entry.venue,
        "doi": entry.doi,
        "arxiv_id": entry.arxiv_id,
        "url": entry.url,
    }
    # The same identity rules as an ingest: the title key matching looks papers up by, and
    # for an entry naming a preprint and its published version, which rule joined them.
    joined = {"joined_by": None, "preprint_url": None} | stated_together(columns)
    return joined | {
        "identity_key": identity_key(entry.title),
        "bibtex_key": entry.key,
        "entry_type": entry.entry_type,
        "title": entry.title,
        "year": entry.year,
        "month": entry.month,
        "venue": entry.venue,
        "doi": entry.doi,
        "arxiv_id": entry.arxiv_id,
        "url": entry.url,
        "abstract": entry.abstract,
        "source_id": source_id,
        "bibtex_fields": dict(entry.fields),
    }


def _write_facts(seed: SurveySeed, sync: Any, ids: _Ids, seed_sources: list[int]) -> None:

    def in_seed(model: Any) -> Any:
        return col(model.source_id).in_(seed_sources)

    technique_source = ids.required("source", TECHNIQUE_TABLES_SOURCE)
    sync(
        "technique_citation",
        m.TechniqueCitation,
        ("technique_id", "source_id", "position"),
        (
            {
                "technique_id": ids.required("technique", c.technique),
                "source_id": technique_source,
                "position": c.position,
                "paper_id": ids.required("paper", c.bibtex_key),
                "label": c.label,
                "url": c.url,
            }
            for c in seed.citations
        ),
        scope=in_seed(m.TechniqueCitation),
    )
    lists_source = ids.required("source", ENGINE_LISTS_SOURCE)
    sync(
        "engine_paper",
        m.EnginePaper,
        ("engine_id", "paper_id"),
        (
            {
                "engine_id": ids.required("engine", p.engine),
                "paper_id": ids.required("paper", p.bibtex_key),
                "position": p.position,
                "label": p.label,
                "url": p.url,
                "source_id": lists_source,
            }
            for p in seed.engine_papers
        ),
        scope=in_seed(m.EnginePaper),
    )
    source = {kind: ids.required("source", slug) for kind, slug in FACT_SOURCES.items()}
    sync(
        "feature_support",
        m.FeatureSupport,
        ("engine_id", "feature_id", "source_id"),
        (
            {
                "engine_id": ids.required("engine", s.engine),
                "feature_id": ids.required("feature", s.feature),
                "source_id": source["feature"],
                "status": s.status,
                "note": None,
            }
            for s in seed.feature_support
        ),
        scope=in_seed(m.FeatureSupport),
    )
    sync(
        "platform_support",
        m.PlatformSupport,
        ("engine_id", "platform_id", "source_id"),
        (
            {
                "engine_id": ids.required("engine", s.engine),
                "platform_id": ids.required("platform", s.platform),
                "source_id": source["platform"],
                "status": s.status,
                "note": s.note,
            }
            for s in seed.platform_support
        ),
        scope=in_seed(m.PlatformSupport),
    )
    sync(
        "precision_support",
        m.PrecisionSupport,
        ("engine_id", "precision_id", "source_id"),
        (
            {
                "engine_id": ids.required("engine", s.engine),
                "precision_id": ids.required("precision", s.precision),
                "source_id": source["precision"],
                "status": s.status,
                "note": None,
            }
            for s in seed.precision_support
        ),
        scope=in_seed(m.PrecisionSupport),
    )
    sync(
        "model_price",
        m.ModelPrice,
        ("provider_id", "model_id", "source_id"),
        (
            {
                "provider_id": ids.required("engine", p.provider),
                "model_id": ids.required("model", p.model),
                "source_id": source["model_price"],
                "input_usd_per_mtok": p.input_usd_per_mtok,
                "output_usd_per_mtok": p.output_usd_per_mtok,
                "served_model_id": ids("model", p.served_model),
                "model_variant": p.model_variant,
                "pricing_mode": p.pricing_mode,
            }
            for p in seed.model_prices
        ),
        scope=in_seed(m.ModelPrice),
    )
    sync(
        "device_price",
        m.DevicePrice,
        ("provider_id", "device_id", "source_id"),
        (
            {
                "provider_id": ids.required("engine", p.provider),
                "device_id": ids.required("device", p.device),
                "source_id": source["device_price"],
                "usd_per_hour": p.usd_per_hour,
            }
            for p in seed.device_prices
        ),
        scope=in_seed(m.DevicePrice),
    )
    sync(
        "benchmark_run",
        m.BenchmarkRun,
        ("slug",),
        (
            {
                **run.model_dump(exclude={"source", "engine", "model", "device"}),
                "source_id": ids.required("source", run.source),
                "engine_id": ids("engine", run.engine),
                "model_id": ids("model", run.model),
                "device_id": ids("device", run.device),
            }
            for run in seed.benchmark_runs
        ),
        scope=in_seed(m.BenchmarkRun),
    )


def _write_layout(seed: SurveySeed, sync: Any, ids: _Ids, seed_sources: list[int]) -> None:
    entity_columns = {
        "engine": "engine_id",
        "platform": "platform_id",
        "precision": "precision_id",
        "feature": "feature_id",
        "device": "device_id",
        "model": "model_id",
    }
    rows = []
    for entry in seed.layout:
        row: dict[str, Any] = {
            "source_id": ids.required("source", entry.source),
            "axis": entry.axis,
            "cell": entry.cell or "",
            "position": entry.position,
            "label": entry.label,
            **dict.fromkeys(entity_columns.values()),
            "technique_id": None,
        }
        if entry.entity_type and entry.entity:
            row[entity_columns[entry.entity_type]] = ids.required(entry.entity_type, entry.entity)
        rows.append(row)
    sync(
        "layout_entry",
        m.LayoutEntry,
        ("source_id", "axis", "cell", "position"),
        rows,
        scope=col(m.LayoutEntry.source_id).in_(seed_sources),
    )
