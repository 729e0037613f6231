"""Reading BibTeX a chunk at a time gives what bibtexparser gives for the whole text."""

import io
import random
from pathlib import Path

import pytest
from bibtexparser import model as bib
from bibtexparser.entrypoint import parse_string

from api.errors import Problem
from api.services.ingest.readers.bibtex import BibEntry, BibtexReader
from api.services.ingest.readers.bibtex_blocks import BlockReader, FailedBlock, ReadEntry

_ROOT = Path(__file__).resolve().parents[3]
_TEXTS = [
    (_ROOT / "seed" / "references.bib").read_text(encoding="utf-8"),
    *(
        path.read_text(encoding="utf-8")
        for path in sorted(_ROOT.glob("tests/fixtures/bibtex/**/*"))
        if path.is_file()
    ),
]
_SNIPPETS = [
    "@misc{",
    "@string{foo = {Bar}}\n",
    "}",
    "{",
    '"',
    ",",
    "=",
    "\n",
    "  @comment{x}\n",
    '@preamble{"x"}\n',
    '@string(mlsys = "M")\n',
    "\n@article{dup,\n title={T},\n year={2020}}\n",
    "@inproceedings{kid, crossref={OSDI2022}, title={K}}\n",
    "@Proceedings{osdi2022, title={P}, year={2021}}\n",
]

Read = tuple[str, int | None, object]


def _mutated(count: int) -> list[str]:
    """Fixture files with pieces inserted, cut out and moved: broken, duplicate and mid-line
    blocks, macros and crossrefs in odd places."""
    generator = random.Random(11)
    texts = []
    for _ in range(count):
        text = generator.choice(_TEXTS)
        for _ in range(generator.randint(1, 8)):
            at = generator.randint(0, len(text))
            action = generator.random()
            if action < 0.4:
                text = text[:at] + generator.choice(_SNIPPETS) + text[at:]
            elif action < 0.7:
                text = text[:at] + text[at + generator.randint(1, 20) :]
            else:
                other = generator.choice(_TEXTS)
                start = generator.randint(0, len(other))
                text = text[:at] + other[start : start + generator.randint(1, 300)] + text[at:]
        # bibtexparser does not count a line break after a backslash; chunks restart the count.
        texts.append(text.replace("\\\n", "\\ \n"))
    return texts


def _whole(text: str) -> tuple[list[Read], int]:
    """What bibtexparser reads in the whole text, with crossref fields as our reader adds."""
    library = parse_string(text)
    read: list[Read] = []
    for block in library.blocks:
        line = None if block.start_line is None else block.start_line + 1
        if isinstance(block, bib.DuplicateBlockKeyBlock):
            read.append(("duplicate", line, block.key))
        elif isinstance(block, bib.ParsingFailedBlock):
            reason = getattr(block.error, "abort_reason", None) or str(block.error)
            read.append(("failed", line, " ".join(reason.split())))
        elif isinstance(block, bib.Entry):
            read.append(("entry", line, (block.key, [(f.key, f.value) for f in block.fields])))
    blocks = (bib.Entry, bib.String, bib.Preamble, bib.ExplicitComment)
    return read, sum(isinstance(block, blocks) for block in library.blocks)


def _chunked(text: str, chunk_blocks: int) -> tuple[list[Read], int]:
    reader = BlockReader(lambda: io.StringIO(text), chunk_blocks)
    read: list[Read] = []
    for item in reader:
        if isinstance(item, ReadEntry):
            fields = [(f.key, f.value) for f in item.entry.fields]
            read.append(("entry", item.line, (item.entry.key, fields)))
        elif item.duplicate_key is not None:
            read.append(("duplicate", item.line, item.duplicate_key))
        else:
            read.append(("failed", item.line, item.reason))
    return read, reader.bibtex_blocks


@pytest.mark.parametrize("chunk_blocks", [1, 2, 3, 200])
def test_chunks_read_the_blocks_the_whole_text_has(chunk_blocks: int) -> None:
    for text in [*_TEXTS, *_mutated(150)]:
        expected, blocks = _whole(text)
        read, read_blocks = _chunked(text, chunk_blocks)
        assert read == expected, text
        assert read_blocks == blocks


