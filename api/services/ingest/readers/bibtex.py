"""BibTeX parsing (bibtexparser v2): raw fields kept for export, LaTeX decoded for display."""

import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bibtexparser import model as bib
from bibtexparser.middlewares.names import InvalidNameError
from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexwalker import get_default_latex_context_db as latex_context_db
from pylatexenc.macrospec import LatexContextDb

from api.errors import InvalidInputError, Problem
from api.services.ingest.readers.bibtex_blocks import CHUNK_BLOCKS, BlockReader, FailedBlock
from api.services.ingest.readers.bibtex_names import name_parts, split_names
from api.services.ingest.readers.identifiers import (
    arxiv_id_from_url,
    author_key,
    normalize_doi,
    parse_arxiv_id,
    plain_url,
)

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
_BRACE = re.compile(r"[{}]")
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
        """Identity of an author across papers (`author_key`)."""
        return author_key(self.family, self.given)


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


# Text pylatexenc would change: macros, groups, math, comments, and its "specials" (`&`, `~`,
# dashes, TeX quotes, `!``/`?``). Checked against pylatexenc by
# tests/ingest/readers/test_latex_decoding.py.
_LATEX_SYNTAX = re.compile(r"[\\{}$%&~]|--|''|``|[!?]`")
_LATEX_BUT_BRACES = re.compile(r"[\\$%&~]|--|''|``|[!?]`")


@lru_cache(maxsize=1)
def _latex() -> tuple[LatexNodes2Text, LatexContextDb]:
    # pylatexenc rebuilds its default macro database for every string unless given one; that
    # rebuild was a quarter of the time of reading a BibTeX file.
    return LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True), latex_context_db()


def decode_latex(text: str) -> str:
    """`{Fr{\\'e}chet} {GPU}s` → `Fréchet GPUs`, with whitespace collapsed.

    Most field values are plain text or plain text with protective braces (`{GPUs}`); those
    skip the LaTeX parser, whose answer for them is the text without its braces.
    """
    if _LATEX_SYNTAX.search(text) is None:
        return " ".join(text.split())
    if _LATEX_BUT_BRACES.search(text) is None and _balanced_braces(text):
        return " ".join(text.replace("{", "").replace("}", "").split())
    return _decode_with_pylatexenc(text)


MAX_LATEX_DEPTH = 50
"""Groups nested deeper are refused before pylatexenc, whose recursive walker would run out of
stack (300 nested `\\textbf{` did) after spending its time; real titles nest a few deep."""


@lru_cache(maxsize=4096)
def _decode_with_pylatexenc(text: str) -> str:
    # Bounded cache: accented author names repeat across a bibliography.
    if _brace_depth(text) > MAX_LATEX_DEPTH:
        raise ValueError(f"LaTeX nested deeper than {MAX_LATEX_DEPTH} groups: {text[:60]!r}")
    converter, context = _latex()
    try:
        decoded = converter.latex_to_text(text, latex_context=context)
    except Exception as error:
        # pylatexenc raises what its parser meets (an IndexError for `\\href{x}{y}`): for us it
        # is one entry that cannot be read, reported with its line by the reader, not a 500.
        raise ValueError(f"cannot decode the LaTeX in {text[:60]!r}") from error
    return " ".join(decoded.split())


def _balanced_braces(text: str) -> bool:
    depth = 0
    for match in _BRACE.finditer(text):
        depth += 1 if match.group(0) == "{" else -1
        if depth < 0:
            return False
    return depth == 0


def _brace_depth(text: str) -> int:
    depth = deepest = 0
    for match in _BRACE.finditer(text):
        depth += 1 if match.group(0) == "{" else -1
        deepest = max(deepest, depth)
    return deepest


def parse_bibtex(text: str, file: str) -> BibParseResult:
    """Parse a whole text; entries that fail are reported with their line, not raised."""
    reader = BibtexReader(text, file)
    result = BibParseResult()
    for item in reader:
        if isinstance(item, BibEntry):
            result.entries.append(item)
        else:
            result.problems.append(item)
    result.bibtex_blocks = reader.bibtex_blocks
    return result


