"""Reading seed files so that every record remembers the file and line it came from."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from api.errors import InvalidInputError, Problem
from api.services.unstorable import text_refusal

MAX_YAML_DEPTH = 50
"""Nesting a seed YAML file may have; ours nest four deep. Deeper ran out of stack."""


@dataclass(frozen=True)
class Record:
    """One mapping from a data file, with where it was written."""

    data: dict[str, Any]
    file: str
    line: int

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that notes the line each mapping starts on, and refuses aliases
    (a 1 KB "billion laughs" of nested aliases expands past memory; no seed file uses one)
    and nesting deeper than `MAX_YAML_DEPTH` (which ran out of stack) where they appear."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self._refuse("aliases (*name) are not allowed in seed files")
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                self._refuse(f"nested deeper than {MAX_YAML_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def _refuse(self, problem: str) -> None:
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        raise yaml.composer.ComposerError(None, None, problem, mark)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = {str(key): value for key, value in loader.construct_mapping(node, deep=True).items()}
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def display_path(path: Path) -> str:
    """Paths in messages are relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_yaml_records(path: Path) -> list[Record]:
    """Top-level list of mappings; nested mappings keep their `__line__` too."""
    name = display_path(path)
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InvalidInputError(
            f"{name} is not valid YAML",
            [Problem(str(error.problem), location=f"{name}:{line}")],
        ) from error
    except yaml.reader.ReaderError as error:
        # Characters YAML does not allow (a raw NUL): not a marked error, but it has a position.
        line = path.read_text(encoding="utf-8")[: error.position].count("\n") + 1
        raise InvalidInputError(
            f"{name} is not valid YAML",
            [Problem(f"character {_code_point(error.character)} is not allowed", f"{name}:{line}")],
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInputError(
            f"cannot read {name}", [Problem(str(error), location=name)]
        ) from error
    if document is None:
        return []
    if not isinstance(document, list):
        raise InvalidInputError(
            f"{name} must hold a list", [Problem("top level is not a list", location=name)]
        )
    records = []
    for item in document:
        if not isinstance(item, dict):
            raise InvalidInputError(
                f"{name} must hold a list of mappings",
                [Problem("list item is not a mapping", location=name, value=item)],
            )
        records.append(record_from_mapping(item, name))
    return records


def _code_point(character: int | str) -> str:
    return f"U+{character if isinstance(character, int) else ord(character):04X}"


def record_from_mapping(mapping: dict[str, Any], file: str) -> Record:
    data = dict(mapping)
    line = int(data.pop("__line__", 0))
    _check_text(data, f"{file}:{line}")
    return Record(data=data, file=file, line=line)


def _check_text(value: Any, location: str) -> None:
    """Refuse text no database stores (a YAML `"\\0"`, a NUL in a CSV cell) where it is: on
    SQLite it was seeded, and then crashed a restore into PostgreSQL."""
    if isinstance(value, str):
        if (message := text_refusal(value)) is not None:
            raise InvalidInputError("a seed value cannot be stored", [Problem(message, location)])
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, location)
            _check_text(item, location)
    elif isinstance(value, list):
        for item in value:
            _check_text(item, location)


def read_csv_records(path: Path) -> list[Record]:
    """Rows as mappings; empty cells become None so optional columns can stay blank."""
    name = display_path(path)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return list(_csv_records(handle, name))
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInputError(
            f"cannot read {name}", [Problem(str(error), location=name)]
        ) from error
    except csv.Error as error:
        raise InvalidInputError(
            f"{name} is not valid CSV", [Problem(str(error), location=name)]
        ) from error


def _csv_records(handle: Any, name: str) -> Iterator[Record]:
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        return
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InvalidInputError(
                f"{name} has a malformed row",
                [
                    Problem(
                        f"expected {len(header)} cells ({', '.join(header)}), found {len(row)}",
                        location=f"{name}:{line}",
                    )
                ],
            )
        data = {key: (cell.strip() or None) for key, cell in zip(header, row, strict=True)}
        _check_text(data, f"{name}:{line}")
        yield Record(data=data, file=name, line=line)
