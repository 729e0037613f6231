"""BibTeX parsing (bibtexparser v2): raw fields kept for export, LaTeX decoded for display."""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bibtexparser import model as bib
from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from pylatexenc.latex2text import LatexNodes2Text

from api.errors import Problem

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/(?P<id>[\w.\-/]+?)(?:v\d+)?(?:\.pdf)?/?$", re.I)
_ARXIV_VERSION = re.compile(r"v\d+$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.I)
_BIBTEX_BLOCKS = (bib.Entry, bib.String, bib.Preamble, bib.ExplicitComment)
_VENUE_FIELDS = ("journal", "booktitle", "howpublished", "publisher", "organization", "school")


@dataclass(frozen=True)
class PersonName:
    raw: str
    family: str
    given: str | None

    @property
    def display(self) -> str:
        return f"{self.given} {self.family}" if self.given else self.family

    @property
    def key(self) -> str:
        """Identity of an author across papers: case-folded `family, given`."""
        return f"{self.family}, {self.given or ''}".casefold().strip(", ")


@dataclass(frozen=True)
class BibEntry:
    key: str
    entry_type: str
    fields: dict[str, str]
    """Every field as written (outer braces removed, LaTeX kept)."""
    line: int
    title: str | None
    authors: list[PersonName]
    year: int | None
    month: int | None
    venue: str | None
    doi: str | None
    arxiv_id: str | None
    url: str | None
    abstract: str | None


@dataclass
class BibParseResult:
    entries: list[BibEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    bibtex_blocks: int = 0
    """Blocks read as BibTeX (entries, @string, @preamble, @comment); zero means the text is
    not BibTeX at all: free text, or `@` blocks none of which could be parsed."""


@lru_cache(maxsize=1)
def _latex() -> LatexNodes2Text:
    return LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


def decode_latex(text: str) -> str:
    """`{Fr{\\'e}chet} {GPU}s` → `Fréchet GPUs`, with whitespace collapsed."""
    return " ".join(_latex().latex_to_text(text).split())


def normalize_arxiv_id(value: str) -> str:
    """Versionless identifier: `arXiv:2309.06180v2` → `2309.06180`."""
    cleaned = value.strip()
    if cleaned.lower().startswith("arxiv:"):
        cleaned = cleaned[6:]
    return _ARXIV_VERSION.sub("", cleaned)


def normalize_doi(value: str) -> str:
    return _DOI_PREFIX.sub("", value.strip())


def parse_bibtex(text: str, file: str) -> BibParseResult:
    """Parse a whole file; entries that fail are reported with their line, not raised."""
    library = parse_string(text)
    result = BibParseResult(
        bibtex_blocks=sum(isinstance(b, _BIBTEX_BLOCKS) for b in library.blocks)
    )
    for block in library.failed_blocks:
        location = f"{file}:{block.start_line + 1}" if block.start_line is not None else file
        if isinstance(block, bib.DuplicateBlockKeyBlock):
            result.problems.append(
                Problem("duplicate BibTeX key", location=location, field="key", value=block.key)
            )
        else:
            result.problems.append(
                Problem(f"cannot parse this block: {_failure_reason(block)}", location=location)
            )
    parents = {entry.key.casefold(): entry for entry in library.entries}
    for entry in library.entries:
        line = (entry.start_line or 0) + 1
        location = f"{file}:{line}"
        try:
            result.entries.append(_convert(entry, line, parents))
        except ValueError as error:
            result.problems.append(Problem(str(error), location=location, value=entry.key))
    return result


def _failure_reason(block: bib.Block) -> str:
    error = getattr(block, "error", None)
    # bibtexparser's BlockAbortedException keeps its reason in an attribute, not in str().
    reason = getattr(error, "abort_reason", None) or (str(error) if error else "")
    return " ".join(str(reason).split()) or "syntax error"


# Fields a child never takes from its crossref parent: they name the parent itself.
_NOT_INHERITED = frozenset({"crossref", "ids", "key", "title", "shorttitle", "abstract", "url"})


def _convert(entry: bib.Entry, line: int, parents: dict[str, bib.Entry] | None = None) -> BibEntry:
    fields = {f.key.lower(): str(f.value).strip() for f in entry.fields}
    if parents is not None:
        _inherit_crossref(fields, parents)
    title = fields.get("title")
    eprint = fields.get("eprint")
    archive = fields.get("archiveprefix", fields.get("eprinttype", "")).lower()
    url = fields.get("url")
    arxiv_id = None
    if eprint and archive in ("arxiv", ""):
        arxiv_id = normalize_arxiv_id(eprint)
    elif url and (match := _ARXIV_URL.search(url)):
        arxiv_id = normalize_arxiv_id(match.group("id"))
    venue = next((fields[name] for name in _VENUE_FIELDS if fields.get(name)), None)
    return BibEntry(
        key=entry.key,
        entry_type=entry.entry_type.lower(),
        fields=fields,
        line=line,
        title=decode_latex(title) if title else None,
        authors=parse_authors(fields.get("author", "")),
        year=_parse_year(fields.get("year")),
        month=_parse_month(fields.get("month")),
        venue=decode_latex(venue) if venue else None,
        doi=normalize_doi(fields["doi"]) if fields.get("doi") else None,
        arxiv_id=arxiv_id,
        url=url,
        abstract=decode_latex(fields["abstract"]) if fields.get("abstract") else None,
    )


def _inherit_crossref(fields: dict[str, str], parents: dict[str, bib.Entry]) -> None:
    """BibTeX's crossref: missing fields come from the parent, whose title is the booktitle.

    bibtexparser v2 leaves crossref unresolved; the raw fields then hold the inherited
    values too, so an exported entry stands on its own.
    """
    parent = parents.get(fields.get("crossref", "").casefold())
    if parent is None:
        return
    inherited = {f.key.lower(): str(f.value).strip() for f in parent.fields}
    if "title" in inherited and "booktitle" not in fields:
        fields["booktitle"] = inherited["title"]
    for name, value in inherited.items():
        if name not in _NOT_INHERITED and name not in fields:
            fields[name] = value


def parse_authors(raw: str) -> list[PersonName]:
    """Names of an author (or editor) field; `and others` (et al.) is not a person."""
    names = []
    for raw_name in split_multiple_persons_names(raw) if raw.strip() else []:
        if raw_name.strip().casefold() == "others":
            continue
        try:
            parts = parse_single_name_into_parts(raw_name)
        except InvalidNameError as error:
            raise ValueError(f"author name {raw_name!r} is not valid BibTeX: {error}") from error
        family = decode_latex(" ".join([*parts.von, *parts.last, *parts.jr]))
        given = decode_latex(" ".join(parts.first)) or None
        if not family:
            raise ValueError(f"author name {raw_name!r} has no family name")
        names.append(PersonName(raw=raw_name.strip(), family=family, given=given))
    return names


def _parse_year(value: str | None) -> int | None:
    if not value:
        return None
    match = re.fullmatch(r"\s*(\d{4})\s*", value)
    if match is None:
        raise ValueError(f"year {value!r} is not a four-digit year")
    return int(match.group(1))


def _parse_month(value: str | None) -> int | None:
    if not value:
        return None
    cleaned = value.strip().strip("{}").strip().lower().rstrip(".")
    if cleaned.isdigit() and 1 <= int(cleaned) <= 12:
        return int(cleaned)
    if cleaned in _MONTHS:
        return _MONTHS[cleaned]
    raise ValueError(f"month {value!r} is not a month")
