"""Rows → response bodies, loading what they refer to in one query per relation."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.rest import schemas as s


def _by_id(session: Session, model: type[Any], ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {r.id: r for r in session.exec(select(model).where(col(model.id).in_(ids)))}


def _slugs(session: Session, model: type[Any], ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(sa.select(model.id, model.slug).where(model.id.in_(wanted)))
    return {row[0]: row[1] for row in rows}


def engines(session: Session, rows: Sequence[m.Engine]) -> list[s.EngineOut]:
    ids = [e.id for e in rows]
    aliases: dict[int, list[str]] = defaultdict(list)
    for alias in session.exec(
        select(m.EngineAlias)
        .where(col(m.EngineAlias.engine_id).in_(ids))
        .order_by(col(m.EngineAlias.alias))
    ):
        aliases[alias.engine_id].append(alias.alias)
    organizations = _by_id(
        session, m.Organization, {e.organization_id for e in rows if e.organization_id}
    )
    return [
        s.EngineOut(
            slug=e.slug,
            name=e.name,
            aliases=aliases[e.id or 0],
            organization=s.OrganizationOut.model_validate(organizations[e.organization_id])
            if e.organization_id
            else None,
            release=f"{e.release_year:04d}-{e.release_month:02d}"
            if e.release_year and e.release_month
            else None,
            open_source=e.open_source,
            is_commercial=e.is_commercial,
            github_stars=e.github_stars,
            docs_level=e.docs_level,
            has_sns=e.has_sns,
            has_forum=e.has_forum,
            has_meetup=e.has_meetup,
            repo_url=e.repo_url,
            web_url=e.web_url,
            deployment_scale=e.deployment_scale,
            hardware_diversity=e.hardware_diversity,
        )
        for e in rows
    ]


def papers(session: Session, rows: Sequence[m.Paper]) -> list[s.PaperOut]:
    ids = [p.id for p in rows]
    names: dict[int, list[str]] = defaultdict(list)
    for paper_id, name in session.execute(
        sa.select(col(m.PaperAuthor.paper_id), col(m.Author.name))
        .join(m.Author, col(m.Author.id) == m.PaperAuthor.author_id)
        .where(col(m.PaperAuthor.paper_id).in_(ids))
        .order_by(col(m.PaperAuthor.paper_id), col(m.PaperAuthor.position))
    ):
        names[paper_id].append(name)
    return [
        s.PaperOut(
            key=p.bibtex_key,
            entry_type=p.entry_type,
            title=p.title,
            authors=names[p.id or 0],
            year=p.year,
            month=p.month,
            venue=p.venue,
            doi=p.doi,
            arxiv_id=p.arxiv_id,
            url=p.url,
            abstract=p.abstract,
        )
        for p in rows
    ]


def techniques(session: Session, rows: Sequence[m.Technique]) -> list[s.TechniqueOut]:
    ids = [t.id for t in rows]
    aliases: dict[int, list[str]] = defaultdict(list)
    for alias in session.exec(
        select(m.TechniqueAlias)
        .where(col(m.TechniqueAlias.technique_id).in_(ids))
        .order_by(col(m.TechniqueAlias.alias))
    ):
        aliases[alias.technique_id].append(alias.alias)
    categories = _slugs(session, m.TechniqueCategory, {t.category_id for t in rows})
    return [
        s.TechniqueOut(
            slug=t.slug,
            name=t.name,
            category=categories[t.category_id],
            description=t.description,
            aliases=aliases[t.id or 0],
            in_survey_table=t.in_survey_table,
        )
        for t in rows
    ]


def categories(session: Session, rows: Sequence[m.TechniqueCategory]) -> list[s.CategoryOut]:
    everything = list(
        session.exec(select(m.TechniqueCategory).order_by(col(m.TechniqueCategory.position)))
    )
    slug_of = {c.id: c.slug for c in everything}
    children: dict[int | None, list[str]] = defaultdict(list)
    for c in everything:
        children[c.parent_id].append(c.slug)
    return [
        s.CategoryOut(
            slug=c.slug,
            name=c.name,
            description=c.description,
            parent=slug_of.get(c.parent_id) if c.parent_id else None,
            children=children[c.id],
        )
        for c in rows
    ]


def citations(session: Session, rows: Sequence[m.TechniqueCitation]) -> list[s.CitationOut]:
    paper_rows = _by_id(session, m.Paper, {c.paper_id for c in rows})
    paper_out = {p.key: p for p in papers(session, list(paper_rows.values()))}
    techniques_ = _slugs(session, m.Technique, {c.technique_id for c in rows})
    return [
        s.CitationOut(
            technique=techniques_[c.technique_id],
            position=c.position,
            label=c.label,
            url=c.url,
            paper=paper_out[paper_rows[c.paper_id].bibtex_key],
        )
        for c in rows
    ]


def engine_papers(session: Session, rows: Sequence[m.EnginePaper]) -> list[s.EnginePaperOut]:
    paper_rows = _by_id(session, m.Paper, {c.paper_id for c in rows})
    paper_out = {p.key: p for p in papers(session, list(paper_rows.values()))}
    engines_ = _slugs(session, m.Engine, {c.engine_id for c in rows})
    return [
        s.EnginePaperOut(
            engine=engines_[c.engine_id],
            label=c.label,
            url=c.url,
            paper=paper_out[paper_rows[c.paper_id].bibtex_key],
        )
        for c in rows
    ]


def support(session: Session, rows: Sequence[Any], kind: str) -> list[s.SupportOut]:
    target_model, column = {
        "feature": (m.OptimizationFeature, "feature_id"),
        "platform": (m.Platform, "platform_id"),
        "precision": (m.Precision, "precision_id"),
    }[kind]
    targets = _by_id(session, target_model, {getattr(r, column) for r in rows})
    engines_ = _slugs(session, m.Engine, {r.engine_id for r in rows})
    sources = _slugs(session, m.Source, {r.source_id for r in rows})
    return [
        s.SupportOut(
            engine=engines_[r.engine_id],
            target_kind=kind,
            target=targets[getattr(r, column)].slug,
            target_name=targets[getattr(r, column)].name,
            status=r.status,
            note=r.note,
            source=sources[r.source_id],
        )
        for r in rows
    ]


def platforms(session: Session, rows: Sequence[m.Platform]) -> list[s.PlatformOut]:
    examples: dict[int, list[s.PlatformExampleOut]] = defaultdict(list)
    for e in session.exec(
        select(m.PlatformExample)
        .where(col(m.PlatformExample.platform_id).in_([p.id for p in rows]))
        .order_by(col(m.PlatformExample.position))
    ):
        examples[e.platform_id].append(s.PlatformExampleOut(name=e.name, url=e.url))
    return [
        s.PlatformOut(
            slug=p.slug, name=p.name, kind=p.kind, url=p.url, examples=examples[p.id or 0]
        )
        for p in rows
    ]


def devices(session: Session, rows: Sequence[m.Device]) -> list[s.DeviceOut]:
    platforms_ = _slugs(session, m.Platform, {d.platform_id for d in rows})
    return [
        s.DeviceOut(
            slug=d.slug,
            name=d.name,
            vendor=d.vendor,
            memory_gb=d.memory_gb,
            platform=platforms_.get(d.platform_id) if d.platform_id else None,
        )
        for d in rows
    ]


def features(session: Session, rows: Sequence[m.OptimizationFeature]) -> list[s.FeatureOut]:
    members: dict[int, list[str]] = defaultdict(list)
    for feature_id, slug in session.execute(
        sa.select(col(m.FeatureMember.feature_id), col(m.Technique.slug))
        .join(m.Technique, col(m.Technique.id) == m.FeatureMember.technique_id)
        .where(col(m.FeatureMember.feature_id).in_([f.id for f in rows]))
        .order_by(col(m.Technique.category_id), col(m.Technique.position))
    ):
        members[feature_id].append(slug)
    return [
        s.FeatureOut(
            slug=f.slug,
            name=f.name,
            kind=f.kind,
            description=f.description,
            techniques=members[f.id or 0],
        )
        for f in rows
    ]


def model_prices(session: Session, rows: Sequence[m.ModelPrice]) -> list[s.ModelPriceOut]:
    engines_ = _slugs(session, m.Engine, {r.provider_id for r in rows})
    model_ids: set[int | None] = {r.served_model_id for r in rows}
    model_ids.update(r.model_id for r in rows)
    models_ = _slugs(session, m.LLMModel, model_ids)
    sources = _slugs(session, m.Source, {r.source_id for r in rows})
    return [
        s.ModelPriceOut(
            provider=engines_[r.provider_id],
            model=models_[r.model_id],
            input_usd_per_million_tokens=float(r.input_usd_per_mtok),
            output_usd_per_million_tokens=float(r.output_usd_per_mtok),
            served_model=models_.get(r.served_model_id) if r.served_model_id else None,
            model_variant=r.model_variant,
            pricing_mode=r.pricing_mode,
            source=sources[r.source_id],
        )
        for r in rows
    ]


def device_prices(session: Session, rows: Sequence[m.DevicePrice]) -> list[s.DevicePriceOut]:
    engines_ = _slugs(session, m.Engine, {r.provider_id for r in rows})
    devices_ = _slugs(session, m.Device, {r.device_id for r in rows})
    sources = _slugs(session, m.Source, {r.source_id for r in rows})
    return [
        s.DevicePriceOut(
            provider=engines_[r.provider_id],
            device=devices_[r.device_id],
            usd_per_hour=float(r.usd_per_hour),
            source=sources[r.source_id],
        )
        for r in rows
    ]


def benchmark_runs(session: Session, rows: Sequence[m.BenchmarkRun]) -> list[s.BenchmarkRunOut]:
    engines_ = _slugs(session, m.Engine, {r.engine_id for r in rows})
    models_ = _slugs(session, m.LLMModel, {r.model_id for r in rows})
    devices_ = _slugs(session, m.Device, {r.device_id for r in rows})
    sources = _slugs(session, m.Source, {r.source_id for r in rows})
    return [
        s.BenchmarkRunOut(
            slug=r.slug,
            engine=engines_.get(r.engine_id) if r.engine_id else None,
            model=models_.get(r.model_id) if r.model_id else None,
            model_scope=r.model_scope,
            device=devices_.get(r.device_id) if r.device_id else None,
            device_count=r.device_count,
            metric=r.metric,
            value=r.value,
            value_max=r.value_max,
            qualifier=r.qualifier,
            unit=r.unit,
            concurrency=r.concurrency,
            workload=r.workload,
            source=sources[r.source_id],
        )
        for r in rows
    ]


def plain(model: type[s.Out], rows: Sequence[Any]) -> list[Any]:
    return [model.model_validate(r) for r in rows]
