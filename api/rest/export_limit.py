"""How large one HTTP download may be: at most `INFERGRAPH_MAX_EXPORT_ROWS` rows.

Downloads stream, so the server's memory does not grow with them, but each row still costs
database time and bandwidth. A download over the limit is refused before it starts, with a
400 that says how many rows it would hold and how to ask for less.
"""

from dataclasses import dataclass

from fastapi import Request

from api.errors import InferGraphError, Problem

NARROW_LIST = "narrow it with `filter`, or page through the JSON list with `per_page` and `cursor`"
NARROW_PAPERS = (
    "narrow it with `filter` on /api/v1/papers (e.g. `year_from:2024`, `technique:<slug>`, "
    "`category:<slug>`), or page through the JSON list with `per_page` and `cursor`"
)
NARROW_GRAPH = (
    "page through the lists under /api/v1 instead, or run `infergraph export graph` "
    "on the server, which has no limit"
)


@dataclass
class ExportTooLargeError(InferGraphError):
    code: str = "export_too_large"
    status: int = 400


def check_export_size(request: Request, rows: int, *, narrow: str) -> None:
    """Refuse a download of `rows` rows when that is over the configured limit."""
    limit: int = request.app.state.settings.max_export_rows
    if rows > limit:
        raise ExportTooLargeError(
            f"this download would hold {rows} rows; the limit is {limit} "
            "(INFERGRAPH_MAX_EXPORT_ROWS)",
            [Problem(narrow, location="query", value=rows)],
        )
