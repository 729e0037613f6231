"""Techniques, their category tree and the optimization-matrix columns (features)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.services.lookup import NO_MATCH, by_slug
from api.services.pagination import (
    FIRST_PAGE,
    Page,
    PageRequest,
    SortKey,
    keyset_page,
    ranked_in_memory,
    slice_page,
    table_page,
)
from api.services.search import search_ids
from api.services.views import Ref, View, column, list_ref, slug_ref
from api.services.vocabulary import Flag, Slugs, Text, check_slugs, key
from models.base import SupportStatus

# --- categories -------------------------------------------------------------------------


def _children(session: Session, rows: Sequence[Any]) -> dict[Any, Any]:
    grouped: dict[Any, list[str]] = {}
    for parent_id, slug in session.execute(
        sa.select(col(m.TechniqueCategory.parent_id), col(m.TechniqueCategory.slug))
        .where(col(m.TechniqueCategory.parent_id).in_([r.id for r in rows]))
        .order_by(col(m.TechniqueCategory.position))
    ):
        grouped.setdefault(parent_id, []).append(slug)
    return grouped


CATEGORY = View(
    m.TechniqueCategory,
    (
        column(m.TechniqueCategory, "slug"),
        column(m.TechniqueCategory, "name"),
        column(m.TechniqueCategory, "description"),
        column(m.TechniqueCategory, "position"),
    ),
    (
        slug_ref("parent", "Slug of the enclosing category.", m.TechniqueCategory, "parent_id"),
        Ref("children", list[str], "Slugs of the sub-categories, in order.", _children, list),
    ),
)


def list_categories(session: Session) -> list[m.TechniqueCategory]:
    """The whole tree: top-level categories first, each level in the survey's order."""
    return list(
        session.exec(
            select(m.TechniqueCategory).order_by(
                col(m.TechniqueCategory.parent_id), col(m.TechniqueCategory.position)
            )
        )
    )


def top_categories(session: Session) -> list[m.TechniqueCategory]:
    return list(
        session.exec(
            select(m.TechniqueCategory)
            .where(col(m.TechniqueCategory.parent_id).is_(None))
            .order_by(col(m.TechniqueCategory.position))
        )
    )


def get_category(session: Session, slug: str, field: str = "slug") -> m.TechniqueCategory:
    return by_slug(session, m.TechniqueCategory, slug, "category", field)


def category_subtree_ids(session: Session, slug: str, field: str = "filter.category") -> list[int]:
    """The category and every category below it (none for `NO_MATCH`)."""
    if slug == NO_MATCH:
        return []
    root = get_category(session, slug, field)
    children: dict[int | None, list[int]] = {}
    for category_id, parent_id in session.execute(
        sa.select(col(m.TechniqueCategory.id), col(m.TechniqueCategory.parent_id))
    ):
        children.setdefault(parent_id, []).append(category_id)
    found, stack = [], [root.id or 0]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


# --- techniques ------------------------------------------------------------------------------

TECHNIQUE = View(
    m.Technique,
    (
        column(m.Technique, "slug"),
        column(m.Technique, "name"),
        column(m.Technique, "description"),
        column(m.Technique, "position"),
        column(m.Technique, "in_survey_table"),
    ),
    (
        slug_ref("category", "Category slug.", m.TechniqueCategory, "category_id"),
        list_ref(
            "aliases",
            "Other names, e.g. `MoE` or `continuous batching`.",
            m.TechniqueAlias,
            "technique_id",
            lambda alias: alias.alias,
            ["alias"],
        ),
    ),
)


@dataclass(frozen=True)
class TechniqueFilter:
    category: str | None = key(
        Slugs(m.TechniqueCategory, "category"),
        rest="category",
        description="Category slug; sub-categories included",
    )
    text: str | None = key(
        Text(), rest="q", graphql="text", description="Full-text query over name and description"
    )
    in_survey_table: bool | None = key(
        Flag(),
        rest="in_survey_table",
        description="Only techniques that are (or are not) rows of the survey's technique tables",
    )


TECHNIQUE_KEYS = [
    SortKey(col(m.Technique.category_id)),
    SortKey(col(m.Technique.position)),
    SortKey(col(m.Technique.id)),
]
"""The technique list's order (survey category, then place in it): its cursors' grammar."""


def list_techniques(
    session: Session,
    technique_filter: TechniqueFilter | None = None,
    page: PageRequest = FIRST_PAGE,
) -> Page[m.Technique]:
    f = technique_filter or TechniqueFilter()
    check_slugs(session, f)
    conditions: list[Any] = []
    if f.category:
        conditions.append(
            col(m.Technique.category_id).in_(category_subtree_ids(session, f.category))
        )
    if f.in_survey_table is not None:
        conditions.append(col(m.Technique.in_survey_table) == f.in_survey_table)
    if f.text:
        hits = search_ids(session, "technique", f.text, limit=10_000)
    if f.text and not ranked_in_memory(page):
        # A cursor of the keyset order decides: the hits, read in that order.
        conditions.append(col(m.Technique.id).in_([h.id for h in hits]))
    elif f.text:
        rows = {
            t.id: t
            for t in session.exec(
                select(m.Technique).where(
                    col(m.Technique.id).in_([h.id for h in hits]), *conditions
                )
            )
        }
        ranked = [rows[h.id] for h in hits if h.id in rows]
        return slice_page(ranked, page)
    statement = select(m.Technique).where(*conditions)
    return keyset_page(
        session, statement, TECHNIQUE_KEYS, page, lambda t: [t.category_id, t.position, t.id]
    )


