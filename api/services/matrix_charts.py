"""The support matrices as heatmaps, drawn from the view of a matrix its page shows."""

from dataclasses import dataclass

from lxml import etree
from sqlmodel import Session

from api.services import support
from api.services.chart_drawing import ChartData
from api.services.heatmap import Cell, CellStyle, Heatmap
from api.services.support import FactKind
from models.base import SupportStatus

MATRIX_CHARTS: dict[str, tuple[FactKind, str, str]] = {
    "optimization-matrix": (FactKind.FEATURE, "Optimization coverage", "Optimization column"),
    "hardware-matrix": (FactKind.PLATFORM, "Hardware support", "Platform"),
    "precision-matrix": (FactKind.PRECISION, "Numeric precision support", "Precision"),
}
"""Chart name → the kind of fact, the title, what a column is. The matrix pages
(`/matrices/{optimization,hardware,precision}`) show the same views."""

_STATUS_STYLES = {
    SupportStatus.SUPPORTED: CellStyle("supported", "✔", "#d7f0d9", "#1b5e20", False),
    SupportStatus.NOT_SUPPORTED: CellStyle("not-supported", "✘", "#f6d6d6", "#8e1b1b", False),
    # Unknown (no source says) is grey, a question mark and a dashed border: never read as "no".
    SupportStatus.UNKNOWN: CellStyle("unknown", "?", "#ececec", "#444444", True),
}
_STATUS_WORDS = {
    SupportStatus.SUPPORTED: "supported",
    SupportStatus.NOT_SUPPORTED: "not supported",
    SupportStatus.UNKNOWN: "unknown (no source says)",
}


@dataclass(frozen=True)
class MatrixFilter:
    """The matrix pages' query: a column group, the engines' order and a page of engines."""

    category: str = ""
    sort: str = "name"
    page: int = 1


def _sorted_by(sort: str) -> str:
    if sort == "name":
        return "by name"
    if sort == "-supported":
        return "most supported first"
    return f"supporting {sort} first"


def support_matrix(session: Session, name: str, where: MatrixFilter = MatrixFilter()) -> ChartData:
    """The matrix `name` as a heatmap of exactly the rows its page shows for `where`."""
    kind, title, column_word = MATRIX_CHARTS[name]
    view = support.matrix_view(
        session, kind, category=where.category, sort=where.sort, page=where.page
    )
    rows = tuple(
        (
            row.engine,
            row.engine_name,
            column.slug,
            column.name,
            cell.status.value,
            cell.note,
            cell.source,
        )
        for row in view.rows
        for column, cell in zip(view.columns, row.cells, strict=True)
    )
    scope = [f"columns in {view.category}"] if view.category else []
    if view.pages > 1:
        scope.append(f"engines page {view.page} of {view.pages}")
    full_title = f"{title} matrix" + (f" ({'; '.join(scope)})" if scope else "")

    def draw(data: ChartData) -> etree._Element:
        cells = [
            Cell(
                r,
                c,
                _STATUS_STYLES[cell.status],
                cell.note is not None,
                f"{row.engine_name} × {column.name}: {_STATUS_WORDS[cell.status]}"
                + (f" ({cell.note})" if cell.note else ""),
                {"engine": row.engine, "column": column.slug, "status": cell.status.value},
            )
            for r, row in enumerate(view.rows)
            for c, (column, cell) in enumerate(zip(view.columns, row.cells, strict=True))
        ]
        return Heatmap(
            data.title,
            "Engine",
            column_word,
            [row.engine_name for row in view.rows],
            [column.name for column in view.columns],
            cells,
            [(_STATUS_STYLES[s], w) for s, w in _STATUS_WORDS.items()]
            + [(CellStyle("note", "*", "white", "#222222", False), "the source adds a note")],
        ).tree()

    return ChartData(
        name,
        full_title,
        f"{len(view.rows)} engines (rows, {_sorted_by(view.sort)}) × "
        f"{len(view.columns)} {column_word.lower()}s (columns). Each cell is the graph's "
        "fact: ✔ green supported, ✘ red not supported, ? grey with a dashed border unknown "
        "(no source says); * marks a fact with a note. The same cells as the matrix page.",
        ("engine", "engine_name", "column", "column_name", "status", "note", "source"),
        rows,
        draw,
    )
