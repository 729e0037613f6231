"""bibtexparser v2 a few hundred blocks at a time, so reading a large file keeps memory flat.

bibtexparser parses one string into one `Library` holding every block. We cut the file at lines
that start a block (`@type{` or `@type(` after optional whitespace) and parse each chunk on its
own. bibtexparser's splitter starts a block at such a line whatever comes before it (a block
still open there is aborted), so the chunks yield exactly the blocks the whole file would. Each
chunk is parsed with the start of the next chunk's first block appended (then dropped): a block
left open at the end of a chunk thus fails as in the whole file ("unexpected block start"), not
with "end of file".

What needs the whole file is gathered first, in cheap passes over the lines that keep only it:
* `@string` definitions, which any entry may use wherever they are;
* the `crossref` values, read by parsing the stretches that mention `crossref` as the main pass
  will (so a value spelled through an @string or in odd delimiters is found too);
* the entries those values name, whose fields their children inherit.
At most four passes, however the values are spelled: linear in the file.
Duplicate keys across chunks are found with the set of keys seen so far (a few bytes a key).
"""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from bibtexparser import model as bib
from bibtexparser.library import Library
from bibtexparser.middlewares.parsestack import default_parse_stack
from bibtexparser.splitter import Splitter

CHUNK_BLOCKS = 200
"""Blocks parsed together: small enough for flat memory, large enough that the per-chunk work
(joining lines, copying the @strings for the middlewares) stays negligible."""

# bibtexparser's block start is `@\w*[ \t]*` before `{` or `(`; it ends any open block when it
# is first on its line (after whitespace, as `str.isspace` sees it).
_BLOCK_START_LINE = re.compile(r"(?P<head>\s*@(?P<type>\w*)[ \t]*(?P<open>[{(]))")
# Anywhere, as blocks may also start within a line (after free text between blocks).
_STRING_START = re.compile(r"@string[ \t]*[{(]", re.IGNORECASE)
# What may stand around a key: its block's delimiter, whitespace, the comma after it.
_KEY_BREAK = re.compile(r"[\s{}()\",=]+")
_FEW_KEYS = 16
_NOT_ENTRIES = ("string", "comment", "preamble")
_CROSSREF = re.compile(r"crossref", re.IGNORECASE)

LineSource = Callable[[], Iterable[str]]
"""Opens the text anew for each pass and yields its lines, each ending with its `\\n`."""


@dataclass(frozen=True)
class ReadEntry:
    line: int
    """1-based line of the `@` that starts the entry."""
    entry: bib.Entry
    """After bibtexparser's default middlewares: @strings resolved, outer delimiters removed."""


@dataclass(frozen=True)
class FailedBlock:
    line: int
    """1-based line where the block starts."""
    reason: str
    duplicate_key: str | None = None
    """Set when the block failed only because an earlier block has the same key."""


@dataclass(frozen=True)
class _Chunk:
    first_line: int
    """0-based index in the file of the chunk's first line."""
    text: str
    lookahead: bool
    """The text ends with the start of the next chunk's first block, to be dropped."""


