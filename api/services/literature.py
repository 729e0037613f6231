"""Paper and author queries."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

import models as m
from api.errors import MovedError, Problem
from api.history_schema import AS_OF_INFO
from api.services.count_cache import count_rows
from api.services.ingest.readers.identifiers import normalize_arxiv_id, normalize_doi
from api.services.lookup import not_found
from api.services.pagination import (
    FIRST_PAGE,
    Page,
    PageRequest,
    SortKey,
    keyset_page,
    order_named,
    ranked_in_memory,
    slice_page,
    table_page,
)
from api.services.search import search_ids
from api.services.sql import AnySelect
from api.services.techniques import category_subtree_ids
from api.services.views import Ref, View, column, present, rows_by_id, slug_ref
from api.services.vocabulary import Slugs, Text, Whole, check_slugs, key

_PAPER_AUTHORS: sa.Table = m.PaperAuthor.__table__  # type: ignore[attr-defined]
_AUTHORS: sa.Table = m.Author.__table__  # type: ignore[attr-defined]


def _authors(session: Session, rows: Sequence[Any]) -> dict[Any, Any]:
    # Table columns, not the models' attributes: a statement of ORM attributes goes through
    # the ORM's execution (compile state, row loading), which cost more than the query itself.
    names: dict[Any, list[str]] = {}
    for paper_id, name in session.connection().execute(
        sa.select(_PAPER_AUTHORS.c.paper_id, _AUTHORS.c.name)
        .join(_AUTHORS, _AUTHORS.c.id == _PAPER_AUTHORS.c.author_id)
        .where(_PAPER_AUTHORS.c.paper_id.in_([r.id for r in rows]))
        .order_by(_PAPER_AUTHORS.c.paper_id, _PAPER_AUTHORS.c.position)
    ):
        names.setdefault(paper_id, []).append(name)
    return names


PAPER = View(
    m.Paper,
    (
        column(m.Paper, "bibtex_key", rest="key"),
        column(m.Paper, "entry_type"),
        column(m.Paper, "title"),
        column(m.Paper, "year"),
        column(m.Paper, "month"),
        column(m.Paper, "venue"),
        column(m.Paper, "doi"),
        column(m.Paper, "arxiv_id"),
        column(m.Paper, "url"),
        column(m.Paper, "preprint_url"),
        column(m.Paper, "joined_by"),
        column(m.Paper, "abstract"),
    ),
    (Ref("authors", list[str], "Author names in order.", _authors, list),),
)
AUTHOR = View(
    m.Author,
    (column(m.Author, "name"), column(m.Author, "family"), column(m.Author, "given")),
)


def _papers(session: Session, rows: Sequence[Any]) -> dict[Any, Any]:
    found = rows_by_id(session, m.Paper, {r.paper_id for r in rows})
    shown = dict(zip(found, present(session, PAPER, list(found.values())), strict=True))
    return {r.id: shown[r.paper_id] for r in rows}


CITATION = View(
    m.TechniqueCitation,
    (
        column(m.TechniqueCitation, "position"),
        column(m.TechniqueCitation, "label"),
        column(m.TechniqueCitation, "url"),
    ),
    (
        slug_ref("technique", "Citing technique slug.", m.Technique, "technique_id"),
        Ref("paper", PAPER, "The cited work.", _papers),
    ),
)
ENGINE_PAPER = View(
    m.EnginePaper,
    (
        column(m.EnginePaper, "position"),
        column(m.EnginePaper, "label"),
        column(m.EnginePaper, "url"),
    ),
    (
        slug_ref("engine", "Engine slug.", m.Engine, "engine_id"),
        Ref("paper", PAPER, "The paper.", _papers),
    ),
)


@dataclass(frozen=True)
class PaperFilter:
    year_from: int | None = key(
        Whole(1000, 2100), rest="year_from", description="Published in or after this year"
    )
    year_to: int | None = key(
        Whole(1000, 2100), rest="year_to", description="Published in or before this year"
    )
    techniques: tuple[str, ...] = key(
        Slugs(m.Technique, "technique", many=True),
        rest="technique",
        graphql="techniques",
        description="Cited by any of these technique slugs",
    )
    category: str | None = key(
        Slugs(m.TechniqueCategory, "category"),
        rest="category",
        description="Cited by a technique of this category or its sub-categories",
    )
    author: str | None = key(Text(), rest="author", description="Substring of an author's name")
    venue: str | None = key(Text(), rest="venue", description="Substring of the venue")
    text: str | None = key(
        Text(),
        rest="q",
        graphql="text",
        description="Full-text query over title and abstract; results ranked by relevance",
    )


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
PAPER_ORDERS = {order: [*keys, SortKey(col(m.Paper.id))] for order, keys in _KEYS.items()}
"""Every order of the paper list, whole (ties broken by id): its cursors' grammar."""
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
    columns: Sequence[str] | None = None,
) -> Page[m.Paper]:
    """A page of papers. `columns` (those of a view, `view_columns`) narrows what a keyset
    page reads: a paper's BibTeX fields and arXiv categories are JSON, decoded per row, and
    no list shows them."""
    f = paper_filter or PaperFilter()
    terms = _filter_terms(session, f)
    conditions = terms.read_all()
    among_hits: list[Any] = []
    if f.text:
        hits = search_ids(session, "paper", f.text, limit=10_000)
        if ranked_in_memory(page):
            return _ranked_papers(session, [h.id for h in hits], conditions, page)
        # A cursor of a keyset order decides: the hits, read in that order.
        among_hits = [col(m.Paper.id).in_([h.id for h in hits])]
    # The page walks the list in order and stops once full; the count reads every match.
    statement = select(m.Paper).where(*terms.walked_in_order(session), *among_hits)
    order = order_named(page, PAPER_ORDERS, order)
    return keyset_page(
        session,
        statement,
        PAPER_ORDERS[order],
        page,
        lambda p: [*_VALUES[order](p), p.id],
        counted=select(m.Paper).where(*conditions, *among_hits),
        counted_by=None if among_hits else terms.counted_alone(),
        columns=columns,
    )


