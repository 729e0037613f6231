"""Reads a dump file as a stream: the header first, then each table's rows one at a time.

`json.load` would hold the whole graph in memory. The dump's shape is fixed (an object
whose last member is `tables`, an array of objects whose last member is `rows`), so a
small reader walks that shape and decodes only the leaves (header values, column lists,
single rows) with the standard decoder. Whitespace and line breaks are free.
"""

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from api.errors import InvalidInputError, Problem

_CHUNK = 1 << 16


@dataclass
class DumpTable:
    meta: dict[str, Any]
    """The table's members before `rows` (`name`, `columns`, …)."""
    rows: Iterator[list[Any]]
    """Must be consumed before the next table is read."""


class _NotJsonError(ValueError):
    pass


def _not_json(name: str) -> Any:
    raise _NotJsonError(f"{name} is not a JSON number")


class DumpReader:
    def __init__(self, file_obj: IO[str] | IO[bytes], location: str = "dump") -> None:
        self._file = file_obj
        self._location = location
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._buffer = ""
        self._pos = 0
        self._consumed = 0
        self._eof = False
        # NaN and Infinity are not JSON, though Python's decoder reads them by default.
        self._json = json.JSONDecoder(parse_constant=_not_json)

    def header(self) -> dict[str, Any]:
        """The top-level members that come before `tables`."""
        header: dict[str, Any] = {}
        self._expect("{")
        while True:
            key = self._value()
            if not isinstance(key, str):
                raise self._error("a member name must be a string")
            self._expect(":")
            if key == "tables":
                return header
            header[key] = self._value()
            if self._separator("}") is None:
                raise self._error("the dump has no `tables` member")

    def tables(self) -> Iterator[DumpTable]:
        """Each table in file order; call after `header`."""
        self._expect("[")
        if self._peek() == "]":
            self._advance()
        else:
            while True:
                yield from self._table()
                if self._separator("]") is None:
                    break
        self._expect("}")
        if self._peek() != "":
            raise self._error("unexpected text after the dump")

    def _table(self) -> Iterator[DumpTable]:
        meta: dict[str, Any] = {}
        self._expect("{")
        if self._peek() == "}":
            self._advance()
            raise self._error("a table needs `name`, `columns` and `rows`")
        while True:
            key = self._value()
            self._expect(":")
            if key == "rows":
                yield DumpTable(meta, self._rows())
            else:
                meta[key] = self._value()
            if self._separator("}") is None:
                break

    def _rows(self) -> Iterator[list[Any]]:
        self._expect("[")
        if self._peek() == "]":
            self._advance()
            return
        while True:
            row = self._value()
            if not isinstance(row, list):
                raise self._error("a row must be an array of column values")
            yield row
            if self._separator("]") is None:
                return

    # --- lexing ----------------------------------------------------------------------

    def _separator(self, closing: str) -> str | None:
        """`,` → `,` (more follows); the closing bracket → None."""
        char = self._peek()
        if char == ",":
            self._advance()
            return ","
        if char == closing:
            self._advance()
            return None
        raise self._error(f"expected ',' or {closing!r}")

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            raise self._error(f"expected {char!r}")
        self._advance()

    def _peek(self) -> str:
        """The next non-whitespace character, or '' at the end."""
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos] in " \t\r\n":
                self._pos += 1
            if self._pos < len(self._buffer) or not self._fill():
                return self._buffer[self._pos : self._pos + 1]

    def _advance(self) -> None:
        self._pos += 1

    def _value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = self._json.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError as error:
                if self._fill(grow=True):
                    continue
                raise self._error(f"invalid JSON: {error.msg}") from None
            except _NotJsonError as error:
                raise self._error(f"invalid JSON: {error}") from None
            except RecursionError:
                raise self._error("invalid JSON: nested too deeply") from None
            # A number cut at the buffer's end would still decode; read on to be sure.
            if end == len(self._buffer) and self._fill(grow=True):
                continue
            self._pos = end
            return value

    def _fill(self, grow: bool = False) -> bool:
        """Read more text; False at the end of the file."""
        if self._eof:
            return False
        # Drop what has been consumed so the buffer holds about one value at a time.
        self._consumed += self._pos
        self._buffer = self._buffer[self._pos :]
        self._pos = 0
        size = max(_CHUNK, len(self._buffer)) if grow else _CHUNK
        data = self._file.read(size)
        text = self._decoder.decode(data, final=not data) if isinstance(data, bytes) else data
        if not data:
            self._eof = True
            self._buffer += text
            return bool(text)
        self._buffer += text
        return True

    def _error(self, message: str) -> InvalidInputError:
        offset = self._consumed + self._pos
        return InvalidInputError(
            "the dump cannot be read",
            [Problem(message, location=f"{self._location}: character {offset}")],
        )
