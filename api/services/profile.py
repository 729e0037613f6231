"""InferGraph's own six-dimension profile of an engine, derived from the graph's facts.

The survey rates engines on six dimensions and defines each in a sentence, but publishes no
formula. This module is InferGraph's formula (docs/profile.md): every dimension is a weighted
mean of facts the graph holds, scaled to 0..5. A fact the graph does not know (a tri-state
`unknown`, an absent support row, an empty field) is not read as "no": it may be anything from 0
to 1, so the score becomes a range. Inputs the dimension would need but the graph does not record
at all are named, never guessed.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.services.engines import get_engine
from api.services.lookup import by_slug, find_by_slug
from models.base import DeploymentScale, DocsLevel, HardwareDiversity, SupportStatus

LABEL = "derived by InferGraph, not the survey's"
SCALE_MAX = 5.0


class Dimension(StrEnum):
    GENERAL_PURPOSE = "general_purpose"
    EASE_OF_USE = "ease_of_use"
    EASE_OF_DEPLOYMENT = "ease_of_deployment"
    LATENCY_AWARENESS = "latency_awareness"
    THROUGHPUT_AWARENESS = "throughput_awareness"
    SCALABILITY = "scalability"


@dataclass(frozen=True)
class ProfileFact:
    """One fact that counts towards a score, and what it adds."""

    kind: str
    """`engine` (a field of the engine), `feature`, `platform` or `precision`."""
    target: str
    """The field name or the slug of the matrix column, platform or precision."""
    name: str
    value: str
    """The fact as stored: a support status, an enum value, `true` / `false`, or `unknown`."""
    weight: float
    credit_min: float
    """Its value on 0..1 when the fact is known; 0 when unknown."""
    credit_max: float
    """Its value on 0..1 when known; 1 when unknown."""


@dataclass(frozen=True)
class ProfileScore:
    dimension: Dimension
    name: str
    definition: str
    score_min: float
    score_max: float
    facts: tuple[ProfileFact, ...]
    missing_inputs: tuple[str, ...]
    """What this dimension should also weigh but the graph does not record."""

    @property
    def known(self) -> bool:
        """Whether every fact counted is known (the range is one point)."""
        return self.score_min == self.score_max


@dataclass(frozen=True)
class EngineProfile:
    engine_slug: str
    engine_name: str
    scores: tuple[ProfileScore, ...]
    label: str = LABEL
    scale_max: float = SCALE_MAX


# The value on 0..1 of each enum value; None (absent) is unknown.
_DOCS = {
    DocsLevel.DETAILED: 1.0,
    DocsLevel.MODERATE: 2 / 3,
    DocsLevel.SIMPLE: 1 / 3,
    DocsLevel.MISSING: 0.0,
}
_SCALE = {DeploymentScale.MULTI_NODE: 1.0, DeploymentScale.SINGLE_NODE: 0.0}
_DIVERSITY = {HardwareDiversity.HETEROGENEOUS: 1.0, HardwareDiversity.HOMOGENEOUS: 0.0}
_STATUS = {SupportStatus.SUPPORTED: 1.0, SupportStatus.NOT_SUPPORTED: 0.0}


@dataclass(frozen=True)
class _Field:
    """An engine field that counts with `weight`; `credit` maps its value to 0..1."""

    field: str
    name: str
    weight: float
    credit: Callable[[Any], float]


def _bool(value: Any) -> float:
    return 1.0 if value else 0.0


@dataclass(frozen=True)
class _AnyOf:
    """Matrix columns that do the same job in different ways (continuous, dynamic or nano
    batching): the engine earns the credit if it supports any one of them, so an engine is
    not marked down for lacking another engine's variant of a technique it has."""

    slugs: tuple[str, ...]
    weight: float = 1.0
    name: str | None = None
    """Shown for a group; a single column shows its own name."""


def _one(slug: str) -> _AnyOf:
    return _AnyOf((slug,))


@dataclass(frozen=True)
class _Rule:
    dimension: Dimension
    name: str
    definition: str
    fields: tuple[_Field, ...] = ()
    features: tuple["_AnyOf", ...] = ()
    """Matrix columns, or alternatives among them."""
    platforms_weight: float = 0.0
    """Shared evenly by every platform the graph knows (breadth of support)."""
    precisions_weight: float = 0.0
    platforms: tuple[str, ...] = ()
    """Named platforms, weight 1 each."""
    missing: tuple[str, ...] = ()