class BibtexReader:
    """Entries (`BibEntry`) and problems (`Problem`) of a BibTeX file or text, in file order,
    read a chunk at a time (see `bibtex_blocks`) so memory stays flat however long it is.

    Raises `InvalidInputError` before yielding anything when the text is not UTF-8 or holds
    NUL bytes. Whether it is BibTeX at all is known once iterated: `bibtex_blocks` > 0.
    """

    def __init__(self, source: Path | str, file: str, *, chunk_blocks: int = CHUNK_BLOCKS) -> None:
        self.file = file
        self._source = source
        self._text_checked = False
        self._blocks = BlockReader(self._lines, chunk_blocks)

    @property
    def bibtex_blocks(self) -> int:
        """Blocks read as BibTeX so far (entries, @string, @preamble, @comment); zero once
        iterated means the text is not BibTeX at all."""
        return self._blocks.bibtex_blocks

    @property
    def entry_blocks(self) -> int:
        """How many entries the text appears to hold (known after `prepare()`)."""
        return self._blocks.entry_blocks

    def prepare(self) -> None:
        """Read the text once for what every chunk needs; raises when it is not text."""
        self._blocks.prepare()

    def __iter__(self) -> Iterator[BibEntry | Problem]:
        for item in self._blocks:
            if isinstance(item, FailedBlock):
                yield self._problem(item)
                continue
            try:
                yield _convert(item.entry, item.line, self._blocks.parent)
            except ValueError as error:
                yield Problem(str(error), location=f"{self.file}:{item.line}", value=item.entry.key)

    def _problem(self, failed: FailedBlock) -> Problem:
        location = f"{self.file}:{failed.line}"
        if failed.duplicate_key is not None:
            return Problem(
                "duplicate BibTeX key", location=location, field="key", value=failed.duplicate_key
            )
        return Problem(f"cannot parse this block: {failed.reason}", location=location)

    def _lines(self) -> Iterator[str]:
        if isinstance(self._source, str):
            yield from self._checked(io.StringIO(self._source))
            return
        try:
            with self._source.open(encoding="utf-8-sig") as stream:
                yield from self._checked(stream)
        except UnicodeDecodeError:
            raise self._not_text(f"not UTF-8 text (byte {_first_bad_byte(self._source)})") from None

    def _checked(self, lines: Iterable[str]) -> Iterator[str]:
        if self._text_checked:
            yield from lines
            return
        for line in lines:
            if "\x00" in line:
                raise self._not_text("it contains NUL bytes")
            yield line
        # One whole pass found no NUL: the later passes over the same text skip the check.
        self._text_checked = True

    def _not_text(self, reason: str) -> InvalidInputError:
        return InvalidInputError(
            f"{self.file} is not a BibTeX file", [Problem(reason, location=self.file)]
        )


def _first_bad_byte(path: Path) -> int:
    # Only on the way to rejecting the file: reading it whole here costs nothing that matters.
    try:
        path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return error.start
    return 0


# Fields a child never takes from its crossref parent: they name the parent itself.
_NOT_INHERITED = frozenset({"crossref", "ids", "key", "title", "shorttitle", "abstract", "url"})


def _convert(
    entry: bib.Entry, line: int, parent: Callable[[str], bib.Entry | None] | None = None
) -> BibEntry:
    fields = {f.key.lower(): str(f.value).strip() for f in entry.fields}
    if parent is not None and fields.get("crossref"):
        _inherit_crossref(fields, parent(fields["crossref"]))
    title = fields.get("title")
    eprint = fields.get("eprint")
    archive = fields.get("archiveprefix", fields.get("eprinttype", "")).lower()
    url = plain_url(fields["url"]) if fields.get("url") else None
    arxiv = None
    if eprint and archive in ("arxiv", ""):
        arxiv = parse_arxiv_id(eprint)
    elif url:
        arxiv = arxiv_id_from_url(url)
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
        arxiv_id=arxiv.id if arxiv else None,
        url=url,
        abstract=decode_latex(fields["abstract"]) if fields.get("abstract") else None,
    )


def _inherit_crossref(fields: dict[str, str], parent: bib.Entry | None) -> None:
    """BibTeX's crossref: missing fields come from the parent, whose title is the booktitle.

    bibtexparser v2 leaves crossref unresolved; the raw fields then hold the inherited
    values too, so an exported entry stands on its own.
    """
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
    for raw_name in split_names(raw) if raw.strip() else []:
        if raw_name.strip().casefold() == "others":
            continue
        try:
            parts = name_parts(raw_name)
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
