"""Paper and author queries."""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

import models as m
from api.errors import InvalidInputError, Problem
from api.services.count_cache import count_rows
from api.services.exports.sql import AnySelect
from api.services.ingest.readers.identifiers import normalize_arxiv_id, normalize_doi
from api.services.lookup import ids_by_slug
from api.services.pagination import FIRST_PAGE, Page, PageRequest, SortKey, keyset_page, slice_page
from api.services.search import search_ids
from api.services.techniques import category_subtree_ids


@dataclass(frozen=True)
class PaperFilter:
    year_from: int | None = None
    year_to: int | None = None
    techniques: tuple[str, ...] = ()
    """Papers cited by any of these techniques."""
    category: str | None = None
    """Papers cited by a technique of this category or its sub-categories."""
    author: str | None = None
    """Substring of an author's name, case-insensitive."""
    venue: str | None = None
    text: str | None = None
    """Full-text query over titles and abstracts; results are ranked by relevance."""


class PaperOrder(StrEnum):
    YEAR_DESC = "-year"
    YEAR_ASC = "year"
    TITLE = "title"
    KEY = "key"


_KEYS = {
    PaperOrder.YEAR_DESC: [SortKey(col(m.Paper.year), descending=True)],
    PaperOrder.YEAR_ASC: [SortKey(col(m.Paper.year))],
    PaperOrder.TITLE: [SortKey(sa.func.lower(m.Paper.title))],
    PaperOrder.KEY: [SortKey(col(m.Paper.bibtex_key))],
}
_VALUES: dict[PaperOrder, Callable[[m.Paper], list[Any]]] = {
    PaperOrder.YEAR_DESC: lambda p: [p.year],
    PaperOrder.YEAR_ASC: lambda p: [p.year],
    PaperOrder.TITLE: lambda p: [p.title.lower() if p.title else None],
    PaperOrder.KEY: lambda p: [p.bibtex_key],
}


def list_papers(
    session: Session,
    paper_filter: PaperFilter | None = None,
    order: PaperOrder = PaperOrder.YEAR_DESC,
    page: PageRequest = FIRST_PAGE,
) -> Page[m.Paper]:
    f = paper_filter or PaperFilter()
    terms = _filter_terms(session, f)
    conditions = terms.read_all()
    if f.text:
        # Relevance order: rank in the database, then page through the ranked list.
        hits = search_ids(session, "paper", f.text, limit=10_000)
        if not hits:
            return slice_page([], page)
        allowed = set(
            session.scalars(
                sa.select(col(m.Paper.id)).where(
                    col(m.Paper.id).in_([h.id for h in hits]), *conditions
                )
            )
        )
        ranked = [h.id for h in hits if h.id in allowed]
        window = slice_page(ranked, page)
        rows = {
            p.id: p for p in session.exec(select(m.Paper).where(col(m.Paper.id).in_(window.items)))
        }
        return Page(
            [rows[i] for i in window.items],
            window.cursor_at,
            window.has_next,
            window.has_previous,
            window.count,
        )
    # The page walks the list in order and stops once full; the count reads every match.
    statement = select(m.Paper).where(*terms.walked_in_order(session))
    keys = [*_KEYS[order], SortKey(col(m.Paper.id))]
    return keyset_page(
        session,
        statement,
        keys,
        page,
        lambda p: [*_VALUES[order](p), p.id],
        counted=select(m.Paper).where(*conditions),
    )


def paper_id_select(session: Session, f: PaperFilter) -> AnySelect | None:
    """The filtered papers' ids as one statement, for exports that read it in keyset batches
    (memory stays flat however many match); None for a text query, whose hits are ranked and
    capped in memory by `search_ids` anyway."""
    if f.text:
        return None
    return sa.select(col(m.Paper.id)).where(*paper_conditions(session, f))


def paper_conditions(session: Session, f: PaperFilter) -> list[sa.ColumnElement[bool]]:
    """WHERE terms for `f`, for reading every matching paper."""
    return _filter_terms(session, f).read_all()


