"""Read a README in the survey list's format into tables, engine bullets and unparsed lines.

The list is edited by hand, so the reader is lenient about shape (emoji and footnote marks
on headings, stray spaces in link labels, a bullet glued to the next heading) and strict
about meaning: a line it cannot place is reported with its number, never guessed at.
"""

import re
import unicodedata
from dataclasses import dataclass, field

LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*\s*$")
# A bullet or table row someone ended without a newline before the next heading.
_GLUED_HEADING = re.compile(r"(?<=\S)\s*(#{2,6}\s+\S.*)$")
_SEPARATOR_CELL = re.compile(r"^:?-{2,}:?$")

# Headings (their words, emoji and punctuation dropped) → the survey table they hold.
TABLE_HEADINGS = {
    "overview of llm inference engines": "overview",
    "hardware support matrix": "hardware-matrix",
    "deployment scalability vs hardware diversity": "deployment-quadrant",
    "optimization coverage matrix": "optimization-matrix",
    "numeric precision support matrix": "precision-matrix",
    "commercial inference engine pricing by model usd per 1m tokens": "model-pricing",
    "commercial inference engine pricing by hardware type usd per hour per device": (
        "device-pricing"
    ),
}
ENGINE_LIST_HEADINGS = {
    "open source inference engines": "open-source",
    "commercial inference engines": "commercial",
}
# Sections whose prose, images and benchmark tables the sync does not read: they are
# known, so their content is neither a problem nor a new kind of entry.
PROSE_HEADINGS = {
    "awesome llm inference engine",
    "table of contents",
    "overview",
    "taxonomy",
    "optimization techniques",
    "comparison table",
    "radar chart multi dimensional evaluation of llm inference engines",
    "commercial inference engine performance comparison",
    "experiments",
    "experimental setup",
    "evaluation methodology",
    "quantized model results server",
    "full precision model results server",
    "edge device results jetson orin",
    "overall findings",
    "future directions",
    "contributing",
    "license",
    "citation",
}
# Technique tables sit between these two level-2 headings.
_TECHNIQUES_START = "optimization techniques"
_TECHNIQUES_END = "comparison table"


def heading_key(text: str) -> str:
    """Words of a heading, lower case: emoji, marks and punctuation dropped."""
    kept = []
    for character in text:
        category = unicodedata.category(character)
        if category[0] in "LN":
            kept.append(character.lower())
        else:
            kept.append(" ")
    return " ".join("".join(kept).split())


def slug(text: str) -> str:
    return heading_key(text).replace(" ", "-")


