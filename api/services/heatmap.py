"""A grid of labelled cells drawn as an SVG element tree: the support matrices' heatmap.

pygal has no heatmap; drawn as pygal points, the 27 × 23 optimization matrix took 60 to 100 ms
(each point carries pygal's tooltip nodes), past the 50 ms a chart may take. A grid is rects
and text in rows and columns, so it is built here with lxml's element maker: text is escaped
by lxml, never pasted into markup."""

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree
from lxml.builder import ElementMaker

SVG = ElementMaker(
    namespace="http://www.w3.org/2000/svg", nsmap={None: "http://www.w3.org/2000/svg"}
)

CELL = 24
_SIDE = str(CELL - 1)
_NS = "{http://www.w3.org/2000/svg}"
_TAG_G, _TAG_TITLE, _TAG_RECT, _TAG_TEXT = (f"{_NS}{t}" for t in ("g", "title", "rect", "text"))
FONT = 12
CHAR = 7.2
"""Rough width of one character at `FONT` px, to make room for the longest label."""


@dataclass(frozen=True)
class CellStyle:
    key: str
    """Class of the cells drawn this way, and their legend's word."""
    glyph: str
    fill: str
    ink: str
    dashed: bool
    """A dashed border: a third cue beside the glyph and the colour."""


@dataclass(frozen=True)
class Cell:
    row: int
    column: int
    style: CellStyle
    marked: bool
    """Drawn with a `*` after the glyph (the matrix page's mark of a note)."""
    tooltip: str
    data: dict[str, str]
    """Attributes `data-<key>` on the cell, so a reader of the SVG finds what it shows."""


@dataclass(frozen=True)
class Heatmap:
    title: str
    row_title: str
    column_title: str
    rows: Sequence[str]
    columns: Sequence[str]
    cells: Sequence[Cell]
    legend: Sequence[tuple[CellStyle, str]]

    def tree(self) -> etree._Element:
        """The SVG document as an element tree (what `render_svg` finishes and writes)."""
        left = 40 + CHAR * max((len(r) for r in self.rows), default=0)
        longest_column = CHAR * max((len(c) for c in self.columns), default=0)
        # Column names are turned 50 degrees: they rise by sin 50 and reach right by cos 50.
        top = 70 + 0.77 * longest_column
        grid_width = CELL * len(self.columns)
        grid_height = CELL * len(self.rows)
        # Room for the title too (16 px letters), so it is never clipped.
        width = max(left + grid_width + 0.65 * longest_column + 20, 20 + 9 * len(self.title), 480)
        height = top + grid_height + 40 + 22 * len(self.legend)
        styles = [
            f"svg {{ font-family: system-ui, sans-serif; font-size: {FONT}px; fill: #222; }}",
            ".plot_title { font-size: 16px; }",
            ".title { font-weight: bold; }",
            ".cell text, .legend text.glyph { text-anchor: middle; dominant-baseline: central; }",
        ]
        for style, _word in self.legend:
            dash = " stroke-dasharray: 3 2;" if style.dashed else ""
            styles.append(
                f".{style.key} rect {{ fill: {style.fill}; stroke: {style.ink};{dash} }} "
                f".{style.key} text {{ fill: {style.ink}; }}"
            )
        root = SVG.svg(
            SVG.style("\n".join(styles)),
            SVG.rect(width="100%", height="100%", fill="white"),
            SVG.text(self.title, {"class": "plot_title"}, x="10", y="22"),
            SVG.text(
                self.column_title,
                {"class": "title"},
                x=f"{left:.0f}",
                y="44",
            ),
            SVG.text(
                self.row_title,
                {"class": "title"},
                x="10",
                y=f"{top - 8:.0f}",
            ),
            self._column_labels(left, top),
            self._row_labels(left, top),
            self._cells(left, top),
            self._legend(10, top + grid_height + 30),
            width=f"{width:.0f}",
            height=f"{height:.0f}",
            viewBox=f"0 0 {width:.0f} {height:.0f}",
            id="heatmap",
        )
        return root

    def _column_labels(self, left: float, top: float) -> etree._Element:
        labels = SVG.g({"class": "axis x"})
        for i, name in enumerate(self.columns):
            x = left + CELL * i + CELL / 2
            y = top - 6
            labels.append(
                SVG.text(name, x=f"{x:.0f}", y=f"{y:.0f}", transform=f"rotate(-50 {x:.0f} {y:.0f})")
            )
        return labels

    def _row_labels(self, left: float, top: float) -> etree._Element:
        labels = SVG.g({"class": "axis y"})
        for i, name in enumerate(self.rows):
            y = top + CELL * i + CELL / 2 + FONT / 3
            labels.append(
                SVG.text(name, x=f"{left - 6:.0f}", y=f"{y:.0f}", **{"text-anchor": "end"})
            )
        return labels

    def _cells(self, left: float, top: float) -> etree._Element:
        # Hundreds of cells: plain SubElement calls, several times faster than the builder.
        group = SVG.g({"class": "cells"})
        for cell in self.cells:
            x = left + CELL * cell.column
            y = top + CELL * cell.row
            attributes = {"class": f"cell {cell.style.key}"}
            attributes.update((f"data-{k}", v) for k, v in cell.data.items())
            g = etree.SubElement(group, _TAG_G, attributes)
            etree.SubElement(g, _TAG_TITLE).text = cell.tooltip
            etree.SubElement(g, _TAG_RECT, x=f"{x:.0f}", y=f"{y:.0f}", width=_SIDE, height=_SIDE)
            etree.SubElement(
                g, _TAG_TEXT, x=f"{x + CELL / 2:.0f}", y=f"{y + CELL / 2:.0f}"
            ).text = cell.style.glyph + ("*" if cell.marked else "")
        return group

    def _legend(self, x: float, y: float) -> etree._Element:
        legend = SVG.g({"class": "legend"})
        for i, (style, word) in enumerate(self.legend):
            row = y + 22 * i
            legend.append(
                SVG.g(
                    SVG.rect(x=f"{x:.0f}", y=f"{row:.0f}", width="18", height="18"),
                    SVG.text(style.glyph, {"class": "glyph"}, x=f"{x + 9:.0f}", y=f"{row + 9:.0f}"),
                    SVG.text(word, x=f"{x + 26:.0f}", y=f"{row + 13:.0f}"),
                    {"class": style.key},
                )
            )
        return legend
