"""CSL-JSON (the citation format of Zotero, Pandoc and citeproc) of any paper result set.

Items are built from the stored BibTeX fields the way pandoc's BibTeX reader maps them
(publisher, place, editor, edition, series, ISBN, ISSN, PMID, note, …), with the decoded
columns for what we normalise ourselves (title, authors, date, DOI, URL). Where we differ
from pandoc on purpose, docs/exports.md says so and tests/exports/test_csl_pandoc.py checks it.
"""

import re
from collections.abc import Iterator
from typing import Any

from bibtexparser.middlewares.names import InvalidNameError
from sqlmodel import Session

from api.services.exports.papers import AuthorName, PaperRecord, PaperSelection, paper_records
from api.services.exports.text import decode_latex, json_text
from api.services.ingest.readers.bibtex_names import name_parts, split_names

MEDIA_TYPE = "application/vnd.citationstyles.csl+json"

_TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "book": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "incollection": "chapter",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "techreport": "report",
    "unpublished": "manuscript",
    "software": "software",
    "online": "webpage",
    "manual": "book",
}
_CONTAINER_TYPES = ("article-journal", "paper-conference", "chapter")
_THESIS_GENRES = {"phdthesis": "PhD thesis", "mastersthesis": "Master’s thesis"}
# Raw fields copied to one CSL variable each, LaTeX decoded.
_PLAIN_VARIABLES = {
    "volume": "volume",
    "edition": "edition",
    "series": "collection-title",
    "chapter": "chapter-number",
    "isbn": "ISBN",
    "issn": "ISSN",
    "pmid": "PMID",
    "pmcid": "PMCID",
    "note": "note",
    "keywords": "keyword",
    "address": "publisher-place",
    "location": "publisher-place",
}
# Who published, in pandoc's order; several are joined with "; " as pandoc joins them.
_PUBLISHER_FIELDS = ("school", "institution", "organization", "howpublished", "publisher")
_URL_MACRO = re.compile(r"\s*\\url\{([^{}]*)\}\s*")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


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
    raw = {name.lower(): str(value) for name, value in (paper.bibtex_fields or {}).items()}
    item: dict[str, Any] = {"id": paper.bibtex_key, "type": csl_type(record)}
    if paper.title:
        item["title"] = paper.title
        short = _decoded(raw, "shorttitle") or _before_colon(paper.title)
        if short:
            item["title-short"] = short
    if record.authors:
        item["author"] = [_author(a) for a in record.authors]
    if editors := _names(raw.get("editor")):
        item["editor"] = editors
    if translators := _names(raw.get("translator")):
        item["translator"] = translators
    if paper.year is not None:
        item["issued"] = {
            "date-parts": [[paper.year] if paper.month is None else [paper.year, paper.month]]
        }
    if accessed := _date_parts(raw.get("urldate")):
        item["accessed"] = {"date-parts": [accessed]}
    if raw:
        _from_raw_fields(item, raw, paper.entry_type.lower())
    elif paper.venue:
        # A paper stored without its BibTeX fields has only the decoded venue column.
        item["container-title" if item["type"] in _CONTAINER_TYPES else "publisher"] = paper.venue
    if paper.arxiv_id and item["type"] == "article":
        # Zotero's preprint form: arXiv publishes it and the number identifies it. No
        # `archive` (Zotero's "Archive" is where a copy is held): with publisher and archive
        # both "arXiv", Chicago printed "arXiv. arXiv.". The arXiv "journal" is not a venue.
        item.pop("container-title", None)
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{paper.arxiv_id}"
    if paper.doi:
        item["DOI"] = paper.doi
    if paper.url:
        item["URL"] = paper.url
    elif howpublished_url := _url_macro(raw.get("howpublished")):
        item["URL"] = howpublished_url
    elif paper.arxiv_id:
        item["URL"] = f"https://arxiv.org/abs/{paper.arxiv_id}"  # as pandoc derives it
    if paper.abstract:
        item["abstract"] = paper.abstract
    return item


