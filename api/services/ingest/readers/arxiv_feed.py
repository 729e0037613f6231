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

Parsing is lxml's (libxml2) push parser, fed a chunk at a time: a streaming reader built on
the standard library's pure-Python ElementTree handlers cost twice as much as all the rest of
reading an entry. It never loads a DTD, never touches the network and never substitutes
entities; a DOCTYPE is refused before the parser sees it (`_Prolog`).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from lxml import etree

from api.errors import InvalidInputError, Problem
from api.services.ingest.readers.identifiers import ArxivId, arxiv_id_from_url, normalize_doi

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

_ERROR_ID = re.compile(r"https?://[^/\s]+/api/errors(?:#|$)")
# Stands in for an unreadable date so the entry can be inspected; never returned to callers.
_UNREADABLE_DATE = datetime(1970, 1, 1, tzinfo=UTC)


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
        return ArxivId(self.arxiv_id, self.version).versioned


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


Element = etree._Element
_CHUNK_BYTES = 64 * 1024
_PROLOG_LIMIT = 1024 * 1024
"""How much of the document's start is searched for a DOCTYPE before the parser sees it."""


def _parser() -> etree.XMLPullParser:
    return etree.XMLPullParser(
        # Only the elements the walk acts on: an event per element would cost more in Python
        # than libxml2 spends parsing. Children of an entry are read from the entry itself.
        events=("start", "end"),
        tag=(_FEED, _ENTRY, *_PAGING_FIELDS),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


@dataclass(frozen=True)
class Doctype:
    name: str
    line: int


class _Prolog:
    """Finds a DOCTYPE in the bytes before the root element, as they stream in.

    Only comments, processing instructions and white space may come before a DOCTYPE, so the
    search is over once anything else starts. Refusing it here, before the parser has read a
    single entity declaration, keeps bombs away from libxml2 altogether.
    """

    _SKIPPED = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
    _DOCTYPE = re.compile(rb"<!DOCTYPE\s+([^\s\[>]+)")

    def __init__(self) -> None:
        self._seen = b""
        self.done = False

    def read(self, chunk: bytes) -> Doctype | None:
        """The DOCTYPE, once found; None while none was found (check `done`)."""
        self._seen += chunk
        position = 3 if self._seen.startswith(b"\xef\xbb\xbf") else 0
        while match := self._SKIPPED.match(self._seen, position):
            position = match.end()
        rest = self._seen[position : position + 9]
        if rest.startswith(b"<!DOCTYPE"):
            found = self._DOCTYPE.match(self._seen, position)
            name = found.group(1).decode("utf-8", "replace") if found else "?"
            return Doctype(name, self._seen.count(b"\n", 0, position) + 1)
        # Undecided while what follows may still become a comment, a PI or the DOCTYPE.
        undecided = any(
            rest.startswith(opening) or opening.startswith(rest)
            for opening in (b"<?", b"<!--", b"<!DOCTYPE")
        )
        if not undecided or len(self._seen) > _PROLOG_LIMIT:
            # Past the limit the parser's own refusal (below, at the root) still stands.
            self.done = True
            self._seen = b""
        return None


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
        try:
            yield from self._walk(self._events())
        except etree.XMLSyntaxError as error:
            raise self._not_well_formed(error) from error

    def _events(self) -> Iterator[tuple[str, Element]]:
        # The errors an exception carries come from libxml2's log for the whole thread, which
        # keeps the first error of every earlier document: without clearing it, each later
        # malformed feed parsed in a (pooled) thread reported the first feed's error and line.
        etree.clear_error_log()
        parser = _parser()
        prolog = _Prolog()
        while chunk := self._stream.read(_CHUNK_BYTES):
            if not prolog.done:
                doctype = prolog.read(chunk)
                if doctype is not None:
                    raise self._declares_doctype(doctype)
            parser.feed(chunk)
            yield from parser.read_events()
        # A truncated (or empty) document fails here. A document without a single <feed> or
        # <entry> gave no events: its root is only known now, and `_open_root` is told it.
        root = parser.close()
        yield from parser.read_events()
        yield "close", root

    def _walk(self, events: Iterator[tuple[str, Element]]) -> Iterator[ArxivEntry | EntryProblem]:
        root = self._open_root(events)
        index = 0
        for event, element in events:
            if event != "end" or element.getparent() is not root:
                continue  # a start, or an <entry> or paging element nested where none belongs
            if element.tag == _ENTRY:
                yield self._entry(element, index, element.sourceline or 0)
                index += 1
            else:
                self._read_paging(element, element.sourceline or 0)
            # What precedes an element read is done with: dropping it keeps memory flat. The
            # parser may already be building later siblings, so those stay.
            element.clear()
            while (previous := element.getprevious()) is not None:
                root.remove(previous)
            root.remove(element)

    def _open_root(self, events: Iterator[tuple[str, Element]]) -> Element:
        for _event, element in events:
            root = element.getroottree().getroot()
            line = root.sourceline or 1
            doctype = root.getroottree().docinfo.doctype
            if doctype:  # only past the prolog search's limit (see `_Prolog`)
                raise self._declares_doctype(Doctype(doctype, line))
            if root.tag != _FEED:
                raise self._unreadable(
                    f"its root element is <{_display_tag(root.tag)}>, not an Atom <feed>", line
                )
            return root
        raise self._unreadable("the document is empty", 1)

    def _read_paging(self, element: Element, line: int) -> None:
        text = (element.text or "").strip()
        if not text.isdigit():
            raise self._unreadable(
                f"<{_display_tag(element.tag)}> is not a non-negative integer: {text!r}", line
            )
        self.info = replace(self.info, **{_PAGING_FIELDS[str(element.tag)]: int(text)})

    def _entry(self, element: Element, index: int, line: int) -> ArxivEntry | EntryProblem:
        location = f"{self.source_name}:{line}"
        reader = _EntryReader(element, location)
        raw_id = reader.text(_ID)
        if raw_id is not None and _ERROR_ID.match(raw_id):
            message = reader.text(_SUMMARY) or "no reason given"
            raise ArxivError(
                f"arXiv rejected the query {self.source_name}: {message}",
                [Problem(message, location=location, value=raw_id)],
            )
        return reader.read(index, raw_id)

    def _declares_doctype(self, doctype: Doctype) -> InvalidInputError:
        return self._unreadable(
            f"it declares a document type (<!DOCTYPE {doctype.name}>), which Atom feeds never "
            "do; DTDs are refused because they can define entity bombs or read local files",
            doctype.line,
        )

    def _not_well_formed(self, error: etree.XMLSyntaxError) -> InvalidInputError:
        # libxml2 logs the first error it met; the exception may only carry a later symptom.
        logged = error.error_log.filter_from_errors()
        first = logged[0] if logged else None
        message = first.message if first else error.msg
        line, column = (first.line, first.column) if first else error.position
        # libxml2 appends the position to some messages; the location already says it.
        message = re.sub(r",? line \d+, column \d+$", "", message)
        # "... in tag summary line 52" names where the unclosed element opened; say so plainly.
        message = re.sub(r" in tag (\S+) line (\d+)$", r" inside <\1> opened at line \2", message)
        return self._unreadable(f"not well-formed XML: {message} (column {column})", max(line, 1))

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

    def __init__(self, element: Element, location: str) -> None:
        self._location = location
        self._problems: list[Problem] = []
        # One pass over the children, instead of a search through them for every field.
        self._children: dict[object, list[Element]] = {}
        for child in element:
            self._children.setdefault(child.tag, []).append(child)

    def text(self, tag: str) -> str | None:
        """The first `tag` child's text, white space normalized; None if missing or empty."""
        children = self._children.get(tag)
        return _normalized_text(children[0]) if children else None

    def _all(self, tag: str) -> list[Element]:
        return self._children.get(tag, [])

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
            doi=self.text(_DOI) or doi_url,
            journal_ref=self.text(_JOURNAL_REF),
            comment=self.text(_COMMENT),
            pdf_url=pdf_url,
            abs_url=abs_url or str(raw_id),
        )

    def _problem(self, message: str, field: str, value: str | None = None) -> None:
        self._problems.append(Problem(message, location=self._location, field=field, value=value))

    def _identifier(self, raw_id: str | None) -> tuple[str, int | None]:
        if raw_id is None:
            self._problem("missing", "id")
            return "", None
        parsed = arxiv_id_from_url(raw_id)
        if parsed is None:
            self._problem(
                "not an arXiv abstract URL such as http://arxiv.org/abs/2309.06180v1", "id", raw_id
            )
            return "", None
        return parsed

    def _required_text(self, tag: str, field: str) -> str:
        text = self.text(tag)
        if text is None:
            self._problem("missing or empty", field)
            return ""
        return text

    def _date(self, tag: str, field: str) -> datetime:
        text = self.text(tag)
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
        elements = self._all(_AUTHOR)
        if not elements:
            self._problem("no authors", "author")
        authors = []
        for position, author in enumerate(elements):
            name: str | None = None
            affiliations: list[str] = []
            for child in author:
                if child.tag == _NAME and name is None:
                    name = _normalized_text(child)
                elif child.tag == _AFFILIATION and (affiliation := _normalized_text(child)):
                    affiliations.append(affiliation)
            if name is None:
                self._problem(f"author {position + 1} has no name", "author")
                continue
            authors.append(ArxivAuthor(name, tuple(affiliations)))
        return tuple(authors)

    def _categories(self) -> tuple[str, tuple[str, ...]]:
        terms = (normalize_space(category.get("term", "")) for category in self._all(_CATEGORY))
        categories = tuple(dict.fromkeys(term for term in terms if term))
        primary_elements = self._all(_PRIMARY_CATEGORY)
        primary = normalize_space(primary_elements[0].get("term", "")) if primary_elements else ""
        if not primary:
            self._problem("missing", "primary_category")
            return "", categories
        if primary not in categories:
            categories = (primary, *categories)
        return primary, categories

    def _links(self) -> tuple[str | None, str | None, str | None]:
        """The abstract page, PDF and DOI links, each None when the entry lacks it."""
        abs_url = pdf_url = doi_url = None
        for link in self._all(_LINK):
            href = link.get("href")
            title = link.get("title")
            if not href:
                continue
            if title == "pdf":
                pdf_url = href
            elif title == "doi":
                doi_url = normalize_doi(href)
            elif link.get("rel", "alternate") == "alternate":
                abs_url = href
        return abs_url, pdf_url, doi_url


def _normalized_text(element: Element) -> str | None:
    # Plain `.text` covers arXiv's elements; itertext only for the rare nested markup.
    text = (element.text or "") if len(element) == 0 else "".join(element.itertext())
    return normalize_space(text) or None


def _display_tag(tag: object) -> str:
    """`{namespace}name` as `name xmlns='namespace'`, which reads better in a message."""
    namespace, _, name = str(tag).rpartition("}")
    return f"{name} xmlns={namespace.lstrip('{')!r}" if namespace else name