class BlockReader:
    """The entries and failed blocks of one BibTeX text, in file order, a chunk at a time.

    `prepare()` (run by iterating if not called before) reads the text once for the @strings
    and crossref targets and counts the blocks; iterating reads it once more, chunk by chunk.
    """

    def __init__(self, lines: LineSource, chunk_blocks: int = CHUNK_BLOCKS) -> None:
        self._lines = lines
        self._chunk_blocks = chunk_blocks
        self._strings: dict[str, bib.String] = {}
        self._parents: dict[str, bib.Entry] = {}
        self._prepared = False
        self.entry_blocks = 0
        """Blocks that start like an entry (not @string, @comment or @preamble); known after
        `prepare()`. Some may turn out unreadable."""
        self.bibtex_blocks = 0
        """Blocks read as BibTeX so far (entries, @string, @preamble, @comment)."""

    def prepare(self) -> None:
        if self._prepared:
            return
        mentions_crossref = False
        for block_type, lines in _stretches(self._lines()):
            if block_type is not None and not block_type.startswith(_NOT_ENTRIES):
                self.entry_blocks += 1
            text = "".join(lines)
            # A stretch parses alone exactly as within the file, wherever its blocks start.
            if _STRING_START.search(text):
                for string in Splitter(text).split().strings:
                    # A later definition of a key is a duplicate, reported by the main pass.
                    self._strings.setdefault(string.key, string)
            mentions_crossref = mentions_crossref or _CROSSREF.search(text) is not None
        if mentions_crossref:
            self._read_parents(self._crossref_targets())
        self._prepared = True

    def _crossref_targets(self) -> set[str]:
        """Every crossref value of the file, as the main pass will read it (@strings resolved).

        Guessing them with a pattern missed some (`crossref = "{key}"`, a @string), and each
        miss then cost a pass over the whole file: 2,000 such entries took 11 s."""
        targets: set[str] = set()
        for _type, lines in _stretches(self._lines()):
            text = "".join(lines)
            if not _CROSSREF.search(text):
                continue
            entries = Splitter(text).split().entries
            self._resolve(entries)
            targets.update(value.casefold() for entry in entries if (value := crossref_of(entry)))
        return targets

    def parent(self, key: str) -> bib.Entry | None:
        """The entry a crossref names (keys compare case-insensitively, the last one wins).
        Every value the file holds was looked up by `prepare()`: no lookup reads the file."""
        return self._parents.get(key.casefold())

    def __iter__(self) -> Iterator[ReadEntry | FailedBlock]:
        self.prepare()
        seen_entries: set[str] = set()
        seen_strings: set[str] = set()
        for chunk in self._chunks():
            for line, block in self._parse(chunk):
                if isinstance(block, bib.ParsingFailedBlock):
                    yield _failure(line, block)
                elif isinstance(block, bib.Entry | bib.String):
                    seen = seen_entries if isinstance(block, bib.Entry) else seen_strings
                    if block.key in seen:
                        yield FailedBlock(line, "duplicate key", duplicate_key=block.key)
                        continue
                    seen.add(block.key)
                    self.bibtex_blocks += 1
                    if isinstance(block, bib.Entry):
                        yield ReadEntry(line, block)
                elif isinstance(block, bib.Preamble | bib.ExplicitComment):
                    self.bibtex_blocks += 1

    def _read_parents(self, keys: set[str]) -> None:
        if not keys:
            return
        # A stretch is read if it holds a key: by substring for a few keys; for many, by whole
        # tokens (keys with spaces or delimiters in them still by substring).
        few = len(keys) <= _FEW_KEYS
        plain = set() if few else {key for key in keys if not _KEY_BREAK.search(key)}
        other = [key for key in keys if key not in plain]
        texts = []
        for _type, lines in _stretches(self._lines()):
            text = "".join(lines)
            folded = text.casefold()
            if any(k in folded for k in other) or (
                plain and not plain.isdisjoint(_KEY_BREAK.split(folded))
            ):
                texts.append(text)
        library = Splitter("".join(texts)).split()
        self._resolve(library.entries)
        for entry in library.entries:
            # As in a whole-file parse: of entries whose keys differ only in case, the last.
            if entry.key.casefold() in keys:
                self._parents[entry.key.casefold()] = entry

    def _chunks(self) -> Iterator[_Chunk]:
        lines: list[str] = []
        first = blocks = 0
        for index, line in enumerate(self._lines()):
            if start := _BLOCK_START_LINE.match(line):
                if blocks == self._chunk_blocks:
                    yield _Chunk(first, "".join(lines) + _lookahead(start), lookahead=True)
                    lines, first, blocks = [], index, 0
                blocks += 1
            lines.append(line)
        if lines:
            yield _Chunk(first, "".join(lines), lookahead=False)

    def _parse(self, chunk: _Chunk) -> Iterator[tuple[int, bib.Block]]:
        """The chunk's blocks with their 1-based line in the file."""
        blocks = Splitter(chunk.text).split().blocks
        if chunk.lookahead:
            # The appended block start is the chunk's last block, whatever came before it.
            blocks = blocks[:-1]
        self._resolve([block for block in blocks if isinstance(block, bib.Entry)])
        for block in blocks:
            if not isinstance(block, bib.ImplicitComment):
                yield chunk.first_line + (block.start_line or 0) + 1, block

    def _resolve(self, entries: list[bib.Entry]) -> None:
        """bibtexparser's default middlewares on `entries`, in place, with the @strings of the
        whole file (the first definition of each key, as a whole-file parse keeps)."""
        strings = [bib.String(key=s.key, value=s.value) for s in self._strings.values()]
        library = Library([*entries, *strings], fail_on_duplicate_key=False)
        for middleware in default_parse_stack(allow_inplace_modification=True):
            library = middleware.transform(library=library)


def crossref_of(entry: bib.Entry) -> str | None:
    """The entry's crossref value as its reader sees it (after the middlewares; of fields
    spelled alike but for case, the last, as the reader's field dictionary keeps)."""
    values = [str(item.value).strip() for item in entry.fields if item.key.lower() == "crossref"]
    return values[-1] if values and values[-1] else None


def _stretches(lines: Iterable[str]) -> Iterator[tuple[str | None, list[str]]]:
    """(type of its first block in lower case, lines) of each stretch of the text that starts
    at a block-start line; the text before the first one has type None."""
    block_type: str | None = None
    current: list[str] = []
    for line in lines:
        start = _BLOCK_START_LINE.match(line)
        if start is not None:
            if current:
                yield block_type, current
            block_type, current = start["type"].lower(), []
        current.append(line)
    if current:
        yield block_type, current


def _lookahead(start: re.Match[str]) -> str:
    """The next chunk's first block start, closed at once: a block still open before it is
    aborted as in the whole file (naming the same `@type`), and it parses without a warning."""
    body = "infergraph_lookahead = {}" if start["type"].lower().startswith("string") else ""
    return start["head"] + body + ("}" if start["open"] == "{" else ")") + "\n"


def _failure(line: int, block: bib.ParsingFailedBlock) -> FailedBlock:
    if isinstance(block, bib.DuplicateBlockKeyBlock):
        return FailedBlock(line, "duplicate key", duplicate_key=block.key)
    error = block.error
    # bibtexparser's BlockAbortedException keeps its reason in an attribute, not in str().
    reason = getattr(error, "abort_reason", None) or (str(error) if error else "")
    return FailedBlock(line, " ".join(str(reason).split()) or "syntax error")