RULES: tuple[_Rule, ...] = (
    _Rule(
        Dimension.GENERAL_PURPOSE,
        "General-purpose",
        "How widely the engine applies: the hardware and numeric formats it runs on.",
        fields=(
            _Field(
                "hardware_diversity",
                "Heterogeneous hardware",
                1.0,
                lambda v: _DIVERSITY[v],
            ),
        ),
        platforms_weight=3.0,
        precisions_weight=2.0,
        missing=(
            "model families the engine runs (the graph records model families of priced and "
            "benchmarked models, not which families each engine supports)",
            "task types served (chat, embeddings, multimodal)",
        ),
    ),
    _Rule(
        Dimension.EASE_OF_USE,
        "Ease of use",
        "How easily a user learns and gets help: documentation and community channels.",
        fields=(
            _Field("docs_level", "Documentation", 2.0, lambda v: _DOCS[v]),
            _Field("has_sns", "Discord / Slack", 1.0, _bool),
            _Field("has_forum", "Forum", 1.0, _bool),
            _Field("has_meetup", "Meetups", 1.0, _bool),
        ),
        missing=(
            "install methods (pip, container image, binary)",
            "API compatibility (e.g. an OpenAI-compatible endpoint)",
        ),
    ),
    _Rule(
        Dimension.EASE_OF_DEPLOYMENT,
        "Ease of deployment",
        "How little it takes to put the engine into service: a hosted offering, the common "
        "operating systems, documentation.",
        fields=(
            _Field("is_commercial", "Hosted commercial service", 2.0, _bool),
            _Field("docs_level", "Documentation", 1.0, lambda v: _DOCS[v]),
        ),
        platforms=("linux", "windows", "macos"),
        missing=(
            "install methods (pip, container image, binary)",
            "hardware requirements of a minimal deployment",
        ),
    ),
    _Rule(
        Dimension.LATENCY_AWARENESS,
        "Latency-awareness",
        "Techniques that shorten the time to the first and to each next token.",
        features=(
            _one("speculative-decoding"),
            _AnyOf(
                ("flash-attention", "flex-attention", "fire-attention"),
                name="Fast attention kernels",
            ),
            _one("kv-caching"),
            _AnyOf(("prefix-caching", "prompt-caching"), name="Prefix or prompt caching"),
            _one("chunked-prefills"),
            _one("quantization"),
        ),
        missing=("latency measured on one shared workload for every engine",),
    ),
    _Rule(
        Dimension.THROUGHPUT_AWARENESS,
        "Throughput-awareness",
        "Techniques that serve more tokens per second from the same hardware.",
        features=(
            _AnyOf(
                ("continuous-batching", "dynamic-batching", "nano-batching"),
                weight=2.0,
                name="Batching of concurrent requests",
            ),
            _AnyOf(
                ("paged-attention", "vattention", "radix-attention"),
                weight=2.0,
                name="KV-cache memory management",
            ),
            _one("chunked-prefills"),
            _one("prefix-caching"),
        ),
        missing=("throughput measured on one shared workload for every engine",),
    ),
    _Rule(
        Dimension.SCALABILITY,
        "Scalability",
        "Serving across many devices and nodes: multi-node deployment and parallelism.",
        fields=(_Field("deployment_scale", "Multi-node deployment", 2.0, lambda v: _SCALE[v]),),
        features=(
            _one("data-parallelism"),
            _one("tensor-parallelism"),
            _one("pipeline-parallelism"),
            _one("fsdp"),
        ),
        missing=("largest deployment reported (nodes, devices)", "autoscaling"),
    ),
)


@dataclass(frozen=True)
class _Target:
    id: int
    slug: str
    name: str


def _targets(session: Session, model: Any) -> list[_Target]:
    rows = session.execute(sa.select(model.id, model.slug, model.name).order_by(model.id))
    return [_Target(int(i), s, n) for i, s, n in rows]


def _statuses(
    session: Session, model: Any, column: str, engine_ids: Sequence[int]
) -> dict[tuple[int, int], SupportStatus]:
    """(engine id, target id) → status. Where sources disagree, one that says supported wins
    over one that says not supported, which wins over unknown: a stated capability is the
    stronger claim."""
    rank = {SupportStatus.SUPPORTED: 2, SupportStatus.NOT_SUPPORTED: 1, SupportStatus.UNKNOWN: 0}
    statement = sa.select(model.engine_id, getattr(model, column), model.status).where(
        col(model.engine_id).in_(list(engine_ids))
    )
    found: dict[tuple[int, int], SupportStatus] = {}
    for engine_id, target_id, status in session.execute(statement):
        key = (int(engine_id), int(target_id))
        if key not in found or rank[status] > rank[found[key]]:
            found[key] = status
    return found


def _status_fact(
    kind: str, target: _Target, status: SupportStatus | None, weight: float
) -> ProfileFact:
    value = status.value if status is not None else "unknown"
    credit = _STATUS.get(status) if status is not None else None
    low, high = (0.0, 1.0) if credit is None else (credit, credit)
    return ProfileFact(kind, target.slug, target.name, value, weight, low, high)


