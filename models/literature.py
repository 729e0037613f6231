"""Papers (and other cited works), their authors, and who cites them."""

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from models.base import enum_column


class PaperBase(SQLModel):
    bibtex_key: str = Field(max_length=120, unique=True, description="Stable cite key.")
    entry_type: str = Field(max_length=40, description="BibTeX type: article, misc, software, …")
    title: str | None = Field(
        default=None, description="Title for display, LaTeX decoded; empty when unverified."
    )
    year: int | None = Field(
        default=None,
        ge=1000,
        le=2100,
        description="Publication year (for preprints, of the first version).",
    )
    month: int | None = Field(default=None, ge=1, le=12, description="Publication month, 1-12.")
    venue: str | None = Field(
        default=None, description="Journal, booktitle or publisher, LaTeX decoded."
    )
    doi: str | None = Field(
        default=None,
        max_length=200,
        unique=True,
        description="Digital Object Identifier, without `https://doi.org/`.",
    )
    arxiv_id: str | None = Field(
        default=None, max_length=40, unique=True, description="Versionless arXiv identifier."
    )
    url: str | None = Field(default=None, max_length=500, description="Where the work can be read.")
    abstract: str | None = Field(default=None, description="Abstract, when known.")


class Paper(PaperBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", ondelete="RESTRICT", index=True)
    bibtex_fields: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSON,
        description="Every BibTeX field as written in the source (raw LaTeX), for export.",
    )
    arxiv_version: int | None = Field(
        default=None, ge=1, description="Latest arXiv version seen (the `2` of `v2`)."
    )
    arxiv_published: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), description="When arXiv v1 appeared."
    )
    arxiv_updated: datetime | None = Field(
        default=None,
        sa_type=sa.DateTime(timezone=True),
        description="When the latest arXiv version appeared.",
    )
    primary_category: str | None = Field(
        default=None, max_length=40, description="arXiv primary category, e.g. `cs.DC`."
    )
    categories: list[str] | None = Field(
        default=None, sa_type=JSON, description="Every arXiv category, primary first."
    )
    journal_ref: str | None = Field(default=None, description="arXiv journal reference.")
    comment: str | None = Field(default=None, description="arXiv author comment.")
    pdf_url: str | None = Field(default=None, max_length=500)
    identity_key: str | None = Field(
        default=None,
        max_length=600,
        index=True,
        description="Normalized title (case, accents, punctuation and spacing removed): "
        "the title evidence of matching, checked against authors and year.",
    )
    preprint_url: str | None = Field(
        default=None,
        max_length=500,
        description="Where the preprint can be read, when `url` is the published version's.",
    )
    joined_by: str | None = Field(
        default=None,
        max_length=60,
        description="The rule that made a preprint and its published version this one paper: "
        "`one record` (a source named both), `doi`, `arxiv id`, `title, authors and year`, "
        "or `curator merge`.",
    )


# Read paths at scale (bench/scale.py): the paper list orders (`(year IS NULL), year DESC, id`
# is the default; NULLs sort last portably) read straight from an index instead of sorting the
# whole table per page, a year filter is a range scan, and DOI lookups (case-insensitive) are
# an index probe. Expression indexes, so they are declared on the table, not on fields.
_paper = sa.inspect(Paper).local_table.c
sa.Index("ix_paper_year_desc_order", _paper.year.is_(None), _paper.year.desc(), _paper.id)
sa.Index("ix_paper_year_asc_order", _paper.year.is_(None), _paper.year, _paper.id)
sa.Index(
    "ix_paper_title_order",
    sa.func.lower(_paper.title).is_(None),
    sa.func.lower(_paper.title),
    _paper.id,
)
sa.Index("ix_paper_year", _paper.year)
sa.Index("ix_paper_doi_lower", sa.func.lower(_paper.doi))


class Author(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, description="Display name, LaTeX decoded: `Given Family`.")
    family: str = Field(max_length=200, description="Family name, LaTeX decoded.")
    given: str | None = Field(
        default=None, max_length=200, description="Given names, LaTeX decoded."
    )
    name_key: str = Field(max_length=300, description="Case-folded `family, given` identity.")