def _from_raw_fields(item: dict[str, Any], raw: dict[str, str], entry_type: str) -> None:
    csl = item["type"]
    if csl in _CONTAINER_TYPES:
        container = _decoded(raw, "journal") or _decoded(raw, "booktitle")
        if container:
            item["container-title"] = container
    publishers = [
        value
        for name in _PUBLISHER_FIELDS
        if (value := _decoded(raw, name)) and not (name == "howpublished" and _url_macro(raw[name]))
    ]
    if publishers:
        item["publisher"] = "; ".join(publishers)
    for field, variable in _PLAIN_VARIABLES.items():
        if variable not in item and (value := _decoded(raw, field)):
            item[variable] = value
    if pages := _decoded(raw, "pages"):
        # A hyphen, as Zotero and pandoc write ranges: styles choose the printed dash.
        item["page"] = pages.replace("–", "-").replace("—", "-")
    if number := _decoded(raw, "number"):
        item["issue" if csl == "article-journal" else "number"] = number
    genre = _decoded(raw, "type") or _THESIS_GENRES.get(entry_type)
    if genre and csl in ("thesis", "report"):
        item["genre"] = genre


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


def _decoded(raw: dict[str, str], field: str) -> str | None:
    value = raw.get(field)
    if not value or not value.strip():
        return None
    try:
        text = decode_latex(value)
    except ValueError:
        # Stored fields were decoded once at ingest; one that no longer decodes is left out
        # rather than failing the whole download.
        return None
    return text


def _before_colon(title: str) -> str | None:
    # pandoc's short title: the main title before a subtitle colon.
    head, colon, rest = title.partition(":")
    return head.strip() if colon and head.strip() and rest.strip() else None


def _url_macro(value: str | None) -> str | None:
    match = _URL_MACRO.fullmatch(value or "")
    return match.group(1) if match else None


def _date_parts(value: str | None) -> list[int] | None:
    match = _DATE.match((value or "").strip())
    if match is None:
        return None
    return [int(part) for part in match.groups() if part is not None]


# A raw name that may hold a particle (a lowercase word), a suffix (a second comma) or a
# braced institution; any other name splits exactly as stored.
_NOT_PLAIN_NAME = re.compile(r"(?:^|[\s~])[a-z]|\{|,.*,")


def _author(author: AuthorName) -> dict[str, str]:
    # The raw name says which words are a particle (`van der`) or a suffix (`Jr.`); the stored
    # family name joins them. Used only when the raw name agrees with the stored one.
    parts = _name(author.raw_name) if _NOT_PLAIN_NAME.search(author.raw_name) else None
    if parts is not None and _joined_family(parts) == author.family:
        return parts
    return (
        {"family": author.family, "given": author.given}
        if author.given
        else {"family": author.family}
    )


def _names(field: str | None) -> list[dict[str, str]]:
    if not field or not field.strip():
        return []
    names = []
    for raw_name in split_names(field):
        if raw_name.strip().casefold() == "others":
            continue
        if (name := _name(raw_name)) is not None:
            names.append(name)
    return names


def _name(raw_name: str) -> dict[str, str] | None:
    stripped = raw_name.strip()
    if _is_one_group(stripped):
        # `{NVIDIA Corporation}`: an institution, printed as written.
        return {"literal": decode_latex(stripped)}
    try:
        parts = name_parts(stripped)
        name = {
            "family": decode_latex(" ".join(parts.last)),
            "given": decode_latex(" ".join(parts.first)),
            "dropping-particle": decode_latex(" ".join(parts.von)),
            "suffix": decode_latex(" ".join(parts.jr)),
        }
    except (InvalidNameError, ValueError):
        return None
    if not name["family"]:
        return None
    return {key: value for key, value in name.items() if value}


def _joined_family(name: dict[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    return " ".join(name[key] for key in ("dropping-particle", "family", "suffix") if name.get(key))


def _is_one_group(name: str) -> bool:
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for position, char in enumerate(name):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and position < len(name) - 1:
            return False
    return True
