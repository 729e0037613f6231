"""CSL-JSON (the citation format of Zotero, Pandoc and citeproc) of any paper result set."""

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session

from api.services.exports.papers import PaperRecord, PaperSelection, paper_records
from api.services.exports.text import decode_latex, json_text

MEDIA_TYPE = "application/vnd.citationstyles.csl+json"

_TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "book": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "techreport": "report",
    "software": "software",
    "online": "webpage",
    "manual": "report",
}
# CSL variables filled from raw BibTeX fields when the survey recorded them.
_RAW_VARIABLES = {"volume": "volume", "number": "issue", "pages": "page"}


def csl_json_stream(session: Session, selection: PaperSelection) -> Iterator[str]:
    """A JSON array, one item per chunk, in the same order and with the same ids as BibTeX."""
    yield "["
    first = True
    for record in paper_records(session, selection):
        yield ("\n" if first else ",\n") + json_text(csl_item(record))
        first = False
    yield "\n]\n"


def csl_item(record: PaperRecord) -> dict[str, Any]:
    paper = record.paper
    item: dict[str, Any] = {"id": paper.bibtex_key, "type": csl_type(record)}
    if paper.title:
        item["title"] = paper.title
    if record.authors:
        item["author"] = [
            {"family": a.family, "given": a.given} if a.given else {"family": a.family}
            for a in record.authors
        ]
    if paper.year is not None:
        item["issued"] = {
            "date-parts": [[paper.year] if paper.month is None else [paper.year, paper.month]]
        }
    venue = paper.venue
    if paper.arxiv_id and item["type"] == "article":
        # Zotero's convention for preprints: arXiv is the publisher and archive, and the
        # identifier is the number. Published versions are cited by their venue instead.
        item["number"] = f"arXiv:{paper.arxiv_id}"
        item["archive"] = "arXiv"
        item["publisher"] = "arXiv"
        venue = None
    if venue:
        if item["type"] in ("article-journal", "paper-conference", "chapter"):
            item["container-title"] = venue
        else:
            item["publisher"] = venue
    if paper.doi:
        item["DOI"] = paper.doi
    if paper.url:
        item["URL"] = paper.url
    if paper.abstract:
        item["abstract"] = paper.abstract
    raw = paper.bibtex_fields or {}
    for field, variable in _RAW_VARIABLES.items():
        if raw.get(field) and variable not in item:
            item[variable] = decode_latex(str(raw[field])).replace("--", "–")
    return item


def csl_type(record: PaperRecord) -> str:
    paper = record.paper
    entry_type = paper.entry_type.lower()
    if entry_type == "article" and paper.arxiv_id and _is_arxiv_venue(paper.venue):
        # `@article{journal = {arXiv preprint arXiv:…}}` is a preprint, not a journal paper.
        return "article"
    if entry_type in _TYPES:
        return _TYPES[entry_type]
    if entry_type == "misc":
        if paper.arxiv_id:
            return "article"
        return "webpage" if paper.url else "document"
    return "document"


def _is_arxiv_venue(venue: str | None) -> bool:
    return venue is None or "arxiv" in venue.lower()
