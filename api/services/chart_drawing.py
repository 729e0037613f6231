"""A chart is a table of data (its CSV twin) and an SVG drawn from exactly that table, so the
picture and the download cannot disagree; this module holds the table, the pygal settings every
chart shares and the two renderings."""

import csv
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pygal
import pygal.config
import pygal.graph.base
from lxml import etree
from pygal.style import DefaultStyle

SVG_NS = "http://www.w3.org/2000/svg"


@functools.cache
def _serie_option_names() -> list[str]:
    return dir(pygal.config.SerieConfig())


class _SerieConfig(pygal.config.SerieConfig):  # type: ignore[misc]
    """pygal's per-series options, their names listed once instead of on every look-up.

    For each series pygal copies the chart's options into a new `SerieConfig`, testing every
    option name against a fresh `dir()` of it: about a hundred `dir()` walks per series, a
    third of drawing a twelve-line chart. The names cannot change (an instance only ever
    holds the class's options), so pygal's own list is taken once and handed out (a copy:
    `dir()` sorts what it gets); what pygal copies is the same.
    """

    def __dir__(self) -> list[str]:
        return list(_serie_option_names())


# pygal.graph.base creates the series' configs by this module-level name.
pygal.graph.base.SerieConfig = _SerieConfig


@dataclass(frozen=True)
class ChartData:
    name: str
    title: str
    description: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    svg: Callable[["ChartData"], Any]
    """Builds the drawing from this data: a pygal chart (title, axes and series already set)
    or an SVG element tree (the heatmaps)."""


def chart_style() -> Any:
    # A system font stack instead of pygal's monospace, and enough contrast for axe.
    return DefaultStyle(font_family="system-ui, sans-serif", foreground="#222", background="white")


def configured(chart_class: Any, data: ChartData, **options: Any) -> Any:
    return chart_class(
        js=[],  # no script: pygal's default loads one from a CDN, and pages load nothing outside
        style=chart_style(),
        title=data.title,
        width=800,
        height=480,
        legend_at_bottom=True,
        print_values=False,
        truncate_label=-1,  # model names in full: "Llama 3.1 8B" vs "Llama 3.1 70B" matters
        x_label_rotation=20,
        **options,
    )


DOT_RADIUS = 2.5
"""pygal's own radius for a point's dot (its `dots_size`), kept by the vertex markers."""


def marked_vertices(data: ChartData, lines: int, joined: bool = True) -> dict[str, Any]:
    """pygal options that draw each point of a line as an SVG marker on the line's vertices:
    one marker per colour, however many points there are. pygal's own dots are a group of six
    nodes a point (the dot, and five text nodes for its script's tooltip, which a chart without
    script never shows), and drawing them was most of a large runs chart's cost. With
    `joined=False` the line is transparent and only its markers show (a scatter plot).

    A line of one point has no vertex to mark: `add_series` gives it pygal's dot instead."""
    chart_id = f"chart-{data.name}"
    colours = chart_style().colors  # 18 colours: a runs chart has at most a dozen lines
    defs, rules = [], []
    for index in range(lines):
        marker_id = f"{chart_id}-dot-{index}"
        marker = etree.Element(
            f"{{{SVG_NS}}}marker",
            id=marker_id,
            viewBox="0 0 2 2",
            refX="1",
            refY="1",
            markerWidth=str(2 * DOT_RADIUS),
            markerHeight=str(2 * DOT_RADIUS),
            markerUnits="userSpaceOnUse",  # the dot's size does not follow the line's width
        )
        colour = colours[index % len(colours)]
        etree.SubElement(marker, f"{{{SVG_NS}}}circle", cx="1", cy="1", r="1", fill=colour)
        defs.append(etree.tostring(marker, encoding="unicode"))
        hidden = "" if joined else " stroke: none;"
        rules.append(f"#{chart_id} .serie-{index} .line {{ marker: url(#{marker_id});{hidden} }}")
    return {
        "show_dots": False,
        "stroke": True,
        "defs": defs,
        # pygal's own style sheets first: a chart's `css` replaces them otherwise.
        "css": [*pygal.Config().css, "inline:" + "\n".join(rules)],
    }


def add_series(chart: Any, series: dict[str, list[Any]]) -> None:
    """Each line to the chart, a line of one point with pygal's dot (see `marked_vertices`).
    A marked line's points go without their metadata: pygal would copy it point by point
    for a tooltip that only its dots carry."""
    for label, points in series.items():
        if len(points) == 1:
            chart.add(label, points, show_dots=True)
        else:
            chart.add(label, [p["value"] if isinstance(p, dict) else p for p in points])


def render_svg(data: ChartData) -> bytes:
    """The chart as a standalone SVG with a <title> and <desc> a screen reader announces."""
    drawing = data.svg(data)
    root = (
        drawing
        if isinstance(drawing, etree._Element)
        else etree.fromstring(drawing.render(is_unicode=False))
    )
    # pygal names each chart by a random UUID; a stable id keeps the document reproducible.
    old_id = root.get("id") or ""
    new_id = f"chart-{data.name}"
    root.set("id", new_id)
    for style in root.iter(f"{{{SVG_NS}}}style"):
        style.text = (style.text or "").replace(old_id, new_id)
    title = root.find(f"{{{SVG_NS}}}title")
    if title is None:
        title = etree.SubElement(root, f"{{{SVG_NS}}}title")
        title.text = data.title
        root.insert(0, title)
    title.set("id", f"{new_id}-title")
    desc = etree.Element(f"{{{SVG_NS}}}desc", id=f"{new_id}-desc")
    desc.text = data.description
    title.addnext(desc)
    root.set("role", "img")
    root.set("aria-labelledby", f"{new_id}-title {new_id}-desc")
    # pygal embeds its configuration for its (here absent) script: dead weight in a picture.
    for script in list(root.iter(f"{{{SVG_NS}}}script")):
        parent = script.getparent()
        if parent is not None:
            parent.remove(script)
    # Drop pygal's generator comments (they carry the render date, which would change the bytes).
    for comment in root.xpath("comment()"):
        root.remove(comment)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def render_csv(data: ChartData) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(data.columns)
    writer.writerows(["" if v is None else v for v in row] for row in data.rows)
    return out.getvalue()
