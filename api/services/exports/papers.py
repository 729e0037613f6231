"""Paper result sets for the citation exports: which papers, in a stable order, in batches."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.services.lookup import by_slug
from api.services.sql import AnySelect
from api.services.techniques import category_subtree_ids
from models.base import SupportStatus

PaperSelection = Iterable[int] | AnySelect
"""Either paper ids, or a `select(Paper.id)…` (a `select(Paper)…` works too) to filter by."""

# Small enough for SQLite's bound-parameter limit, large enough to keep round trips few.
BATCH_SIZE = 50


@dataclass(frozen=True)
class AuthorName:
    family: str
    given: str | None
    raw_name: str
    key: str
    """The author's identity across papers (`Author.name_key`)."""


@dataclass(frozen=True)
class PaperRecord:
    paper: m.Paper
    authors: list[AuthorName]
    """In the paper's author order."""


def paper_records(
    session: Session, selection: PaperSelection, batch_size: int = BATCH_SIZE
) -> Iterator[PaperRecord]:
    """The selected papers ordered by cite key, with their ordered authors, read in batches."""
    for ids in _id_batches(session, selection, batch_size):
        papers = {p.id: p for p in session.exec(select(m.Paper).where(col(m.Paper.id).in_(ids)))}
        authors = _authors(session, ids)
        for paper_id in ids:
            yield PaperRecord(papers[paper_id], authors.get(paper_id, []))


def _id_batches(
    session: Session, selection: PaperSelection, batch_size: int
) -> Iterator[list[int]]:
    if isinstance(selection, sa.Select):
        yield from _keyset_batches(session, selected_ids(selection), batch_size)
        return
    # The caller already holds the ids, so sorting them by key in memory costs no more.
    wanted = sorted(set(selection))
    keyed: list[tuple[str, int]] = []
    for start in range(0, len(wanted), batch_size):
        chunk = wanted[start : start + batch_size]
        keyed += session.execute(
            sa.select(col(m.Paper.bibtex_key), col(m.Paper.id)).where(col(m.Paper.id).in_(chunk))
        )
    keyed.sort()
    for start in range(0, len(keyed), batch_size):
        yield [paper_id for _, paper_id in keyed[start : start + batch_size]]


def selected_ids(selection: AnySelect) -> AnySelect:
    """The selection as a SELECT of paper ids only."""
    if len(selection.selected_columns) == 1:
        return selection
    return selection.with_only_columns(col(m.Paper.id))


def _keyset_batches(session: Session, ids: AnySelect, batch_size: int) -> Iterator[list[int]]:
    # Keyset paging on the unique cite key: each batch is one indexed range query, so
    # neither the database nor we hold more than one batch, and the order is stable.
    last: str | None = None
    while True:
        statement = (
            sa.select(col(m.Paper.bibtex_key), col(m.Paper.id))
            .where(col(m.Paper.id).in_(ids))
            .order_by(col(m.Paper.bibtex_key))
            .limit(batch_size)
        )
        if last is not None:
            statement = statement.where(col(m.Paper.bibtex_key) > last)
        rows = session.execute(statement).all()
        if not rows:
            return
        yield [paper_id for _, paper_id in rows]
        last = rows[-1][0]


def _authors(session: Session, paper_ids: list[int]) -> dict[int, list[AuthorName]]:
    rows = session.execute(
        sa.select(
            col(m.PaperAuthor.paper_id),
            col(m.Author.family),
            col(m.Author.given),
            col(m.PaperAuthor.raw_name),
            col(m.Author.name_key),
        )
        .join(m.Author, col(m.Author.id) == m.PaperAuthor.author_id)
        .where(col(m.PaperAuthor.paper_id).in_(paper_ids))
        .order_by(col(m.PaperAuthor.paper_id), col(m.PaperAuthor.position))
    )
    authors: dict[int, list[AuthorName]] = defaultdict(list)
    for paper_id, family, given, raw_name, key in rows:
        authors[paper_id].append(AuthorName(family, given, raw_name, key))
    return authors


# --- named result sets ---------------------------------------------------------------


def technique_papers(session: Session, slug: str) -> AnySelect:
    """Papers a technique cites."""
    technique = by_slug(session, m.Technique, slug, "technique", "technique")
    return sa.select(col(m.TechniqueCitation.paper_id)).where(
        col(m.TechniqueCitation.technique_id) == technique.id
    )


def category_papers(session: Session, slug: str) -> AnySelect:
    """Papers cited by every technique of a category and of all its sub-categories."""
    tree = category_subtree_ids(session, slug, "category")
    return (
        sa.select(col(m.TechniqueCitation.paper_id))
        .join(m.Technique, col(m.Technique.id) == m.TechniqueCitation.technique_id)
        .where(col(m.Technique.category_id).in_(tree))
    )


def engine_papers(session: Session, slug: str, *, include_own: bool = True) -> AnySelect:
    """Papers behind an engine: cited by the techniques of the matrix columns it supports.

    With `include_own`, also the engine's own papers (vLLM's PagedAttention paper).
    """
    engine = by_slug(session, m.Engine, slug, "engine", "engine")
    behind_features = (
        sa.select(col(m.TechniqueCitation.paper_id))
        .join(
            m.FeatureMember,
            col(m.FeatureMember.technique_id) == m.TechniqueCitation.technique_id,
        )
        .join(m.FeatureSupport, col(m.FeatureSupport.feature_id) == m.FeatureMember.feature_id)
        .where(
            col(m.FeatureSupport.engine_id) == engine.id,
            col(m.FeatureSupport.status) == SupportStatus.SUPPORTED,
        )
    )
    if not include_own:
        return behind_features
    own = sa.select(col(m.EnginePaper.paper_id)).where(col(m.EnginePaper.engine_id) == engine.id)
    return sa.select(col(m.Paper.id)).where(
        sa.or_(col(m.Paper.id).in_(behind_features), col(m.Paper.id).in_(own))
    )
