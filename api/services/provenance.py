"""Sources of facts: the survey's tables and figures, BibTeX files, arXiv queries."""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

import models as m
from api.services.lookup import by_slug
from api.services.pagination import FIRST_PAGE, Page, PageRequest, table_page
from api.services.views import View, column, present, rows_by_id
from models.base import SourceKind

SOURCE = View(
    m.Source,
    (
        column(m.Source, "slug"),
        column(m.Source, "title"),
        column(m.Source, "kind"),
        column(m.Source, "locator"),
        column(m.Source, "document_url"),
        column(m.Source, "as_of"),
    ),
)


def list_sources(session: Session, page: PageRequest = FIRST_PAGE) -> Page[m.Source]:
    return table_page(session, m.Source, "id", page)


def sources_of_kind(session: Session, kind: SourceKind | None = None) -> Sequence[m.Source]:
    statement = select(m.Source).order_by(col(m.Source.id))
    if kind is not None:
        statement = statement.where(m.Source.kind == kind)
    return list(session.exec(statement))


def get_source(session: Session, slug: str) -> m.Source:
    return by_slug(session, m.Source, slug, "source", "slug")


def cited_sources(session: Session, facts: Sequence[Any]) -> list[dict[str, Any]]:
    """The distinct sources some fact rows (anything with a `source_id`) came from, in the
    order they are first cited, so a caller can quote where each fact was read."""
    ids = list(dict.fromkeys(fact.source_id for fact in facts))
    by_id = rows_by_id(session, m.Source, set(ids))
    return present(session, SOURCE, [by_id[i] for i in ids if i in by_id])
