"""Streaming, hardened reader for arXiv API Atom feeds (`export.arxiv.org/api/query`).

How results come out:

* `iter_entries(stream, source_name)` yields, in document order, an `ArxivEntry` for each
  entry it could read and an `EntryProblem` for each one it could not (missing id, bad date,
  ...), so one bad entry never hides the rest of the feed.
* `FeedReader` does the same and also exposes the OpenSearch paging numbers as `info`.
* `parse_feed(stream, source_name)` collects a whole feed into a `ParsedFeed`.

Whole-document failures raise instead: `InvalidInputError` when the document is not an Atom
feed, is not well-formed XML or declares a DTD (refused outright, because DTDs are how entity
bombs and external-entity reads get in), and `ArxivError` when arXiv answered with its error
feed. Entries are cleared and detached from the tree once read, so memory stays flat however
long the feed is.
"""

import re
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol
from xml.parsers.expat import ErrorString

from defusedxml import DefusedXmlException, DTDForbidden  # type: ignore[import-untyped]
from defusedxml.ElementTree import (  # type: ignore[import-untyped]
    DefusedXMLParser,
    iterparse,
)

from api.errors import InvalidInputError, Problem

ATOM_NS = "http://www.w3.org/2005/Atom"
ARXIV_NS = "http://arxiv.org/schemas/atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"

_FEED = f"{{{ATOM_NS}}}feed"
_ENTRY = f"{{{ATOM_NS}}}entry"
_ID = f"{{{ATOM_NS}}}id"
_TITLE = f"{{{ATOM_NS}}}title"
_SUMMARY = f"{{{ATOM_NS}}}summary"
_PUBLISHED = f"{{{ATOM_NS}}}published"
_UPDATED = f"{{{ATOM_NS}}}updated"
_AUTHOR = f"{{{ATOM_NS}}}author"
_NAME = f"{{{ATOM_NS}}}name"
_LINK = f"{{{ATOM_NS}}}link"
_CATEGORY = f"{{{ATOM_NS}}}category"
_AFFILIATION = f"{{{ARXIV_NS}}}affiliation"
_DOI = f"{{{ARXIV_NS}}}doi"
_JOURNAL_REF = f"{{{ARXIV_NS}}}journal_ref"
_COMMENT = f"{{{ARXIV_NS}}}comment"
_PRIMARY_CATEGORY = f"{{{ARXIV_NS}}}primary_category"
_PAGING_FIELDS = {
    f"{{{OPENSEARCH_NS}}}totalResults": "total_results",
    f"{{{OPENSEARCH_NS}}}startIndex": "start_index",
    f"{{{OPENSEARCH_NS}}}itemsPerPage": "items_per_page",
}

_YYMM = r"\d{2}(?:0[1-9]|1[0-2])"
_NEW_STYLE_ID = rf"{_YYMM}\.\d{{4,5}}"
# Old-style ids name the archive and optionally its subject class: `math.GT/0309136`.
_OLD_STYLE_ID = rf"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[A-Za-z]+)*)?/{_YYMM}\d{{3}}"
_ARXIV_ID = re.compile(
    rf"(?i:arxiv:)?(?P<id>{_NEW_STYLE_ID}|{_OLD_STYLE_ID})(?:v(?P<version>[1-9]\d*))?"
)
_ABS_URL = re.compile(r"https?://[^/\s]+/abs/(?P<id>\S+)")
_ERROR_ID = re.compile(r"https?://[^/\s]+/api/errors(?:#|$)")
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.IGNORECASE)
# Stands in for an unreadable date so the entry can be inspected; never returned to callers.
_UNREADABLE_DATE = datetime(1970, 1, 1, tzinfo=UTC)


