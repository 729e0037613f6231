"""BibTeX output: one paper's entry (`paper_entry`), or any paper result set streamed entry
by entry (`bibtex_stream`), written the same way.

An entry carries the source's raw LaTeX fields when they are stored, otherwise fields built
from the columns; its key is the stored `bibtex_key`.
"""

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Protocol

from bibtexparser import model as bib
from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from pylatexenc.latexencode import unicode_to_latex
from sqlmodel import Session

import models as m
from api.services.exports.papers import PaperSelection, paper_records

MEDIA_TYPE = "application/x-bibtex; charset=utf-8"

# Fields in the order reference managers expect; any others follow alphabetically.
_FIELD_ORDER = (
    "title",
    "author",
    "editor",
    "booktitle",
    "journal",
    "volume",
    "number",
    "pages",
    "publisher",
    "organization",
    "institution",
    "school",
    "howpublished",
    "year",
    "month",
    "doi",
    "eprint",
    "archiveprefix",
    "primaryclass",
    "url",
    "note",
)
_MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Where the decoded `venue` column goes when fields are rebuilt from columns.
_VENUE_FIELD = {
    "article": "journal",
    "inproceedings": "booktitle",
    "conference": "booktitle",
    "incollection": "booktitle",
    "misc": "howpublished",
    "online": "howpublished",
}


class AuthorColumns(Protocol):
    """An author's decoded name (an `Author` row, or the exports' `AuthorName`)."""

    @property
    def family(self) -> str: ...
    @property
    def given(self) -> str | None: ...


_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:./+-]+")


def export_key(stored: str) -> str:
    """The cite key an export writes: the stored key when BibTeX takes it as it is (letters,
    digits and `_:./+-`, so ACM's `10.1145/3803798` stays), else accents folded, other
    characters made `-` and a short digest of the stored key appended, so that two stored
    keys never export as one and a key exports the same way every time."""
    if not _KEY_UNSAFE.search(stored) and stored:
        return stored
    folded = unicodedata.normalize("NFKD", stored)
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    safe = _KEY_UNSAFE.sub("-", plain).strip("-") or "paper"
    digest = hashlib.sha256(stored.encode("utf-8")).hexdigest()[:6]
    return f"{safe}-{digest}"


def paper_entry(paper: m.Paper, authors: Sequence[AuthorColumns]) -> str:
    """One paper's entry, as `bibtex_stream` writes it; `authors` in the paper's order.

    `paper` may also be a Core row of the paper table (GraphQL's batches load those).
    """
    library = Library()
    ordered = sorted(
        paper_bibtex_fields(paper, authors).items(),
        key=lambda item: (
            _FIELD_ORDER.index(item[0]) if item[0] in _FIELD_ORDER else len(_FIELD_ORDER),
            item[0],
        ),
    )
    library.add(
        bib.Entry(
            paper.entry_type,
            export_key(paper.bibtex_key),
            [bib.Field(name, _enclose(name, value)) for name, value in ordered],
        )
    )
    # Values are enclosed above, so the default enclosing middleware must not run again.
    return str(write_string(library, unparse_stack=[]))


def bibtex_stream(session: Session, selection: PaperSelection) -> Iterator[str]:
    """One chunk per entry, ordered by cite key."""
    first = True
    for record in paper_records(session, selection):
        chunk = paper_entry(record.paper, record.authors)
        yield chunk if first else "\n" + chunk
        first = False


def paper_bibtex_fields(paper: m.Paper, authors: Sequence[AuthorColumns]) -> dict[str, str]:
    """The source's raw LaTeX fields when stored; otherwise fields built from the columns.

    Papers from the survey keep their BibTeX exactly as checked. Papers ingested later
    (from arXiv, say) have only decoded columns, which are re-encoded as LaTeX here.
    """
    if paper.bibtex_fields:
        return {name: str(value) for name, value in paper.bibtex_fields.items()}
    fields: dict[str, str] = {}
    if paper.title:
        fields["title"] = _latex(paper.title)
    if authors:
        fields["author"] = " and ".join(
            _latex(f"{a.family}, {a.given}" if a.given else a.family) for a in authors
        )
    if paper.venue:
        fields[_VENUE_FIELD.get(paper.entry_type, "publisher")] = _latex(paper.venue)
    if paper.year is not None:
        fields["year"] = str(paper.year)
    if paper.month is not None:
        fields["month"] = _MONTH_MACROS[paper.month - 1]
    if paper.doi:
        fields["doi"] = paper.doi
    if paper.arxiv_id:
        fields["eprint"] = paper.arxiv_id
        fields["archiveprefix"] = "arXiv"
    if paper.url:
        fields["url"] = paper.url
    if paper.abstract:
        fields["abstract"] = _latex(paper.abstract)
    return fields


def _enclose(name: str, value: str) -> str:
    if name == "month" and value.lower() in _MONTH_MACROS:
        return value.lower()
    return "{" + value + "}"


def _latex(text: str) -> str:
    # Braces, `&`, `%`, `#`, `_` and non-ASCII letters would otherwise break the entry
    # or be misread by BibTeX.
    return str(unicode_to_latex(text, unknown_char_policy="keep"))
