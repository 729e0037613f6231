"""Engine queries: filtered, sorted, keyset-paginated lists and lookups."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.errors import InvalidInputError, Problem
from api.services.lookup import closest, ids_by_slug
from api.services.pagination import FIRST_PAGE, Page, PageRequest, SortKey, keyset_page
from models.base import (
    DeploymentScale,
    HardwareDiversity,
    OpenSource,
    OrganizationKind,
    SupportStatus,
)


@dataclass(frozen=True)
class SupportCondition:
    """Engines whose facts have `status` for all of / any of the targets."""

    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    status: SupportStatus = SupportStatus.SUPPORTED


@dataclass(frozen=True)
class EngineFilter:
    techniques: SupportCondition | None = None
    platforms: SupportCondition | None = None
    precisions: SupportCondition | None = None
    organization_kinds: tuple[OrganizationKind, ...] = ()
    organization: str | None = None
    open_source: tuple[OpenSource, ...] = ()
    commercial: bool | None = None
    deployment_scale: DeploymentScale | None = None
    hardware_diversity: HardwareDiversity | None = None
    text: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class EngineOrder(StrEnum):
    NAME = "name"
    STARS_DESC = "-stars"
    STARS_ASC = "stars"
    RELEASE_DESC = "-release"
    RELEASE_ASC = "release"


_ORDER_KEYS: dict[EngineOrder, list[SortKey]] = {
    EngineOrder.NAME: [SortKey(sa.func.lower(m.Engine.name))],
    EngineOrder.STARS_DESC: [SortKey(col(m.Engine.github_stars), descending=True)],
    EngineOrder.STARS_ASC: [SortKey(col(m.Engine.github_stars))],
    EngineOrder.RELEASE_DESC: [
        SortKey(col(m.Engine.release_year), descending=True),
        SortKey(col(m.Engine.release_month), descending=True),
    ],
    EngineOrder.RELEASE_ASC: [
        SortKey(col(m.Engine.release_year)),
        SortKey(col(m.Engine.release_month)),
    ],
}
_ORDER_VALUES: dict[EngineOrder, Callable[[m.Engine], list[Any]]] = {
    EngineOrder.NAME: lambda e: [e.name.lower()],
    EngineOrder.STARS_DESC: lambda e: [e.github_stars],
    EngineOrder.STARS_ASC: lambda e: [e.github_stars],
    EngineOrder.RELEASE_DESC: lambda e: [e.release_year, e.release_month],
    EngineOrder.RELEASE_ASC: lambda e: [e.release_year, e.release_month],
}


def list_engines(
    session: Session,
    engine_filter: EngineFilter | None = None,
    order: EngineOrder = EngineOrder.NAME,
    page: PageRequest = FIRST_PAGE,
) -> Page[m.Engine]:
    statement = select(m.Engine).where(*engine_conditions(session, engine_filter or EngineFilter()))
    keys = [*_ORDER_KEYS[order], SortKey(col(m.Engine.id))]
    values = _ORDER_VALUES[order]
    return keyset_page(session, statement, keys, page, lambda e: [*values(e), e.id])


def engine_conditions(session: Session, f: EngineFilter) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if f.techniques is not None:
        conditions += _technique_conditions(session, f.techniques)
    if f.platforms is not None:
        ids = ids_by_slug(
            session, m.Platform, _targets(f.platforms), "platform", "filter.platforms"
        )
        conditions += _support_conditions(
            f.platforms, {slug: [i] for slug, i in ids.items()}, m.PlatformSupport, "platform_id"
        )
    if f.precisions is not None:
        ids = ids_by_slug(
            session, m.Precision, _targets(f.precisions), "precision", "filter.precisions"
        )
        conditions += _support_conditions(
            f.precisions, {slug: [i] for slug, i in ids.items()}, m.PrecisionSupport, "precision_id"
        )
    if f.organization_kinds or f.organization:
        organization = select(m.Organization.id)
        if f.organization_kinds:
            organization = organization.where(col(m.Organization.kind).in_(f.organization_kinds))
        if f.organization:
            organization = organization.where(m.Organization.slug == f.organization)
        conditions.append(col(m.Engine.organization_id).in_(organization))
    if f.open_source:
        conditions.append(col(m.Engine.open_source).in_(f.open_source))
    if f.commercial is not None:
        conditions.append(col(m.Engine.is_commercial) == f.commercial)
    if f.deployment_scale is not None:
        conditions.append(col(m.Engine.deployment_scale) == f.deployment_scale)
    if f.hardware_diversity is not None:
        conditions.append(col(m.Engine.hardware_diversity) == f.hardware_diversity)
    if f.text:
        pattern = f"%{f.text.casefold()}%"
        alias_match = select(m.EngineAlias.engine_id).where(
            col(m.EngineAlias.normalized).like(pattern)
        )
        conditions.append(
            sa.or_(sa.func.lower(m.Engine.name).like(pattern), col(m.Engine.id).in_(alias_match))
        )
    return conditions


def _targets(condition: SupportCondition) -> list[str]:
    return list(dict.fromkeys([*condition.all_of, *condition.any_of]))


def technique_feature_ids(
    session: Session, slugs: Sequence[str], field: str
) -> dict[str, list[int]]:
    """A requirement may name a technique (met through any matrix column containing it) or a
    matrix column itself, e.g. `speculative-decoding`."""
    if not slugs:
        return {}
    by_technique: dict[str, list[int]] = {}
    for slug, feature_id in session.execute(
        sa.select(col(m.Technique.slug), col(m.FeatureMember.feature_id))
        .join(m.FeatureMember, col(m.FeatureMember.technique_id) == m.Technique.id)
        .where(col(m.Technique.slug).in_(slugs))
    ):
        by_technique.setdefault(slug, []).append(feature_id)
    known_techniques = set(
        session.scalars(sa.select(col(m.Technique.slug)).where(col(m.Technique.slug).in_(slugs)))
    )
    features = {
        slug: [feature_id]
        for slug, feature_id in session.execute(
            sa.select(col(m.OptimizationFeature.slug), col(m.OptimizationFeature.id)).where(
                col(m.OptimizationFeature.slug).in_(slugs)
            )
        )
    }
    result: dict[str, list[int]] = {}
    problems = []
    for slug in slugs:
        if slug in by_technique:
            result[slug] = by_technique[slug]
        elif slug in features:
            result[slug] = features[slug]
        elif slug in known_techniques:
            result[slug] = []  # a technique no matrix column covers: never met
        else:
            known = [
                *session.scalars(sa.select(col(m.Technique.slug))),
                *session.scalars(sa.select(col(m.OptimizationFeature.slug))),
            ]
            suggestions = closest(slug, known)
            hint = (
                f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
            )
            problems.append(Problem(f"unknown technique{hint}", field=field, value=slug))
    if problems:
        raise InvalidInputError("unknown technique", problems)
    return result


def _technique_conditions(
    session: Session, condition: SupportCondition
) -> list[sa.ColumnElement[bool]]:
    features = technique_feature_ids(session, _targets(condition), "filter.techniques")
    return _support_conditions(condition, features, m.FeatureSupport, "feature_id")


def _support_conditions(
    condition: SupportCondition,
    targets: dict[str, list[int]],
    fact_model: type[Any],
    target_column: str,
) -> list[sa.ColumnElement[bool]]:
    def has(slug: str) -> sa.ColumnElement[bool]:
        return has_status(fact_model, target_column, targets[slug], condition.status)

    conditions = [has(slug) for slug in condition.all_of]
    if condition.any_of:
        conditions.append(sa.or_(*(has(slug) for slug in condition.any_of)))
    return conditions


def has_status(
    fact_model: type[Any], target_column: str, target_ids: list[int], status: SupportStatus
) -> sa.ColumnElement[bool]:
    """The engine's facts about the targets have `status`. No fact at all counts as unknown."""
    target = getattr(fact_model, target_column)
    stated = sa.exists().where(
        fact_model.engine_id == m.Engine.id,
        target.in_(target_ids),
        fact_model.status == status,
    )
    if status != SupportStatus.UNKNOWN:
        return stated
    anything = sa.exists().where(fact_model.engine_id == m.Engine.id, target.in_(target_ids))
    return sa.or_(stated, sa.not_(anything))