@dataclass(frozen=True)
class _FilterTerms:
    plain: list[sa.ColumnElement[bool]]
    cited: list[SelectOfScalar[int]]
    """Citation filters, each a select of `technique_citation.paper_id`."""

    def read_all(self) -> list[sa.ColumnElement[bool]]:
        return [*self.plain, *(col(m.Paper.id).in_(cited) for cited in self.cited)]

    def walked_in_order(self, session: Session) -> list[sa.ColumnElement[bool]]:
        """The same terms for a page read in list order, which stops once it is full."""
        return [*self.plain, *(_cited_while_walking(session, cited) for cited in self.cited)]


def _filter_terms(session: Session, f: PaperFilter) -> _FilterTerms:
    if f.year_from is not None and f.year_to is not None and f.year_from > f.year_to:
        raise InvalidInputError(
            "empty year range",
            [Problem("yearFrom is after yearTo", field="filter.yearFrom", value=f.year_from)],
        )
    plain: list[sa.ColumnElement[bool]] = []
    cited: list[SelectOfScalar[int]] = []
    if f.year_from is not None:
        plain.append(col(m.Paper.year) >= f.year_from)
    if f.year_to is not None:
        plain.append(col(m.Paper.year) <= f.year_to)
    if f.techniques:
        ids = ids_by_slug(session, m.Technique, f.techniques, "technique", "filter.techniques")
        cited.append(
            select(m.TechniqueCitation.paper_id).where(
                col(m.TechniqueCitation.technique_id).in_(list(ids.values()))
            )
        )
    if f.category:
        cited.append(
            select(m.TechniqueCitation.paper_id)
            .join(m.Technique, col(m.Technique.id) == m.TechniqueCitation.technique_id)
            .where(col(m.Technique.category_id).in_(category_subtree_ids(session, f.category)))
        )
    if f.author:
        by_author = (
            select(m.PaperAuthor.paper_id)
            .join(m.Author, col(m.Author.id) == m.PaperAuthor.author_id)
            .where(sa.func.lower(m.Author.name).like(f"%{f.author.casefold()}%"))
        )
        plain.append(col(m.Paper.id).in_(by_author))
    if f.venue:
        plain.append(sa.func.lower(m.Paper.venue).like(f"%{f.venue.casefold()}%"))
    return _FilterTerms(plain, cited)


BROAD_CITATIONS = 5_000
"""Citations above which a technique filter is checked per paper when walking a page.

An `IN (papers cited)` term makes the database collect every cited paper and sort them all
before the first page comes out: cheap for a narrow filter, but a category whose techniques
cite 40,000 of 100,000 papers took 50 ms a page on SQLite. A correlated `EXISTS`, probed
while reading the list in index order, stops once the page is full (4 ms for that category)
but probes every paper when few pass, so it is used only above this many citations. Where
the two cost the same for a 100,000-paper graph (about 8,000 matches) this errs on the side
of `IN`. Counts and exports read every match, and always use `IN`.
"""


def _cited_while_walking(session: Session, cited: SelectOfScalar[int]) -> sa.ColumnElement[bool]:
    """Papers among `cited`, phrased for a page read in list order."""
    # Counted (up to the bound) once per data version, like a list's own count.
    if count_rows(session, cited.limit(BROAD_CITATIONS)) >= BROAD_CITATIONS:
        # Probed by paper id (the citation table's paper index), then the technique terms.
        paper_id = col(m.TechniqueCitation.paper_id)
        return cited.where(paper_id == m.Paper.id).correlate(m.Paper).exists()
    return col(m.Paper.id).in_(cited)


def find_paper(
    session: Session,
    *,
    key: str | None = None,
    arxiv_id: str | None = None,
    doi: str | None = None,
) -> m.Paper | None:
    """By BibTeX key, arXiv id (any version, with or without `arXiv:`) or DOI (any case)."""
    statement = select(m.Paper)
    if key is not None:
        statement = statement.where(m.Paper.bibtex_key == key)
    elif arxiv_id is not None:
        statement = statement.where(m.Paper.arxiv_id == normalize_arxiv_id(arxiv_id))
    elif doi is not None:
        statement = statement.where(sa.func.lower(m.Paper.doi) == normalize_doi(doi).lower())
    else:
        return None
    return session.exec(statement).first()