def get_technique(session: Session, slug: str) -> m.Technique:
    return by_slug(session, m.Technique, slug, "technique", "slug")


def engine_techniques(
    session: Session, engine: m.Engine, status: SupportStatus | None = None
) -> list[m.Technique]:
    """Techniques of the matrix columns for which the engine has `status` (default supported)."""
    return list(
        session.exec(
            select(m.Technique)
            .join(m.FeatureMember, col(m.FeatureMember.technique_id) == m.Technique.id)
            .join(m.FeatureSupport, col(m.FeatureSupport.feature_id) == m.FeatureMember.feature_id)
            .where(
                m.FeatureSupport.engine_id == engine.id,
                m.FeatureSupport.status == (status or SupportStatus.SUPPORTED),
            )
            .distinct()
            .order_by(col(m.Technique.category_id), col(m.Technique.position))
        )
    )


def paper_techniques(session: Session, paper: m.Paper) -> list[m.Technique]:
    """Techniques whose survey tables cite the paper."""
    return list(
        session.exec(
            select(m.Technique)
            .join(m.TechniqueCitation, col(m.TechniqueCitation.technique_id) == m.Technique.id)
            .where(m.TechniqueCitation.paper_id == paper.id)
            .distinct()
            .order_by(col(m.Technique.id))
        )
    )


# --- matrix columns ----------------------------------------------------------------------------


def _members(session: Session, rows: Sequence[Any]) -> dict[Any, Any]:
    grouped: dict[Any, list[str]] = {}
    for feature_id, slug in session.execute(
        sa.select(col(m.FeatureMember.feature_id), col(m.Technique.slug))
        .join(m.Technique, col(m.Technique.id) == m.FeatureMember.technique_id)
        .where(col(m.FeatureMember.feature_id).in_([r.id for r in rows]))
        .order_by(col(m.Technique.category_id), col(m.Technique.position))
    ):
        grouped.setdefault(feature_id, []).append(slug)
    return grouped


FEATURE = View(
    m.OptimizationFeature,
    (
        column(m.OptimizationFeature, "slug"),
        column(m.OptimizationFeature, "name"),
        column(m.OptimizationFeature, "kind"),
        column(m.OptimizationFeature, "description"),
    ),
    (Ref("techniques", list[str], "Member technique slugs.", _members, list),),
)


def list_features(session: Session) -> list[m.OptimizationFeature]:
    """The optimization-matrix columns in the survey's order."""
    return list(session.exec(select(m.OptimizationFeature).order_by(col(m.OptimizationFeature.id))))


def get_feature(session: Session, slug: str) -> m.OptimizationFeature:
    return by_slug(session, m.OptimizationFeature, slug, "feature", "slug")


def list_features_page(
    session: Session, page: PageRequest = FIRST_PAGE
) -> Page[m.OptimizationFeature]:
    return table_page(session, m.OptimizationFeature, "id", page)


# --- batch loaders for GraphQL (rows grouped by the id they were asked for) -------------------


def features_of_techniques(session: Session, technique_ids: list[int]) -> dict[int, list[Any]]:
    """The matrix columns each technique belongs to, as Core rows, by column id."""
    feature = sa.inspect(m.OptimizationFeature).local_table
    member = sa.inspect(m.FeatureMember).local_table
    statement = (
        sa.select(member.c.technique_id.label("member_of"), *feature.c)
        .join(feature, feature.c.id == member.c.feature_id)
        .where(member.c.technique_id.in_(technique_ids))
        .order_by(feature.c.id)
    )
    return _grouped_by_member(session, statement)


def techniques_of_features(session: Session, feature_ids: list[int]) -> dict[int, list[Any]]:
    """The member techniques of each matrix column, as Core rows, in the survey's order."""
    technique = sa.inspect(m.Technique).local_table
    member = sa.inspect(m.FeatureMember).local_table
    statement = (
        sa.select(member.c.feature_id.label("member_of"), *technique.c)
        .join(technique, technique.c.id == member.c.technique_id)
        .where(member.c.feature_id.in_(feature_ids))
        .order_by(technique.c.category_id, technique.c.position)
    )
    return _grouped_by_member(session, statement)


def _grouped_by_member(session: Session, statement: sa.Select[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in session.connection().execute(statement):
        grouped.setdefault(row.member_of, []).append(row)
    return grouped


def techniques_by_category(
    session: Session, per_category: int
) -> dict[int, tuple[int, list[m.Technique]]]:
    """Category id → how many techniques it holds itself and the first `per_category` of
    them by position: the category tree's page names a few per category, whatever the size.
    One grouped count, then one short indexed query per category that has techniques."""
    category_id = col(m.Technique.category_id)
    totals = session.exec(select(category_id, sa.func.count()).group_by(category_id)).all()
    grouped: dict[int, tuple[int, list[m.Technique]]] = {}
    for category, total in totals:
        first = session.exec(
            select(m.Technique)
            .where(category_id == category)
            .order_by(col(m.Technique.position), col(m.Technique.id))
            .limit(per_category)
        ).all()
        grouped[int(category)] = (int(total), list(first))
    return grouped
