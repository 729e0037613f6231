"""A chart is a table of data (its CSV twin) and an SVG drawn from exactly that table, so the
picture and the download cannot disagree; this module holds the table, the pygal settings every
chart shares and the two renderings."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from pygal.style import DefaultStyle

SVG_NS = "http://www.w3.org/2000/svg"


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