def split_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """`(versionless id, version)` for an arXiv identifier, or None if it is not one.

    Accepts new-style `2309.06180`, old-style `hep-th/9901001` or `math.GT/0309136`, each
    optionally with `vN` and an `arXiv:` prefix.
    """
    match = _ARXIV_ID.fullmatch(text.strip())
    if match is None:
        return None
    version = match.group("version")
    return match.group("id"), int(version) if version else None


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace (line breaks included) to one space and strip."""
    return " ".join(text.split())


@dataclass(frozen=True)
class ArxivAuthor:
    name: str
    affiliations: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArxivEntry:
    """One paper as the arXiv API describes it; text fields are whitespace-normalized."""

    arxiv_id: str
    """Without version: `2309.06180` or `hep-th/9901001`."""
    version: int | None
    title: str
    abstract: str
    authors: tuple[ArxivAuthor, ...]
    published: datetime
    """When version 1 was submitted (timezone-aware)."""
    updated: datetime
    """When this version was submitted (timezone-aware)."""
    primary_category: str
    categories: tuple[str, ...]
    """Feed order, no duplicates, always including the primary category."""
    doi: str | None
    journal_ref: str | None
    comment: str | None
    pdf_url: str | None
    abs_url: str

    @property
    def versioned_id(self) -> str:
        return self.arxiv_id if self.version is None else f"{self.arxiv_id}v{self.version}"


@dataclass(frozen=True)
class EntryProblem:
    """An entry that could not be read; the entries around it still are."""

    index: int
    """Position of the entry in its feed, from 0."""
    entry_id: str | None
    """The entry's `<id>` text, when it has one."""
    problems: tuple[Problem, ...]
    """Everything wrong with the entry; each `location` is `source:line` of the entry."""

    def __str__(self) -> str:
        label = f"entry {self.index}" + (f" ({self.entry_id})" if self.entry_id else "")
        return f"{label}: " + "; ".join(str(problem) for problem in self.problems)


@dataclass(frozen=True)
class FeedInfo:
    """The OpenSearch paging numbers of a feed; None where the feed did not give one."""

    total_results: int | None = None
    start_index: int | None = None
    items_per_page: int | None = None


@dataclass(frozen=True)
class ParsedFeed:
    info: FeedInfo
    entries: tuple[ArxivEntry, ...]
    problems: tuple[EntryProblem, ...]


class ArxivError(InvalidInputError):
    """arXiv rejected the request (its error feed, or an HTTP 4xx answer)."""


class ByteStream(Protocol):
    """What the parser reads from: an open binary file or an HTTP response."""

    def read(self, size: int, /) -> bytes: ...


class _LineRecordingBuilder(ET.TreeBuilder):
    """Notes the line of every start tag, in document order.

    `iterparse` hands out events a chunk at a time, after the parser has moved on, so the
    line has to be captured while the tag is being parsed.
    """

    def __init__(self) -> None:
        super().__init__()
        self.lines: deque[int] = deque()
        self.expat: Any = None

    def start(self, tag: Any, attrs: dict[Any, Any], /) -> ET.Element:
        self.lines.append(self.expat.CurrentLineNumber)
        return super().start(tag, attrs)


