"""Engines and the organizations that build them: views, filters, lists and lookups."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.errors import InvalidInputError
from api.services.lookup import NO_MATCH, by_slug, unknown_problems
from api.services.pagination import (
    FIRST_PAGE,
    Page,
    PageRequest,
    SortKey,
    all_items,
    keyset_page,
    order_named,
    table_keys,
    table_page,
)
from api.services.views import Ref, View, column, derived, list_ref, present, rows_by_id
from api.services.vocabulary import (
    Choice,
    Flag,
    Slugs,
    Support,
    SupportCondition,
    Text,
    check_slugs,
    key,
)
from models.base import (
    DeploymentScale,
    HardwareDiversity,
    OpenSource,
    OrganizationKind,
    SupportStatus,
)

# --- organizations ---------------------------------------------------------------------

ORGANIZATION = View(
    m.Organization,
    (
        column(m.Organization, "slug"),
        column(m.Organization, "name"),
        column(m.Organization, "kind"),
    ),
)


@dataclass(frozen=True)
class OrganizationFilter:
    kinds: tuple[OrganizationKind, ...] = key(
        Choice(OrganizationKind, many=True), rest="kind", description="Kind of organization"
    )


def list_organizations(
    session: Session, f: OrganizationFilter | None = None, page: PageRequest = FIRST_PAGE
) -> Page[m.Organization]:
    f = f or OrganizationFilter()
    where = [col(m.Organization.kind).in_(f.kinds)] if f.kinds else []
    return table_page(session, m.Organization, "name", page, *where)


def get_organization(session: Session, slug: str) -> m.Organization:
    return by_slug(session, m.Organization, slug, "organization", "slug")


# --- engines -------------------------------------------------------------------------------


def _release_date(row: Any) -> str | None:
    if row.release_year is None or row.release_month is None:
        return None
    return f"{row.release_year:04d}-{row.release_month:02d}"


def _organizations(session: Session, rows: Sequence[Any]) -> dict[Any, Any]:
    found = rows_by_id(session, m.Organization, {r.organization_id for r in rows})
    shown = dict(zip(found, present(session, ORGANIZATION, list(found.values())), strict=True))
    return {r.id: shown.get(r.organization_id) for r in rows}


ENGINE = View(
    m.Engine,
    (
        column(m.Engine, "slug"),
        column(m.Engine, "name"),
        column(m.Engine, "release_year"),
        column(m.Engine, "release_month"),
        derived(
            "release_date",
            str | None,
            "First release as `YYYY-MM`.",
            _release_date,
            rest="release",
        ),
        column(m.Engine, "open_source"),
        column(m.Engine, "is_commercial"),
        column(m.Engine, "github_stars"),
        column(m.Engine, "docs_level"),
        column(m.Engine, "has_sns"),
        column(m.Engine, "has_forum"),
        column(m.Engine, "has_meetup"),
        column(m.Engine, "repo_url"),
        column(m.Engine, "web_url"),
        column(m.Engine, "deployment_scale"),
        column(m.Engine, "hardware_diversity"),
    ),
    (
        list_ref(
            "aliases",
            "Other names, e.g. `LLaMA.cpp`.",
            m.EngineAlias,
            "engine_id",
            lambda alias: alias.alias,
            ["alias"],
        ),
        # REST embeds the organization; its type is the organization's REST model.
        Ref(
            "organization",
            ORGANIZATION,
            "The organization that builds it.",
            _organizations,
            points_to=(m.Organization, "organization_id"),
        ),
    ),
)


@dataclass(frozen=True)
class EngineFilter:
    techniques: SupportCondition | None = key(
        Support(None, "technique"),
        rest="technique",
        graphql="techniques",
        description=(
            "Technique slugs (met through any matrix column containing them) or "
            "matrix-column slugs such as `speculative-decoding`"
        ),
    )
    platforms: SupportCondition | None = key(
        Support(m.Platform, "platform"),
        rest="platform",
        graphql="platforms",
        description="Platform slugs",
    )
    precisions: SupportCondition | None = key(
        Support(m.Precision, "precision"),
        rest="precision",
        graphql="precisions",
        description="Precision slugs",
    )
    organization_kinds: tuple[OrganizationKind, ...] = key(
        Choice(OrganizationKind, many=True),
        rest="organization_kind",
        graphql="organization_kinds",
        description="Engines of organizations of these kinds",
    )
    organization: str | None = key(
        Slugs(m.Organization, "organization"), rest="organization", description="Organization slug"
    )
    open_source: tuple[OpenSource, ...] = key(
        Choice(OpenSource, many=True),
        rest="open_source",
        description="Engines with one of these open-source states",
    )
    commercial: bool | None = key(
        Flag(),
        rest="commercial",
        description="Only hosted commercial services (true) or only the others (false)",
    )
    deployment_scale: DeploymentScale | None = key(
        Choice(DeploymentScale),
        rest="deployment_scale",
        description="Single-node or multi-node engines",
    )
    hardware_diversity: HardwareDiversity | None = key(
        Choice(HardwareDiversity),
        rest="hardware_diversity",
        description="Heterogeneous or homogeneous engines",
    )
    text: str | None = key(
        Text(), rest="name", graphql="text", description="Substring of the name or an alias"
    )


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
ENGINE_ORDERS = {order: [*keys, SortKey(col(m.Engine.id))] for order, keys in _ORDER_KEYS.items()}
"""Every order of the engine list, whole (ties broken by id): its cursors' grammar."""
ORGANIZATION_KEYS = table_keys(m.Organization, "name")
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
    order = order_named(page, ENGINE_ORDERS, order)
    keys = ENGINE_ORDERS[order]
    values = _ORDER_VALUES[order]
    return keyset_page(session, statement, keys, page, lambda e: [*values(e), e.id])