def _any_of_fact(
    spec: _AnyOf, targets: Sequence[_Target], statuses: Sequence[SupportStatus | None]
) -> ProfileFact:
    """Supported if any member is; not supported only if every member is stated not to be;
    otherwise unknown."""
    if SupportStatus.SUPPORTED in statuses:
        status: SupportStatus | None = SupportStatus.SUPPORTED
    elif statuses and all(s == SupportStatus.NOT_SUPPORTED for s in statuses):
        status = SupportStatus.NOT_SUPPORTED
    else:
        status = None
    slug = " or ".join(t.slug for t in targets)
    name = spec.name or targets[0].name
    if spec.name:
        name = f"{spec.name} (any of: {', '.join(t.name for t in targets)})"
    return _status_fact("feature", _Target(0, slug, name), status, spec.weight)


def _field_fact(engine: Any, spec: _Field) -> ProfileFact:
    raw = getattr(engine, spec.field)
    if raw is None:
        return ProfileFact("engine", spec.field, spec.name, "unknown", spec.weight, 0.0, 1.0)
    credit = spec.credit(raw)
    shown = (
        ("true" if raw else "false") if isinstance(raw, bool) else str(getattr(raw, "value", raw))
    )
    return ProfileFact("engine", spec.field, spec.name, shown, spec.weight, credit, credit)


def _score(facts: Sequence[ProfileFact]) -> tuple[float, float]:
    total = sum(f.weight for f in facts)
    if total == 0:
        return 0.0, SCALE_MAX
    low = SCALE_MAX * sum(f.weight * f.credit_min for f in facts) / total
    high = SCALE_MAX * sum(f.weight * f.credit_max for f in facts) / total
    return round(low, 3), round(high, 3)


def engine_profiles(session: Session, engines: Sequence[Any]) -> list[EngineProfile]:
    """The profile of each engine (an ORM row or a Core row of `engine`), in the order given:
    three queries of support facts for all of them together."""
    ids = [e.id for e in engines if e.id is not None]
    features = {t.slug: t for t in _targets(session, m.OptimizationFeature)}
    platforms = _targets(session, m.Platform)
    by_platform = {t.slug: t for t in platforms}
    precisions = _targets(session, m.Precision)
    feature_status = _statuses(session, m.FeatureSupport, "feature_id", ids)
    platform_status = _statuses(session, m.PlatformSupport, "platform_id", ids)
    precision_status = _statuses(session, m.PrecisionSupport, "precision_id", ids)

    def profile(engine: Any) -> EngineProfile:
        eid = engine.id or 0
        scores = []
        for rule in RULES:
            facts = [_field_fact(engine, spec) for spec in rule.fields]
            missing = list(rule.missing)
            for group, weight, targets, statuses, kind in (
                ("platforms", rule.platforms_weight, platforms, platform_status, "platform"),
                ("precisions", rule.precisions_weight, precisions, precision_status, "precision"),
            ):
                if weight and not targets:
                    missing.append(f"{group} (the graph holds none)")
                for t in targets if weight else ():
                    share = weight / len(targets)
                    facts.append(_status_fact(kind, t, statuses.get((eid, t.id)), share))
            for spec in rule.features:
                members = [features[slug] for slug in spec.slugs if slug in features]
                missing.extend(
                    f"feature `{slug}` (not in the graph)"
                    for slug in spec.slugs
                    if slug not in features
                )
                if members:
                    stated = [feature_status.get((eid, t.id)) for t in members]
                    facts.append(_any_of_fact(spec, members, stated))
            for slug in rule.platforms:
                platform = by_platform.get(slug)
                if platform is None:
                    missing.append(f"platform `{slug}` (not in the graph)")
                    continue
                stated_platform = platform_status.get((eid, platform.id))
                facts.append(_status_fact("platform", platform, stated_platform, 1.0))
            low, high = _score(facts)
            scores.append(
                ProfileScore(
                    rule.dimension,
                    rule.name,
                    rule.definition,
                    low,
                    high,
                    tuple(facts),
                    tuple(missing),
                )
            )
        return EngineProfile(engine.slug, engine.name, tuple(scores))

    return [profile(e) for e in engines]


def engine_profile(session: Session, slug: str) -> EngineProfile:
    return engine_profiles(session, [get_engine(session, slug)])[0]


def profiles_by_slugs(session: Session, slugs: Sequence[str]) -> list[EngineProfile]:
    """Profiles of the named engines, in the order named (an unknown slug is a 404 that
    names the `engine` field)."""
    return engine_profiles(
        session, [by_slug(session, m.Engine, s, "engine", "engine") for s in slugs]
    )


def profiles_by_ids(session: Session, ids: Sequence[int]) -> dict[int, EngineProfile]:
    """Engine id → its profile, for many engines at once (GraphQL batches a list's profiles)."""
    engines = list(session.exec(select(m.Engine).where(col(m.Engine.id).in_(list(ids)))))
    profiles = engine_profiles(session, engines)
    return {e.id or 0: p for e, p in zip(engines, profiles, strict=True)}


def all_profiles(session: Session) -> list[EngineProfile]:
    engines = list(session.exec(select(m.Engine).order_by(col(m.Engine.name))))
    return engine_profiles(session, engines)


def find_engine(session: Session, slug: str) -> m.Engine | None:
    return find_by_slug(session, m.Engine, slug)