def _ranked_papers(
    session: Session, hits: list[int], conditions: list[Any], page: PageRequest
) -> Page[m.Paper]:
    """Relevance order: ranked in the database, then paged through in memory."""
    if not hits:
        return slice_page([], page)
    allowed = set(
        session.scalars(sa.select(col(m.Paper.id)).where(col(m.Paper.id).in_(hits), *conditions))
    )
    ranked = [h for h in hits if h in allowed]
    window = slice_page(ranked, page)
    rows = {p.id: p for p in session.exec(select(m.Paper).where(col(m.Paper.id).in_(window.items)))}
    return Page(
        [rows[i] for i in window.items],
        window.cursor_at,
        window.has_next,
        window.has_previous,
        window.count,
        select(m.Paper).where(col(m.Paper.id).in_(ranked)),
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
    """Citation filters, each a select of the cited papers' ids (its one column)."""
    members: SelectOfScalar[int] | None = None
    """The category filter's papers as `category_paper` rows, one per paper, when it is
    read from that table."""

    def counted_alone(self) -> SelectOfScalar[int] | None:
        """The category filter's own rows, when it is the only term: each names an existing
        paper once (its key and foreign key), so counting them counts the matching papers
        without reading `paper` or the citations."""
        if self.members is None or self.plain or len(self.cited) != 1:
            return None
        return self.members

    def read_all(self) -> list[sa.ColumnElement[bool]]:
        return [*self.plain, *(col(m.Paper.id).in_(cited) for cited in self.cited)]

    def walked_in_order(self, session: Session) -> list[sa.ColumnElement[bool]]:
        """The same terms for a page read in list order, which stops once it is full."""
        return [*self.plain, *(_cited_while_walking(session, cited) for cited in self.cited)]


def _filter_terms(session: Session, f: PaperFilter) -> _FilterTerms:
    # `year_from` after `year_to` is an empty range: it matches nothing, like any filter
    # whose conditions exclude each other (the document cannot relate two keys' values).
    ids = check_slugs(session, f)
    plain: list[sa.ColumnElement[bool]] = []
    cited: list[SelectOfScalar[int]] = []
    if f.year_from is not None:
        plain.append(col(m.Paper.year) >= f.year_from)
    if f.year_to is not None:
        plain.append(col(m.Paper.year) <= f.year_to)
    if f.techniques:
        cited.append(
            select(m.TechniqueCitation.paper_id).where(
                col(m.TechniqueCitation.technique_id).in_(list(ids["techniques"].values()))
            )
        )
    members = None
    if f.category:
        categories = category_subtree_ids(session, f.category)
        if session.info.get(AS_OF_INFO) is None:
            members = _papers_of_categories(categories)
            cited.append(members)
        else:
            # An as-of session reads past citations through views of their history, while
            # `category_paper` holds the present: the citations themselves, then.
            cited.append(
                select(m.TechniqueCitation.paper_id)
                .join(m.Technique, col(m.Technique.id) == m.TechniqueCitation.technique_id)
                .where(col(m.Technique.category_id).in_(categories))
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
    return _FilterTerms(plain, cited, members)


def _papers_of_categories(categories: list[int]) -> SelectOfScalar[int]:
    """Each paper cited by a technique of one of `categories`, once
    (`api/membership_schema.py` keeps the rows)."""
    paper_id = col(m.CategoryPaper.paper_id)
    if len(categories) == 1:  # the key (category, paper): one row per paper already
        return select(paper_id).where(col(m.CategoryPaper.category_id) == categories[0])
    return select(paper_id).where(col(m.CategoryPaper.category_id).in_(categories)).distinct()


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
        # Probed by paper id (the citing table's paper index), then the filter's own terms.
        paper_id = cited.selected_columns[0]
        return cited.where(paper_id == m.Paper.id).correlate(m.Paper).exists()
    return col(m.Paper.id).in_(cited)


def find_paper(
    session: Session,
    *,
    key: str | None = None,
    arxiv_id: str | None = None,
    doi: str | None = None,
) -> m.Paper | None:
    """By BibTeX key, arXiv id (any version, with or without `arXiv:`) or DOI (any case); an
    identifier a merge absorbed finds the paper that absorbed it."""
    statement = select(m.Paper)
    if key is not None:
        statement = statement.where(m.Paper.bibtex_key == key)
        alias = (m.AliasKind.KEY, key)
    elif arxiv_id is not None:
        value = normalize_arxiv_id(arxiv_id)
        statement = statement.where(m.Paper.arxiv_id == value)
        alias = (m.AliasKind.ARXIV, value)
    elif doi is not None:
        value = normalize_doi(doi).lower()
        statement = statement.where(sa.func.lower(m.Paper.doi) == value)
        alias = (m.AliasKind.DOI, value)
    else:
        return None
    found = session.exec(statement).first()
    if found is not None:
        return found
    return session.exec(
        select(m.Paper)
        .join(m.PaperAlias, col(m.PaperAlias.paper_id) == m.Paper.id)
        .where(m.PaperAlias.kind == alias[0], m.PaperAlias.value == alias[1])
    ).first()


def get_paper(session: Session, key: str, columns: Sequence[str] | None = None) -> m.Paper:
    """By BibTeX key; a key a merge absorbed is a `MovedError` naming the survivor's key,
    an unknown one a 404 naming the closest keys. With `columns` (a view's, `view_columns`),
    the paper is a plain row of those columns only, as a keyset page's are."""
    paper: Any
    if columns is None:
        paper = session.exec(select(m.Paper).where(m.Paper.bibtex_key == key)).first()
    else:
        papers: sa.Table = m.Paper.__table__  # type: ignore[attr-defined]
        paper = (
            session.connection()
            .execute(
                sa.select(*(papers.c[name] for name in columns)).where(papers.c.bibtex_key == key)
            )
            .first()
        )
    if paper is not None:
        return paper  # type: ignore[no-any-return]
    survivor = find_paper(session, key=key)
    if survivor is not None:
        raise MovedError(
            f"paper {key} was merged into {survivor.bibtex_key}",
            [Problem("merged", field="key", value=survivor.bibtex_key)],
            old_key=key,
            new_key=survivor.bibtex_key,
        )
    raise not_found("paper", key, session.exec(select(m.Paper.bibtex_key)), "key")


def paper_aliases(session: Session, paper_id: int) -> list[m.PaperAlias]:
    """The identifiers a paper absorbed by merges."""
    return list(
        session.exec(
            select(m.PaperAlias)
            .where(m.PaperAlias.paper_id == paper_id)
            .order_by(col(m.PaperAlias.id))
        )
    )


def technique_citations(session: Session, technique: m.Technique) -> list[m.TechniqueCitation]:
    """In the survey's order, with its labels."""
    return list(
        session.exec(
            select(m.TechniqueCitation)
            .where(m.TechniqueCitation.technique_id == technique.id)
            .order_by(col(m.TechniqueCitation.source_id), col(m.TechniqueCitation.position))
        )
    )


def paper_citations(session: Session, paper: m.Paper) -> list[m.TechniqueCitation]:
    return list(
        session.exec(
            select(m.TechniqueCitation)
            .where(m.TechniqueCitation.paper_id == paper.id)
            .order_by(col(m.TechniqueCitation.technique_id))
        )
    )


def engine_papers(session: Session, engine: m.Engine) -> list[m.EnginePaper]:
    """An engine's own papers, in the survey's order."""
    return list(
        session.exec(
            select(m.EnginePaper)
            .where(m.EnginePaper.engine_id == engine.id)
            .order_by(col(m.EnginePaper.position))
        )
    )


def papers_of_engines(session: Session, paper: m.Paper) -> list[m.EnginePaper]:
    """The engines whose own paper this is."""
    return list(session.exec(select(m.EnginePaper).where(m.EnginePaper.paper_id == paper.id)))


def papers_by_ids(session: Session, ids: Sequence[int], order_by_key: bool = True) -> list[m.Paper]:
    statement = select(m.Paper).where(col(m.Paper.id).in_(list(ids)))
    if order_by_key:
        statement = statement.order_by(col(m.Paper.bibtex_key))
    return list(session.exec(statement))


def cited_papers(session: Session, citations: Sequence[m.TechniqueCitation]) -> list[m.Paper]:
    """The distinct papers of some citations, in citation order."""
    by_id = rows_by_id(session, m.Paper, {c.paper_id for c in citations})
    return list({c.paper_id: by_id[c.paper_id] for c in citations}.values())


@dataclass(frozen=True)
class AuthorFilter:
    name: str | None = key(Text(), rest="name", description="Substring of the name")


def list_authors(
    session: Session, f: AuthorFilter | None = None, page: PageRequest = FIRST_PAGE
) -> Page[m.Author]:
    f = f or AuthorFilter()
    where = [] if not f.name else [sa.func.lower(m.Author.name).like(f"%{f.name.casefold()}%")]
    return table_page(session, m.Author, "name_key", page, *where)


def papers_selected(session: Session, selection: AnySelect) -> list[m.Paper]:
    """The papers a SELECT of paper ids picks, by cite key."""
    return list(
        session.exec(
            select(m.Paper).where(col(m.Paper.id).in_(selection)).order_by(col(m.Paper.bibtex_key))
        )
    )