class FeedReader:
    """One pass over one feed.

    Iterating yields `ArxivEntry` and `EntryProblem` items in document order. `info` is
    filled in as the OpenSearch elements are read (arXiv sends them before the entries) and
    is complete once iteration has finished.
    """

    def __init__(self, stream: ByteStream, source_name: str) -> None:
        self.source_name = source_name
        self.info = FeedInfo()
        self._stream = stream

    def __iter__(self) -> Iterator[ArxivEntry | EntryProblem]:
        builder = _LineRecordingBuilder()
        parser = DefusedXMLParser(target=builder, forbid_dtd=True)
        builder.expat = parser.parser
        events = iterparse(self._stream, events=("start", "end"), parser=parser)
        try:
            yield from self._walk(events, builder.lines)
        except ET.ParseError as error:
            line, column = error.position
            raise self._unreadable(
                f"not well-formed XML: {ErrorString(error.code)} (column {column})", line
            ) from error
        except DTDForbidden as error:
            raise self._unreadable(
                f"it declares a document type (<!DOCTYPE {error.name}>), which Atom feeds never "
                "do; DTDs are refused because they can define entity bombs or read local files",
                builder.expat.CurrentLineNumber,
            ) from error
        except DefusedXmlException as error:
            raise self._unreadable(
                f"it uses a forbidden XML construct: {error}", builder.expat.CurrentLineNumber
            ) from error

    def _walk(
        self, events: Iterator[tuple[str, ET.Element]], lines: deque[int]
    ) -> Iterator[ArxivEntry | EntryProblem]:
        root = self._open_root(events, lines)
        depth = 1
        child_line = 0
        index = 0
        for event, element in events:
            if event == "start":
                depth += 1
                line = lines.popleft()
                if depth == 2:
                    child_line = line
                continue
            depth -= 1
            if depth != 1:
                continue
            if element.tag == _ENTRY:
                yield self._entry(element, index, child_line)
                index += 1
            elif element.tag in _PAGING_FIELDS:
                self._read_paging(element, child_line)
            # Children of the feed are done with once read; dropping them keeps memory flat.
            element.clear()
            root.remove(element)

    def _open_root(self, events: Iterator[tuple[str, ET.Element]], lines: deque[int]) -> ET.Element:
        for _event, element in events:
            line = lines.popleft()
            if element.tag != _FEED:
                raise self._unreadable(
                    f"its root element is <{_display_tag(element.tag)}>, not an Atom <feed>", line
                )
            return element
        raise self._unreadable("the document is empty", 1)

    def _read_paging(self, element: ET.Element, line: int) -> None:
        text = (element.text or "").strip()
        if not text.isdigit():
            raise self._unreadable(
                f"<{_display_tag(element.tag)}> is not a non-negative integer: {text!r}", line
            )
        self.info = replace(self.info, **{_PAGING_FIELDS[str(element.tag)]: int(text)})

    def _entry(self, element: ET.Element, index: int, line: int) -> ArxivEntry | EntryProblem:
        location = f"{self.source_name}:{line}"
        raw_id = _text(element, _ID)
        if raw_id is not None and _ERROR_ID.match(raw_id):
            message = _text(element, _SUMMARY) or "no reason given"
            raise ArxivError(
                f"arXiv rejected the query {self.source_name}: {message}",
                [Problem(message, location=location, value=raw_id)],
            )
        return _EntryReader(element, location).read(index, raw_id)

    def _unreadable(self, reason: str, line: int) -> InvalidInputError:
        return InvalidInputError(
            f"{self.source_name} is not a readable arXiv Atom feed",
            [Problem(reason, location=f"{self.source_name}:{line}")],
        )


def iter_entries(stream: ByteStream, source_name: str) -> Iterator[ArxivEntry | EntryProblem]:
    """Entries and entry problems of one feed, in document order, read as they stream in."""
    return iter(FeedReader(stream, source_name))


def parse_feed(stream: ByteStream, source_name: str) -> ParsedFeed:
    """A whole feed, collected: for pages and files small enough to hold in memory."""
    reader = FeedReader(stream, source_name)
    entries: list[ArxivEntry] = []
    problems: list[EntryProblem] = []
    for item in reader:
        if isinstance(item, ArxivEntry):
            entries.append(item)
        else:
            problems.append(item)
    return ParsedFeed(reader.info, tuple(entries), tuple(problems))


