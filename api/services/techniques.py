"""Technique and category queries."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

import models as m
from api.services.lookup import by_slug
from api.services.pagination import FIRST_PAGE, Page, PageRequest, SortKey, keyset_page, slice_page
from api.services.search import search_ids


@dataclass(frozen=True)
class TechniqueFilter:
    category: str | None = None
    """Category slug; techniques of its sub-categories are included."""
    text: str | None = None
    in_survey_table: bool | None = None


def category_subtree_ids(session: Session, slug: str) -> list[int]:
    root = by_slug(session, m.TechniqueCategory, slug, "category", "filter.category")
    children: dict[int | None, list[int]] = {}
    for category_id, parent_id in session.exec(
        select(m.TechniqueCategory.id, m.TechniqueCategory.parent_id)
    ):
        children.setdefault(parent_id, []).append(category_id or 0)
    found, stack = [], [root.id or 0]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def list_techniques(
    session: Session,
    technique_filter: TechniqueFilter | None = None,
    page: PageRequest = FIRST_PAGE,
) -> Page[m.Technique]:
    f = technique_filter or TechniqueFilter()
    conditions: list[Any] = []
    if f.category:
        conditions.append(
            col(m.Technique.category_id).in_(category_subtree_ids(session, f.category))
        )
    if f.in_survey_table is not None:
        conditions.append(col(m.Technique.in_survey_table) == f.in_survey_table)
    if f.text:
        hits = search_ids(session, "technique", f.text, limit=10_000)
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
    keys = [
        SortKey(col(m.Technique.category_id)),
        SortKey(col(m.Technique.position)),
        SortKey(col(m.Technique.id)),
    ]
    return keyset_page(session, statement, keys, page, lambda t: [t.category_id, t.position, t.id])
