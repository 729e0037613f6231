"""BibTeX of any paper result set, streamed entry by entry."""

from collections.abc import Iterator

from pylatexenc.latexencode import unicode_to_latex
from sqlmodel import Session

from api.services.bibtex_export import entry_to_bibtex
from api.services.exports.papers import PaperRecord, PaperSelection, paper_records

MEDIA_TYPE = "application/x-bibtex; charset=utf-8"

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


def bibtex_stream(session: Session, selection: PaperSelection) -> Iterator[str]:
    """One chunk per entry, ordered by cite key; the key is the stored `bibtex_key`."""
    first = True
    for record in paper_records(session, selection):
        paper = record.paper
        chunk = entry_to_bibtex(paper.entry_type, paper.bibtex_key, paper_bibtex_fields(record))
        yield chunk if first else "\n" + chunk
        first = False


def paper_bibtex_fields(record: PaperRecord) -> dict[str, str]:
    """The source's raw LaTeX fields when stored; otherwise fields built from the columns.

    Papers from the survey keep their BibTeX exactly as checked. Papers ingested later
    (from arXiv, say) have only decoded columns, which are re-encoded as LaTeX here.
    """
    if record.paper.bibtex_fields:
        return {name: str(value) for name, value in record.paper.bibtex_fields.items()}
    paper = record.paper
    fields: dict[str, str] = {}
    if paper.title:
        fields["title"] = _latex(paper.title)
    if record.authors:
        fields["author"] = " and ".join(
            _latex(f"{a.family}, {a.given}" if a.given else a.family) for a in record.authors
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


def _latex(text: str) -> str:
    # Braces, `&`, `%`, `#`, `_` and non-ASCII letters would otherwise break the entry
    # or be misread by BibTeX.
    return str(unicode_to_latex(text, unknown_char_policy="keep"))
