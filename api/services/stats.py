"""Entity counts, for `infergraph stats` and the health endpoint."""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, func, select

import models as m
from api.db import current_revision
from api.services.count_cache import count_rows

COUNTED: dict[str, type[SQLModel]] = {
    "sources": m.Source,
    "organizations": m.Organization,
    "engines": m.Engine,
    "engine aliases": m.EngineAlias,
    "technique categories": m.TechniqueCategory,
    "techniques": m.Technique,
    "optimization features": m.OptimizationFeature,
    "papers": m.Paper,
    "authors": m.Author,
    "paper authorships": m.PaperAuthor,
    "technique citations": m.TechniqueCitation,
    "engine papers": m.EnginePaper,
    "platforms": m.Platform,
    "platform examples": m.PlatformExample,
    "devices": m.Device,
    "precisions": m.Precision,
    "feature support facts": m.FeatureSupport,
    "platform support facts": m.PlatformSupport,
    "precision support facts": m.PrecisionSupport,
    "LLM models": m.LLMModel,
    "model prices": m.ModelPrice,
    "device prices": m.DevicePrice,
    "benchmark runs": m.BenchmarkRun,
    "layout entries": m.LayoutEntry,
}


def entity_counts(session: Session) -> dict[str, int]:
    """One query for all counts."""
    columns = [
        select(func.count()).select_from(model).scalar_subquery().label(f"c{index}")
        for index, model in enumerate(COUNTED.values())
    ]
    row = session.exec(select(*columns)).one()
    return dict(zip(COUNTED, (int(value) for value in row), strict=True))


def graph_counts(session: Session, names: Sequence[str]) -> dict[str, int]:
    """Counts of some entities (keys of `COUNTED`), each counted once per data version (the
    lists' count cache): a page showing them costs no full count on every request."""
    return {name: count_rows(session, sa.select(COUNTED[name])) for name in names}


def is_seeded(session: Session) -> bool:
    return session.exec(select(m.Source.id).where(m.Source.slug == "survey")).first() is not None


def schema_revision(connection: sa.Connection) -> str | None:
    return current_revision(connection)


def data_version(session: Session) -> str:
    """The version of the data every cached answer is keyed by (`epoch.version`): it changes
    with each committed write of content, so a reader can tell two snapshots apart."""
    row = session.execute(sa.text("SELECT epoch, version FROM data_version WHERE id = 1")).first()
    return "unversioned" if row is None else f"{row[0]}.{row[1]}"
