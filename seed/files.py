"""Reading seed files so that every record remembers the file and line it came from."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from api.errors import InvalidInputError, Problem


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
    """A safe YAML loader that notes the line each mapping starts on."""


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


def record_from_mapping(mapping: dict[str, Any], file: str) -> Record:
    data = dict(mapping)
    line = int(data.pop("__line__", 0))
    return Record(data=data, file=file, line=line)


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
        yield Record(data=data, file=name, line=line)
