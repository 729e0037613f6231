"""CSV of any list, written row by row."""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

MEDIA_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
"""Written first in Excel's dialect (`csv-excel`): without it Excel on Windows reads UTF-8 as
the system code page and garbles every accented name."""
LINE_END = "\r\n"
"""RFC 4180's. Python's writer quotes a cell holding a line break only if the break is in the
line terminator: with `\\n` alone, a title holding `\\r` split its row in two."""
# Rows per chunk: large enough that a chunk is not a syscall per row.
_ROWS_PER_CHUNK = 500


def csv_stream(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False
) -> Iterator[str]:
    """The header, then the rows, in chunks of several lines (RFC 4180: quoting, `\\r\\n` ends);
    with `bom`, a byte-order mark first (Excel's dialect).

    `None` is written as an empty cell, booleans as `true`/`false`, everything else by `str`;
    text that a spreadsheet would run as a formula is neutralised (`neutralised`).
    """
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator=LINE_END)
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
    if isinstance(value, str):
        return neutralised(value)
    return str(value)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?|-")


def neutralised(text: str) -> str:
    """`text` as a CSV cell no spreadsheet runs: OWASP's CSV-injection rule, a leading `'`
    before a cell starting with `=`, `+`, `-`, `@`, tab or carriage return (titles such as
    `=HYPERLINK("http://…","click")` come from anyone's BibTeX).

    A plain number (`-4.5`) and the survey's lone `-` (unknown) stay as they are: no
    spreadsheet reads a formula in them, and a `'` would change a value a reader compares."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
