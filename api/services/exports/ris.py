"""RIS (the tagged format Zotero, EndNote and Mendeley import) of any paper result set.

Each reference is written from its CSL-JSON item (`csl_item`), so RIS and CSL-JSON carry the
same values from one mapping. Tags follow the RIS specification (RefMan, 2011) and how
Zotero's RIS translator reads them: `T2` for the journal or book title, `A2` editors (`A3`
for a book's own editors), `SN` ISBN / ISSN (a report's number), `M3` a thesis or report type.
"""

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session

from api.services.exports.csl import csl_item
from api.services.exports.papers import PaperSelection, paper_records

MEDIA_TYPE = "application/x-research-info-systems; charset=utf-8"
LINE_END = "\r\n"
"""The specification's line end."""

_TYPES = {
    "article-journal": "JOUR",
    "paper-conference": "CPAPER",
    "book": "BOOK",
    "chapter": "CHAP",
    "thesis": "THES",
    "report": "RPRT",
    "software": "COMP",
    "webpage": "ELEC",
    "manuscript": "MANSCPT",
    "pamphlet": "PAMP",
    # RIS has no preprint type; "unpublished work" is the nearest the specification offers.
    "article": "UNPB",
}
_GENERIC = "GEN"
# CSL variable → RIS tag, for values written as they are.
_SIMPLE = (
    ("title", "TI"),
    ("title-short", "ST"),
    ("collection-title", "T3"),
    ("volume", "VL"),
    ("issue", "IS"),
    ("edition", "ET"),
    ("publisher", "PB"),
    ("publisher-place", "CY"),
    ("genre", "M3"),
    ("DOI", "DO"),
    ("URL", "UR"),
    ("abstract", "AB"),
    ("note", "N1"),
    ("PMID", "AN"),
)


def ris_stream(session: Session, selection: PaperSelection) -> Iterator[str]:
    """One chunk per reference, ordered by cite key (the order of BibTeX and CSL-JSON)."""
    for record in paper_records(session, selection):
        yield ris_reference(csl_item(record))


def ris_reference(item: dict[str, Any]) -> str:
    """One reference, `TY` first and `ER` last, every line `TAG  - value`."""
    kind = _TYPES.get(item["type"], _GENERIC)
    lines = [("TY", kind), ("ID", item["id"])]
    lines += [("AU", _person(name)) for name in item.get("author", [])]
    editor_tag = "A3" if kind == "BOOK" else "A2"
    lines += [(editor_tag, _person(name)) for name in item.get("editor", [])]
    lines += [("A4", _person(name)) for name in item.get("translator", [])]
    for variable, tag in _SIMPLE:
        if item.get(variable):
            lines.append((tag, str(item[variable])))
    if container := item.get("container-title"):
        lines.append(("T2", container))
        if kind == "JOUR":
            lines.append(("JO", container))  # the specification's journal name tag
    lines += _date_lines(item)
    lines += _page_lines(item.get("page"))
    if number := item.get("number"):
        lines.append(("SN" if kind == "RPRT" else "M1", str(number)))
    for standard in ("ISBN", "ISSN"):
        if item.get(standard) and not (kind == "RPRT" and item.get("number")):
            lines.append(("SN", item[standard]))
    lines += [("KW", keyword) for keyword in _keywords(item.get("keyword"))]
    body = "".join(f"{tag}  - {_one_line(value)}{LINE_END}" for tag, value in lines)
    # The specification: no blank line between one record's `ER` and the next `TY`.
    return body + "ER  - " + LINE_END


def _person(name: dict[str, str]) -> str:
    # The specification's `Last, First, Suffix`; a particle stays before the family name.
    if "literal" in name:
        return name["literal"]
    family = " ".join(p for p in (name.get("dropping-particle"), name["family"]) if p)
    return ", ".join(part for part in (family, name.get("given"), name.get("suffix")) if part)


def _date_lines(item: dict[str, Any]) -> list[tuple[str, str]]:
    lines = []
    issued = item.get("issued", {}).get("date-parts", [[]])[0]
    if issued:
        lines.append(("PY", str(issued[0])))
        # DA is `YYYY/MM/DD/other`, empty parts left empty.
        parts = [f"{issued[0]:04d}"] + [f"{part:02d}" for part in issued[1:]]
        lines.append(("DA", "/".join(parts + [""] * (3 - len(parts))) + "/"))
    accessed = item.get("accessed", {}).get("date-parts", [[]])[0]
    if accessed:
        parts = [f"{accessed[0]:04d}"] + [f"{part:02d}" for part in accessed[1:]]
        lines.append(("Y2", "/".join(parts + [""] * (3 - len(parts))) + "/"))
    return lines


def _page_lines(page: str | None) -> list[tuple[str, str]]:
    if not page:
        return []
    first, dash, last = page.partition("-")
    if dash and first.strip() and last.strip() and "," not in page:
        return [("SP", first.strip()), ("EP", last.strip())]
    return [("SP", page.strip())]


def _keywords(value: str | None) -> list[str]:
    if not value:
        return []
    separator = ";" if ";" in value else ","
    return [word.strip() for word in value.split(separator) if word.strip()]


def _one_line(value: str) -> str:
    # A tag's value ends at the line end: a line break inside would start a bogus tag.
    return " ".join(str(value).split())