def normalize(text: str) -> str:
    """Collapse runs of whitespace, including inside link labels (`[Sheng (2023) ]`)."""
    text = LINK.sub(lambda m: f"[{' '.join(m.group(1).split())}]({m.group(2)})", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Unparsed:
    line: int
    text: str
    reason: str


@dataclass
class Section:
    heading: str
    level: int
    line: int
    key: str


@dataclass
class TableRow:
    line: int
    cells: list[str]


@dataclass
class ReadmeTable:
    name: str
    heading: str
    line: int
    headers: list[str]
    rows: list[TableRow] = field(default_factory=list)
    # First cells of rows that could not be read: they are not "removed", only unreadable.
    unreadable: set[str] = field(default_factory=set)


@dataclass
class EngineBullet:
    """One line of an engine list: the engine's name and every link on the line."""

    section: str
    line: int
    name: str
    links: list[Link]

    def urls_labelled(self, *prefixes: str) -> list[Link]:
        return [link for link in self.links if link.label.lower().startswith(prefixes)]


@dataclass
class ParsedReadme:
    tables: dict[str, ReadmeTable] = field(default_factory=dict)
    bullets: list[EngineBullet] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    new_sections: list[Section] = field(default_factory=list)
    unparsed: list[Unparsed] = field(default_factory=list)
    substitutes: list[tuple[int, str]] = field(default_factory=list)
    """The model price table's `\\*` notes (line, the model a starred price is for)."""


_SUBSTITUTE_NOTE = re.compile(r"^[-+]\s+\\?\*\s+(\S.*)$")


def _split_glued(lines: list[str]) -> list[tuple[int, str]]:
    numbered: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        glued = _GLUED_HEADING.search(line) if not line.lstrip().startswith("#") else None
        if glued and line.lstrip().startswith(("-", "*", "|")):
            numbered.append((number, line[: glued.start()].rstrip()))
            numbered.append((number, glued.group(1)))
        else:
            numbered.append((number, line))
    return numbered


def split_row(line: str) -> list[str]:
    """The cells of a Markdown table row; `\\|` stays inside its cell."""
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    cells = re.split(r"(?<!\\)\|", body)
    return [normalize(cell.replace("\\|", "|")) for cell in cells]


def parse_readme(text: str) -> ParsedReadme:
    result = ParsedReadme()
    lines = _split_glued(text.splitlines())
    section: Section | None = None
    in_techniques = False
    index = 0
    in_fence = False
    while index < len(lines):
        number, line = lines[index]
        stripped = line.strip()
        if stripped.startswith("```"):
            in_fence = not in_fence
            index += 1
            continue
        heading = None if in_fence else _HEADING.match(stripped)
        if heading:
            level = len(heading.group(1))
            title = heading.group(2)
            key = heading_key(title)
            if level <= 2 and key == _TECHNIQUES_START:
                in_techniques = True
            elif level <= 2 and key == _TECHNIQUES_END:
                in_techniques = False
            section = Section(title, level, number, key)
            result.sections.append(section)
            known = (
                key in TABLE_HEADINGS
                or key in ENGINE_LIST_HEADINGS
                or key in PROSE_HEADINGS
                or in_techniques
                # Future directions are numbered prose sections.
                or re.match(r"^\d+ ", key) is not None
            )
            if not known:
                result.new_sections.append(section)
            index += 1
            continue
        if in_fence or section is None:
            index += 1
            continue
        if stripped.startswith("|"):
            index = _read_table(lines, index, section, in_techniques, result)
            continue
        if section.key in ENGINE_LIST_HEADINGS and stripped:
            _read_bullet(number, stripped, ENGINE_LIST_HEADINGS[section.key], result)
        elif TABLE_HEADINGS.get(section.key) == "model-pricing":
            note = _SUBSTITUTE_NOTE.match(stripped)
            if note:
                result.substitutes.append((number, normalize(note.group(1))))
        index += 1
    return result


def _table_name(section: Section, in_techniques: bool) -> str | None:
    if section.key in TABLE_HEADINGS:
        return TABLE_HEADINGS[section.key]
    if in_techniques and section.key != _TECHNIQUES_START:
        return f"techniques-{slug(section.heading)}"
    return None


def _read_table(
    lines: list[tuple[int, str]],
    start: int,
    section: Section,
    in_techniques: bool,
    result: ParsedReadme,
) -> int:
    end = start
    while end < len(lines) and lines[end][1].strip().startswith("|"):
        end += 1
    block = lines[start:end]
    name = _table_name(section, in_techniques)
    if name is None:
        # Tables of prose sections (benchmark results) are not survey facts the sync keeps;
        # a table in a section nobody knows is a new kind of entry, already reported.
        return end
    first_line, header_line = block[0]
    if len(block) < 2 or not all(_SEPARATOR_CELL.match(c) for c in split_row(block[1][1])):
        result.unparsed.append(
            Unparsed(first_line, header_line.strip(), "a table needs a header and a --- row")
        )
        return end
    if name in result.tables:
        result.unparsed.append(
            Unparsed(first_line, header_line.strip(), f"a second table for {name!r}")
        )
        return end
    headers = split_row(header_line)
    table = ReadmeTable(name, section.heading, first_line, headers)
    for number, line in block[2:]:
        cells = split_row(line)
        if len(cells) != len(headers):
            table.unreadable.add(cells[0])
            result.unparsed.append(
                Unparsed(
                    number,
                    line.strip(),
                    f"{len(cells)} cells where the header has {len(headers)}",
                )
            )
            continue
        if not cells[0]:
            result.unparsed.append(Unparsed(number, line.strip(), "a row without a name"))
            continue
        table.rows.append(TableRow(number, cells))
    result.tables[name] = table
    return end


_BULLET = re.compile(r"^[-*+]\s+(.*)$")


def _read_bullet(number: int, line: str, section: str, result: ParsedReadme) -> None:
    bullet = _BULLET.match(line)
    if bullet is None:
        result.unparsed.append(Unparsed(number, line, "not a bullet of the engine list"))
        return
    body = bullet.group(1)
    links = [Link(" ".join(label.split()), url) for label, url in LINK.findall(body)]
    # The name is the first link's label (`[vLLM](repo)`, `🌐 [Fireworks AI](site)`) or,
    # for an engine without a link, the words before the first emoji (`PrefillOnly 📄 …`).
    before_first_link = LINK.split(body)[0]
    plain = heading_key(before_first_link) and before_first_link.strip(" 🌐📄")
    if plain and any(ch.isalnum() for ch in plain):
        name = " ".join(
            "".join(
                ch if unicodedata.category(ch)[0] in "LNPZ" or ch in "+#" else " " for ch in plain
            ).split()
        )
        named_links = links
    elif links:
        name = links[0].label
        named_links = links
    else:
        result.unparsed.append(Unparsed(number, line, "an engine bullet names no engine"))
        return
    if not name:
        result.unparsed.append(Unparsed(number, line, "an engine bullet names no engine"))
        return
    result.bullets.append(EngineBullet(section, number, name, named_links))
