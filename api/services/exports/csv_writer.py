"""CSV of any list, written row by row."""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

MEDIA_TYPE = "text/csv; charset=utf-8"
# Rows per chunk: large enough that a chunk is not a syscall per row.
_ROWS_PER_CHUNK = 500


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The header, then the rows, in chunks of several lines (RFC 4180 quoting, `\\n` ends).

    `None` is written as an empty cell, booleans as `true`/`false`, everything else by `str`.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        if len(row) != len(header):
            raise ValueError(f"row {count} has {len(row)} cells, the header {len(header)}")
        writer.writerow([_cell(value) for value in row])
        if count % _ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