def test_macros_crossrefs_and_duplicates_reach_across_chunks() -> None:
    text = """@inproceedings{child, title = {Child}, crossref = {Parent}, author = {A, B}}
@article{macro, title = {Uses a macro}, journal = later, year = 2020}
@string{later = {Defined Further Down}}
@article{child, title = {Same key again}}
@proceedings{parent, title = {The Proceedings}, year = {2021}, publisher = {Pub}}
"""
    read = list(BibtexReader(text, "refs.bib", chunk_blocks=1))

    entries = {item.key: item for item in read if isinstance(item, BibEntry)}
    assert entries["child"].venue == "The Proceedings"
    assert (entries["child"].year, entries["child"].fields["publisher"]) == (2021, "Pub")
    assert entries["macro"].venue == "Defined Further Down"
    duplicates = [item for item in read if isinstance(item, Problem)]
    assert [(p.message, p.location, p.value) for p in duplicates] == [
        ("duplicate BibTeX key", "refs.bib:4", "child")
    ]


def test_an_entry_left_open_at_a_chunk_end_fails_as_in_the_whole_file() -> None:
    text = "@article{open,\n  title = {Never closed\n@article{next, title = {N}}\n"
    failures = [item for item in BlockReader(lambda: io.StringIO(text), 1) if not _is_entry(item)]

    assert len(failures) == 1
    assert isinstance(failures[0], FailedBlock)
    assert failures[0].line == 1
    assert failures[0].reason.startswith("Unexpected block start: `@article`")


def _is_entry(item: ReadEntry | FailedBlock) -> bool:
    return isinstance(item, ReadEntry)


def test_chunks_hold_a_bounded_number_of_blocks(tmp_path: Path) -> None:
    """The reader takes the lines anew for each pass and parses at most a chunk at a time."""
    path = tmp_path / "many.bib"
    path.write_text("".join(f"@misc{{k{n}, title = {{T{n}}}}}\n" for n in range(1000)))
    opened = []

    def lines() -> io.StringIO:
        opened.append(1)
        return io.StringIO(path.read_text())

    reader = BlockReader(lines, chunk_blocks=100)
    sizes = []
    for chunk in reader._chunks():
        sizes.append(chunk.text.count("\n"))
    keys = [item.entry.key for item in reader if isinstance(item, ReadEntry)]

    assert keys == [f"k{n}" for n in range(1000)]
    assert max(sizes) == 101  # 100 blocks and the start of the next one
    assert len(opened) == 3  # the chunk listing above, the first pass and the main pass


def test_many_crossref_parents_are_all_found() -> None:
    children = "".join(
        f"@inproceedings{{c{n}, title = {{C{n}}}, crossref = {{Conf-{n}}}}}\n" for n in range(40)
    )
    parents = "".join(
        f"@proceedings{{conf-{n}, title = {{Proceedings {n}}}, year = {{{2000 + n}}}}}\n"
        for n in range(40)
    )
    read = list(BibtexReader(children + parents, "refs.bib", chunk_blocks=7))

    entries = {item.key: item for item in read if isinstance(item, BibEntry)}
    assert [(entries[f"c{n}"].venue, entries[f"c{n}"].year) for n in (0, 17, 39)] == [
        ("Proceedings 0", 2000),
        ("Proceedings 17", 2017),
        ("Proceedings 39", 2039),
    ]


def test_crossref_values_no_pattern_guesses_cost_no_pass_each() -> None:
    """`crossref = "{p1}"` and a crossref through a @string escaped the old pattern scan, and
    each then cost a pass over the file (2,000 entries: 11 s). Now passes are bounded."""
    text = '@string{parent = "p0"}\n' + "".join(
        f'@proceedings{{p{n}, title = {{P{n}}}}}\n@misc{{c{n}, crossref = "{{p{n}}}"}}\n'
        for n in range(300)
    )
    text += "@misc{via_string, crossref = parent}\n"
    opened = []

    def lines() -> io.StringIO:
        opened.append(1)
        return io.StringIO(text)

    reader = BlockReader(lines, chunk_blocks=100)
    entries = [item for item in reader if isinstance(item, ReadEntry)]
    parents = [reader.parent(str(e.entry.fields_dict["crossref"].value)) for e in entries[1::2]]

    assert len(entries) == 601
    assert len(opened) == 4  # strings, crossref values, parents, the main pass
    via_string = reader.parent("p0")
    assert via_string is not None and via_string.key == "p0"
    assert parents == [None] * 300  # "{p1}" names no entry: its braces are part of the value