def get_engine(session: Session, slug: str) -> m.Engine:
    return by_slug(session, m.Engine, slug, "engine", "slug")


def organization_engines(session: Session, organization: m.Organization) -> list[m.Engine]:
    return list(
        session.exec(
            select(m.Engine)
            .where(m.Engine.organization_id == organization.id)
            .order_by(col(m.Engine.name))
        )
    )


def engines_supporting(
    session: Session, technique: str, status: SupportStatus = SupportStatus.SUPPORTED
) -> list[m.Engine]:
    """Engines with `status` for a technique (through any matrix column covering it)."""
    condition = SupportCondition(all_of=(technique,), status=status)
    return list(all_items(lambda page: list_engines(session, EngineFilter(condition), page=page)))


def engine_conditions(session: Session, f: EngineFilter) -> list[sa.ColumnElement[bool]]:
    slugs = check_slugs(session, f)
    conditions: list[sa.ColumnElement[bool]] = []
    if f.techniques is not None:
        features = technique_feature_ids(session, f.techniques.targets, "filter.techniques")
        conditions += _support_conditions(f.techniques, features, m.FeatureSupport, "feature_id")
    for condition, fact_model, target_column, name in (
        (f.platforms, m.PlatformSupport, "platform_id", "platforms"),
        (f.precisions, m.PrecisionSupport, "precision_id", "precisions"),
    ):
        if condition is not None:
            ids = {slug: [i] for slug, i in slugs[name].items()}
            conditions += _support_conditions(condition, ids, fact_model, target_column)
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
    unknown: list[str] = []
    for slug in slugs:
        if slug in by_technique:
            result[slug] = by_technique[slug]
        elif slug in features:
            result[slug] = features[slug]
        elif slug in known_techniques or slug == NO_MATCH:
            result[slug] = []  # a technique no matrix column covers: never met
        else:
            unknown.append(slug)
    if unknown:
        known = [
            *session.scalars(sa.select(col(m.Technique.slug))),
            *session.scalars(sa.select(col(m.OptimizationFeature.slug))),
        ]
        problems = unknown_problems("technique", unknown, known, field)
        raise InvalidInputError("unknown technique", problems)
    return result


def _support_conditions(
    condition: SupportCondition,
    targets: dict[str, list[int]],
    fact_model: type[Any],
    target_column: str,
) -> list[sa.ColumnElement[bool]]:
    def has(slug: str) -> sa.ColumnElement[bool]:
        if slug == NO_MATCH:
            # Whatever the status asked: nothing is said of what does not exist, and "no
            # fact" must not read as "unknown" for it.
            return sa.false()
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


def aliases_by_engine(session: Session, engine_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each engine's aliases, case-folded as lookups compare them."""
    found: dict[int, list[str]] = {}
    for engine_id, normalized in session.execute(
        sa.select(col(m.EngineAlias.engine_id), col(m.EngineAlias.normalized)).where(
            col(m.EngineAlias.engine_id).in_(list(engine_ids))
        )
    ):
        found.setdefault(engine_id, []).append(normalized)
    return found