class _EntryReader:
    """Reads one `<entry>`, noting every problem instead of stopping at the first."""

    def __init__(self, element: ET.Element, location: str) -> None:
        self._element = element
        self._location = location
        self._problems: list[Problem] = []

    def read(self, index: int, raw_id: str | None) -> ArxivEntry | EntryProblem:
        arxiv_id, version = self._identifier(raw_id)
        title = self._required_text(_TITLE, "title")
        abstract = self._required_text(_SUMMARY, "summary")
        published = self._date(_PUBLISHED, "published")
        updated = self._date(_UPDATED, "updated")
        authors = self._authors()
        primary_category, categories = self._categories()
        abs_url, pdf_url, doi_url = self._links()
        if self._problems:
            return EntryProblem(index, raw_id, tuple(self._problems))
        return ArxivEntry(
            arxiv_id=arxiv_id,
            version=version,
            title=title,
            abstract=abstract,
            authors=authors,
            published=published,
            updated=updated,
            primary_category=primary_category,
            categories=categories,
            doi=_text(self._element, _DOI) or doi_url,
            journal_ref=_text(self._element, _JOURNAL_REF),
            comment=_text(self._element, _COMMENT),
            pdf_url=pdf_url,
            abs_url=abs_url or str(raw_id),
        )

    def _problem(self, message: str, field: str, value: str | None = None) -> None:
        self._problems.append(Problem(message, location=self._location, field=field, value=value))

    def _identifier(self, raw_id: str | None) -> tuple[str, int | None]:
        if raw_id is None:
            self._problem("missing", "id")
            return "", None
        url = _ABS_URL.fullmatch(raw_id)
        parsed = split_arxiv_id(url.group("id")) if url else None
        if parsed is None:
            self._problem(
                "not an arXiv abstract URL such as http://arxiv.org/abs/2309.06180v1", "id", raw_id
            )
            return "", None
        return parsed

    def _required_text(self, tag: str, field: str) -> str:
        text = _text(self._element, tag)
        if text is None:
            self._problem("missing or empty", field)
            return ""
        return text

    def _date(self, tag: str, field: str) -> datetime:
        text = _text(self._element, tag)
        if text is None:
            self._problem("missing", field)
            return _UNREADABLE_DATE
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self._problem("not an RFC 3339 date-time", field, text)
            return _UNREADABLE_DATE
        if moment.tzinfo is None:
            self._problem("date-time has no time zone", field, text)
            return _UNREADABLE_DATE
        return moment

    def _authors(self) -> tuple[ArxivAuthor, ...]:
        elements = self._element.findall(_AUTHOR)
        if not elements:
            self._problem("no authors", "author")
        authors = []
        for position, author in enumerate(elements):
            name = _text(author, _NAME)
            if name is None:
                self._problem(f"author {position + 1} has no name", "author")
                continue
            affiliations = (_normalized_text(item) for item in author.findall(_AFFILIATION))
            authors.append(ArxivAuthor(name, tuple(text for text in affiliations if text)))
        return tuple(authors)

    def _categories(self) -> tuple[str, tuple[str, ...]]:
        terms = (
            normalize_space(category.get("term", ""))
            for category in self._element.findall(_CATEGORY)
        )
        categories = tuple(dict.fromkeys(term for term in terms if term))
        primary_element = self._element.find(_PRIMARY_CATEGORY)
        primary = (
            normalize_space(primary_element.get("term", "")) if primary_element is not None else ""
        )
        if not primary:
            self._problem("missing", "primary_category")
            return "", categories
        if primary not in categories:
            categories = (primary, *categories)
        return primary, categories

    def _links(self) -> tuple[str | None, str | None, str | None]:
        """The abstract page, PDF and DOI links, each None when the entry lacks it."""
        abs_url = pdf_url = doi_url = None
        for link in self._element.findall(_LINK):
            href = link.get("href")
            title = link.get("title")
            if not href:
                continue
            if title == "pdf":
                pdf_url = href
            elif title == "doi":
                doi_url = _DOI_URL.sub("", href)
            elif link.get("rel", "alternate") == "alternate":
                abs_url = href
        return abs_url, pdf_url, doi_url


def _normalized_text(element: ET.Element) -> str | None:
    # Plain `.text` covers arXiv's elements; itertext only for the rare nested markup.
    text = (element.text or "") if len(element) == 0 else "".join(element.itertext())
    return normalize_space(text) or None


def _text(parent: ET.Element, tag: str) -> str | None:
    element = parent.find(tag)
    return None if element is None else _normalized_text(element)


def _display_tag(tag: object) -> str:
    """`{namespace}name` as `name xmlns='namespace'`, which reads better in a message."""
    namespace, _, name = str(tag).rpartition("}")
    return f"{name} xmlns={namespace.lstrip('{')!r}" if namespace else name
