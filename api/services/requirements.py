""" "Which engines meet my requirements?": engines ranked by requirements met.

A requirement is a technique (or matrix column), a platform or a precision. For each engine
every requirement is met (a `supported` fact), missing (`not_supported`), or unknown (the
source said "-", or no source says anything).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.errors import InvalidInputError, Problem
from api.services.engines import EngineFilter, engine_conditions, technique_feature_ids
from api.services.lookup import ids_by_slug
from api.services.vocabulary import Slugs, key
from models.base import SupportStatus

MAX_REQUIREMENTS = 100


@dataclass(frozen=True)
class Requirements:
    techniques: tuple[str, ...] = key(
        Slugs(m.Technique, "technique", many=True),
        rest="technique",
        graphql="techniques",
        description="Technique or matrix-column slugs the engine must support",
    )
    platforms: tuple[str, ...] = key(
        Slugs(m.Platform, "platform", many=True),
        rest="platform",
        graphql="platforms",
        description="Platform slugs the engine must run on",
    )
    precisions: tuple[str, ...] = key(
        Slugs(m.Precision, "precision", many=True),
        rest="precision",
        graphql="precisions",
        description="Precision slugs the engine must support",
    )

    @property
    def count(self) -> int:
        return len(self.techniques) + len(self.platforms) + len(self.precisions)


@dataclass(frozen=True)
class Requirement:
    kind: str
    """`technique`, `platform` or `precision`."""
    slug: str


@dataclass
class EngineMatch:
    engine: m.Engine
    met: list[Requirement] = field(default_factory=list)
    missing: list[Requirement] = field(default_factory=list)
    unknown: list[Requirement] = field(default_factory=list)

    @property
    def score(self) -> float:
        """Share of requirements met, 0 to 1."""
        total = len(self.met) + len(self.missing) + len(self.unknown)
        # No requirement at all is met by every engine (REST's reading, `match_leniently`).
        return len(self.met) / total if total else 1.0


def match_leniently(
    session: Session, requirements: Requirements, engine_filter: EngineFilter | None = None
) -> list[EngineMatch]:
    """`match_engines` as REST reads a request, so that every request its document admits is
    answered: no requirement is met by every engine (score 1, by name), and a requirement
    naming nothing stored is unknown for every engine (no source can say anything about it)."""
    named = {
        "technique": _known(session, [m.Technique, m.OptimizationFeature], requirements.techniques),
        "platform": _known(session, [m.Platform], requirements.platforms),
        "precision": _known(session, [m.Precision], requirements.precisions),
    }
    given = {
        "technique": requirements.techniques,
        "platform": requirements.platforms,
        "precision": requirements.precisions,
    }
    unknown = [
        Requirement(kind, slug)
        for kind, slugs in given.items()
        for slug in slugs
        if slug not in named[kind]
    ]
    known = Requirements(*(tuple(s for s in given[kind] if s in named[kind]) for kind in given))
    if known.count == 0:
        engines = session.exec(
            select(m.Engine).where(*engine_conditions(session, engine_filter or EngineFilter()))
        )
        matches = sorted((EngineMatch(e) for e in engines), key=lambda x: x.engine.name.casefold())
    else:
        matches = match_engines(session, known, engine_filter)
    for match in matches:
        match.unknown += unknown
    return matches


def _known(session: Session, models: list[type[Any]], slugs: tuple[str, ...]) -> set[str]:
    found: set[str] = set()
    for model in models:
        found |= set(session.scalars(sa.select(model.slug).where(model.slug.in_(slugs))))
    return found


def match_engines(
    session: Session, requirements: Requirements, engine_filter: EngineFilter | None = None
) -> list[EngineMatch]:
    """Every engine (optionally filtered), best first: most met, then fewest missing."""
    if requirements.count == 0:
        raise InvalidInputError(
            "no requirements given",
            [Problem("name at least one technique, platform or precision", field="requirements")],
        )
    if requirements.count > MAX_REQUIREMENTS:
        raise InvalidInputError(
            "too many requirements",
            [
                Problem(
                    f"at most {MAX_REQUIREMENTS}", field="requirements", value=requirements.count
                )
            ],
        )
    techniques = technique_feature_ids(session, requirements.techniques, "requirements.techniques")
    platforms = ids_by_slug(
        session, m.Platform, requirements.platforms, "platform", "requirements.platforms"
    )
    precisions = ids_by_slug(
        session, m.Precision, requirements.precisions, "precision", "requirements.precisions"
    )
    engines = list(
        session.exec(
            select(m.Engine).where(*engine_conditions(session, engine_filter or EngineFilter()))
        )
    )
    statuses = _statuses(
        session, [e.id for e in engines if e.id is not None], techniques, platforms, precisions
    )
    matches = []
    for engine in engines:
        match = EngineMatch(engine)
        for kind, targets in (
            ("technique", techniques),
            ("platform", {s: [i] for s, i in platforms.items()}),
            ("precision", {s: [i] for s, i in precisions.items()}),
        ):
            for slug, target_ids in targets.items():
                found = {statuses.get((kind, engine.id or 0, t)) for t in target_ids}
                requirement = Requirement(kind, slug)
                if SupportStatus.SUPPORTED in found:
                    match.met.append(requirement)
                elif SupportStatus.NOT_SUPPORTED in found:
                    match.missing.append(requirement)
                else:
                    match.unknown.append(requirement)
        matches.append(match)
    matches.sort(key=lambda x: (-len(x.met), len(x.missing), x.engine.name.casefold()))
    return matches


def _statuses(
    session: Session,
    engine_ids: list[int],
    techniques: dict[str, list[int]],
    platforms: dict[str, int],
    precisions: dict[str, int],
) -> dict[tuple[str, int, int], SupportStatus]:
    """(kind, engine, target) → the best status any source gives (supported wins)."""
    rank = {SupportStatus.SUPPORTED: 2, SupportStatus.NOT_SUPPORTED: 1, SupportStatus.UNKNOWN: 0}
    best: dict[tuple[str, int, int], SupportStatus] = {}
    queries: list[
        tuple[
            str,
            type[m.FeatureSupport] | type[m.PlatformSupport] | type[m.PrecisionSupport],
            str,
            list[int],
        ]
    ] = [
        (
            "technique",
            m.FeatureSupport,
            "feature_id",
            sorted({i for ids in techniques.values() for i in ids}),
        ),
        ("platform", m.PlatformSupport, "platform_id", sorted(platforms.values())),
        ("precision", m.PrecisionSupport, "precision_id", sorted(precisions.values())),
    ]
    for kind, model, column, target_ids in queries:
        if not target_ids or not engine_ids:
            continue
        target = getattr(model, column)
        for engine_id, target_id, status in session.execute(
            sa.select(col(model.engine_id), target, col(model.status)).where(
                col(model.engine_id).in_(engine_ids), target.in_(target_ids)
            )
        ):
            key = (kind, engine_id, target_id)
            if key not in best or rank[status] > rank[best[key]]:
                best[key] = status
    return best


def requirement_summary(matches: list[EngineMatch]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for match in matches:
        counts["full" if not match.missing and not match.unknown else "partial"] += 1
    return dict(counts)
