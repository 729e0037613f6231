"""What an ingest source says about one paper, in one shape for arXiv and BibTeX alike."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, Literal

from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

from api.services.ingest.readers.arxiv_feed import ArxivAuthor, ArxivEntry
from api.services.ingest.readers.bibtex import BibEntry, PersonName
from api.services.ingest.readers.identifiers import author_key

Origin = Literal["arxiv", "bibtex"]

ARXIV_OWNED = (
    "arxiv_version",
    "arxiv_published",
    "arxiv_updated",
    "primary_category",
    "categories",
    "journal_ref",
    "comment",
    "pdf_url",
)
"""Columns only arXiv states; the newest arXiv version seen wins."""
BIBLIOGRAPHIC = ("title", "year", "month", "venue", "url", "abstract")
IDENTIFIERS = ("arxiv_id", "doi")
_NON_WORD = re.compile(r"[^\w]+")
_PLAIN_NAME = re.compile(r"(?:[^\W\d_a-z][\w.'-]*\s+)+[^\W\d_a-z][\w'-]*")
"""Every word starts with a capital letter (so no `van`/`de` particles) and the last one is
not an initial or a suffix such as `Jr.`."""
_IDENTITY_TITLE_LIMIT = 450


@dataclass(frozen=True)
class IncomingAuthor:
    raw: str
    family: str
    given: str | None
    affiliations: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        return f"{self.given} {self.family}" if self.given else self.family

    @property
    def key(self) -> str:
        """Same identity rule as the survey seed (`author_key`)."""
        return author_key(self.family, self.given)


@dataclass(frozen=True)
class IncomingPaper:
    origin: Origin
    location: str
    """Where the entry is: the arXiv id, or `file:line`."""
    cite_key: str | None
    """The BibTeX key the file used; None for arXiv, whose papers get a generated key."""
    entry_type: str
    columns: dict[str, Any]
    """Paper columns the source states (None where it states nothing)."""
    bibtex_fields: dict[str, str]
    authors: tuple[IncomingAuthor, ...]
    identity_key: str | None = field(init=False)
    arxiv_id: str | None = field(init=False)
    doi_key: str | None = field(init=False)
    """The DOI case-folded, as matching compares it."""

    def __post_init__(self) -> None:
        # Computed once: matching asks for them several times per stored candidate.
        object.__setattr__(self, "identity_key", identity_key(self.columns.get("title")))
        arxiv_id, doi = self.columns.get("arxiv_id"), self.columns.get("doi")
        object.__setattr__(self, "arxiv_id", str(arxiv_id) if arxiv_id else None)
        object.__setattr__(self, "doi_key", str(doi).casefold() if doi else None)


def normalize_words(text: str) -> str:
    """Case, accents, punctuation and spacing removed: `Fréchet-GPUs!` → `frechet gpus`."""
    plain = text.casefold()
    if not plain.isascii():
        decomposed = unicodedata.normalize("NFKD", plain)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", plain).split())


def identity_key(title: str | None) -> str | None:
    """The normalized title matching looks papers up by, or None without a title."""
    if not title:
        return None
    return normalize_words(title)[:_IDENTITY_TITLE_LIMIT] or None


def from_arxiv(entry: ArxivEntry) -> IncomingPaper:
    authors = tuple(_arxiv_author(author) for author in entry.authors)
    abs_url = f"https://arxiv.org/abs/{entry.arxiv_id}"
    columns: dict[str, Any] = {
        "title": entry.title,
        "year": entry.published.year,
        "month": entry.published.month,
        "venue": None,
        "url": abs_url,
        "abstract": entry.abstract,
        "arxiv_id": entry.arxiv_id,
        "doi": entry.doi,
        "arxiv_version": entry.version,
        "arxiv_published": entry.published.astimezone(UTC),
        "arxiv_updated": entry.updated.astimezone(UTC),
        "primary_category": entry.primary_category,
        "categories": list(entry.categories),
        "journal_ref": entry.journal_ref,
        "comment": entry.comment,
        "pdf_url": entry.pdf_url,
    }
    fields = {
        "title": entry.title,
        "author": " and ".join(author.raw for author in authors),
        "year": str(entry.published.year),
        "eprint": entry.arxiv_id,
        "archiveprefix": "arXiv",
        "primaryclass": entry.primary_category,
        "url": abs_url,
    }
    if entry.doi:
        fields["doi"] = entry.doi
    return IncomingPaper(
        origin="arxiv",
        location=entry.versioned_id,
        cite_key=None,
        entry_type="misc",
        columns=columns,
        bibtex_fields=fields,
        authors=authors,
    )


def _arxiv_author(author: ArxivAuthor) -> IncomingAuthor:
    # arXiv writes plain `Given Family` names. The common case (capitalized words, no comma
    # or brace) splits at the last space; anything else goes through BibTeX's name rules.
    words = author.name.split()
    if len(words) > 1 and _PLAIN_NAME.fullmatch(author.name):
        return IncomingAuthor(author.name, words[-1], " ".join(words[:-1]), author.affiliations)
    try:
        parts = parse_single_name_into_parts(author.name)
        family = " ".join([*parts.von, *parts.last, *parts.jr])
        given = " ".join(parts.first) or None
    except InvalidNameError:
        family, given = author.name, None
    if not family:
        family, given = author.name, None
    return IncomingAuthor(author.name, family, given, author.affiliations)


def from_bibtex(entry: BibEntry, file_name: str) -> IncomingPaper:
    columns: dict[str, Any] = {
        "title": entry.title,
        "year": entry.year,
        "month": entry.month,
        "venue": entry.venue,
        "url": entry.url,
        "abstract": entry.abstract,
        "arxiv_id": entry.arxiv_id,
        "doi": entry.doi,
    }
    return IncomingPaper(
        origin="bibtex",
        location=f"{file_name}:{entry.line}",
        cite_key=entry.key,
        entry_type=entry.entry_type,
        columns=columns,
        bibtex_fields=dict(entry.fields),
        authors=tuple(_bib_author(person) for person in entry.authors),
    )


def _bib_author(person: PersonName) -> IncomingAuthor:
    return IncomingAuthor(person.raw, person.family, person.given)