class PaperAuthor(SQLModel, table=True):
    __tablename__ = "paper_author"

    paper_id: int = Field(foreign_key="paper.id", ondelete="CASCADE", primary_key=True)
    position: int = Field(primary_key=True, ge=0)
    author_id: int = Field(foreign_key="author.id", ondelete="RESTRICT", index=True)
    raw_name: str = Field(max_length=300, description="The name exactly as in the BibTeX source.")
    affiliations: list[str] | None = Field(
        default=None, sa_type=JSON, description="Affiliations for this paper, when given."
    )


class TechniqueCitation(SQLModel, table=True):
    """A technique table cites a paper; keeps the survey's label, link and order."""

    __tablename__ = "technique_citation"
    __table_args__ = (
        sa.UniqueConstraint("technique_id", "source_id", "position"),
        # Covers "papers cited by these techniques" (filters) without reading table rows.
        sa.Index("ix_technique_citation_technique_paper", "technique_id", "paper_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    technique_id: int = Field(foreign_key="technique.id", ondelete="CASCADE", index=True)
    paper_id: int = Field(foreign_key="paper.id", ondelete="RESTRICT", index=True)
    position: int = Field(ge=0, description="Order among the technique's citations, from 0.")
    label: str = Field(max_length=200, description="As printed, e.g. `Li et al. (2024a)`.")
    url: str = Field(max_length=500, description="The link the source used.")
    source_id: int = Field(foreign_key="source.id", ondelete="RESTRICT", index=True)


class CategoryPaper(SQLModel, table=True):
    """A paper cited by a technique of a category: derived from the citations.

    Written only by the database's triggers (api/membership_schema.py), never by the
    application; one row per pair that at least one citation makes."""

    __tablename__ = "category_paper"
    __table_args__ = (
        # The papers of a category are the primary key's range; this one finds a paper's
        # categories (a page's per-paper probe, a citation's trigger).
        sa.Index("ix_category_paper_paper_category", "paper_id", "category_id"),
    )

    category_id: int = Field(
        foreign_key="technique_category.id", ondelete="CASCADE", primary_key=True
    )
    paper_id: int = Field(foreign_key="paper.id", ondelete="CASCADE", primary_key=True)
    citations: int = Field(
        ge=1, description="Citations of the paper by the category's own techniques."
    )


class EnginePaper(SQLModel, table=True):
    """An engine's own paper(s)."""

    __tablename__ = "engine_paper"
    __table_args__ = (sa.UniqueConstraint("engine_id", "paper_id"),)

    id: int | None = Field(default=None, primary_key=True)
    engine_id: int = Field(foreign_key="engine.id", ondelete="CASCADE", index=True)
    paper_id: int = Field(foreign_key="paper.id", ondelete="RESTRICT", index=True)
    position: int = Field(ge=0, description="Order among the engine's papers, from 0.")
    label: str = Field(max_length=100, description="As printed, e.g. `Paper1`.")
    url: str = Field(max_length=500, description="The link the source used.")
    source_id: int = Field(foreign_key="source.id", ondelete="RESTRICT", index=True)


class AliasKind(StrEnum):
    KEY = "key"
    DOI = "doi"
    ARXIV = "arxiv"


class PaperMerge(SQLModel, table=True):
    """A curator's merge of one paper into another, with what undoing it needs."""

    __tablename__ = "paper_merge"

    id: int | None = Field(default=None, primary_key=True)
    survivor_id: int = Field(
        index=True,
        description="The paper that absorbed the other (no foreign key: it may be "
        "absorbed in turn).",
    )
    absorbed_id: int = Field(description="The id the absorbed paper had; undo restores it.")
    absorbed_key: str = Field(max_length=120, description="The absorbed paper's cite key.")
    snapshot: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSON,
        description="The absorbed paper's row and rows, and the survivor's columns before.",
    )
    note: str | None = Field(default=None, description="Why, as the curator said.")
    merged_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    undone_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class PaperAlias(SQLModel, table=True):
    """An identifier a paper absorbed by a merge: lookups by it find the survivor."""

    __tablename__ = "paper_alias"
    __table_args__ = (sa.UniqueConstraint("kind", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="paper.id", ondelete="CASCADE", index=True)
    kind: AliasKind = Field(sa_type=enum_column(AliasKind, "alias_kind"))
    value: str = Field(
        max_length=200, description="Key as written; DOI lower-cased; arXiv id without version."
    )
    merge_id: int = Field(foreign_key="paper_merge.id", ondelete="CASCADE", index=True)
