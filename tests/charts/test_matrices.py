"""The support matrices as heatmaps: every cell of the SVG and of its CSV is the stored fact (or
unknown where no source says anything), and the same cells the matrix page shows."""

import csv
import io
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from lxml import etree, html
from sqlmodel import Session, col

import models as m

NS = {"s": "http://www.w3.org/2000/svg"}
GLYPHS = {"supported": "✔", "not_supported": "✘", "unknown": "?"}
TABLES: dict[str, tuple[Any, Any, str]] = {
    "optimization": (m.FeatureSupport, m.OptimizationFeature, "feature_id"),
    "hardware": (m.PlatformSupport, m.Platform, "platform_id"),
    "precision": (m.PrecisionSupport, m.Precision, "precision_id"),
}
VIEWS = [
    ("optimization", ""),
    ("optimization", "?category=quantization&sort=-supported"),
    ("hardware", "?sort=amd-instinct"),
    ("hardware", "?category=accelerator"),
    ("precision", "?sort=fp8"),
]


def _stored(session: Session, matrix: str) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(engine, column) → (status, note, source) as the tables hold them, read without the
    service."""
    fact, target, target_column = TABLES[matrix]
    statement = (
        sa.select(
            col(m.Engine.slug),
            target.slug,
            fact.status,
            fact.note,
            col(m.Source.slug),
        )
        .join(m.Engine, col(m.Engine.id) == fact.engine_id)
        .join(target, target.id == getattr(fact, target_column))
        .join(m.Source, col(m.Source.id) == fact.source_id)
    )
    return {
        (engine, column): (status.value, note or "", source)
        for engine, column, status, note, source in session.execute(statement)
    }


def _csv(api: TestClient, matrix: str, query: str) -> list[dict[str, str]]:
    response = api.get(f"/api/v1/charts/{matrix}-matrix.csv{query}")
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def _svg(api: TestClient, matrix: str, query: str) -> etree._Element:
    response = api.get(f"/api/v1/charts/{matrix}-matrix.svg{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    return etree.fromstring(response.content)


def _svg_cells(root: etree._Element) -> list[tuple[str, str, str]]:
    """(engine, column, status) of every drawn cell, checking its glyph says the status."""
    cells = []
    for g in root.iterfind(".//s:g", NS):
        if "cell" not in (g.get("class") or "").split():
            continue
        status = str(g.get("data-status"))
        glyph = str(g.findtext("s:text", namespaces=NS))
        assert glyph.rstrip("*") == GLYPHS[status]
        cells.append((str(g.get("data-engine")), str(g.get("data-column")), status))
    return cells


def _page_cells(api: TestClient, matrix: str, query: str) -> list[tuple[str, list[str]]]:
    """(engine, statuses left to right) of every row of the matrix page's table."""
    response = api.get(f"/matrices/{matrix}{query}")
    assert response.status_code == 200, response.text
    page = html.fromstring(response.text)
    rows = []
    for tr in page.xpath("//table[@id='heatmap']/tbody/tr"):
        engine = tr.xpath("th/a/@href")[0].removeprefix("/engines/")
        statuses = [
            next(c for c in td.get("class").split() if c.startswith("status-")).removeprefix(
                "status-"
            )
            for td in tr.xpath("td")
        ]
        rows.append((engine, statuses))
    return rows


@pytest.mark.parametrize(("matrix", "query"), VIEWS)
def test_heatmap_cells_are_the_stored_facts_and_the_pages_cells(
    api: TestClient, session: Session, matrix: str, query: str
) -> None:
    stored = _stored(session, matrix)
    table = _csv(api, matrix, query)
    assert table, "every view of the survey's matrices has cells"
    for row in table:
        expected = stored.get((row["engine"], row["column"]), ("unknown", "", ""))
        assert (row["status"], row["note"], row["source"]) == expected
    # Every stored fact of the shown engines and columns is in the table, none made up.
    engines = {r["engine"] for r in table}
    columns = {r["column"] for r in table}
    assert len(table) == len(engines) * len(columns)
    shown = {k for k in stored if k[0] in engines and k[1] in columns}
    assert shown == {(r["engine"], r["column"]) for r in table if r["source"]}
    drawn = _svg_cells(_svg(api, matrix, query))
    assert drawn == [(r["engine"], r["column"], r["status"]) for r in table]
    page = _page_cells(api, matrix, query)
    by_engine: dict[str, list[str]] = {}
    for engine, _column, status in drawn:
        by_engine.setdefault(engine, []).append(status)
    assert page == list(by_engine.items())


def test_the_survey_matrices_hold_all_three_states(api: TestClient) -> None:
    statuses = {r["status"] for r in _csv(api, "hardware", "")}
    assert statuses == {"supported", "not_supported", "unknown"}


def test_a_category_keeps_only_its_columns_and_sorting_orders_the_engines(
    api: TestClient, session: Session
) -> None:
    every = {r["column"] for r in _csv(api, "optimization", "")}
    quantized = {r["column"] for r in _csv(api, "optimization", "?category=quantization")}
    assert quantized and quantized < every
    table = _csv(api, "hardware", "?sort=amd-instinct")
    order = [r["status"] for r in table if r["column"] == "amd-instinct"]
    rank = {"supported": 0, "not_supported": 1, "unknown": 2}
    assert order == sorted(order, key=rank.__getitem__)
    assert order[0] == "supported"


def test_the_heatmap_is_accessible_and_names_its_axes(api: TestClient) -> None:
    root = _svg(api, "precision", "")
    assert root.get("role") == "img"
    title_id, desc_id = str(root.get("aria-labelledby")).split()
    title = root.findtext(f"s:title[@id='{title_id}']", namespaces=NS)
    desc = root.findtext(f"s:desc[@id='{desc_id}']", namespaces=NS)
    assert title == "Numeric precision support matrix"
    assert desc is not None and "? grey with a dashed border unknown" in desc
    axes = [t.text for t in root.iterfind(".//s:text[@class='title']", NS)]
    assert axes == ["Precision", "Engine"]
    legend = [
        [t.text for t in g.iterfind("s:text", NS)]
        for g in root.iterfind(".//s:g[@class='legend']/s:g", NS)
    ]
    assert legend[:3] == [
        ["✔", "supported"],
        ["✘", "not supported"],
        ["?", "unknown (no source says)"],
    ]
    # Every cell says in words what it shows, for a pointer or a screen reader.
    first = root.find(".//s:g[@data-engine]", NS)
    assert first is not None
    assert str(first.findtext("s:title", namespaces=NS)).split(": ")[1].split(" (")[0] in (
        "supported",
        "not supported",
        "unknown",
    )


def test_the_matrix_page_links_its_heatmap(api: TestClient) -> None:
    page = api.get("/matrices/optimization?category=quantization&sort=-supported").text
    assert (
        'href="/api/v1/charts/optimization-matrix.svg?category=quantization&amp;sort=-supported"'
        in page
    )
    assert 'href="/api/v1/charts/optimization-matrix.csv?category=quantization' in page


@pytest.mark.parametrize(
    ("query", "field", "status", "page_status"),
    [
        # Well formed, naming a part of the matrix it does not have: not found.
        ("?sort=nope", "sort", 404, 404),
        ("?page=2", "page", 404, 404),
        # Malformed: the caller's mistake. The platform kinds are a fixed list the document
        # gives, so any other value, the empty one too, is malformed (the page, which reads
        # them as the service does, answers 404 for an unknown one and all columns for none).
        ("?page=0", "page", 400, 400),
        ("?sort=Not%20A%20Slug", "sort", 400, 404),
        ("?category=no-such", "category", 400, 404),
        ("?category=", "category", 400, 200),
        ("?category=OS", "category", 400, 404),
    ],
)
def test_a_view_the_page_would_refuse_is_refused_in_the_error_shape(
    api: TestClient, query: str, field: str, status: int, page_status: int
) -> None:
    for suffix in ("svg", "csv"):
        response = api.get(f"/api/v1/charts/hardware-matrix.{suffix}{query}")
        assert response.status_code == status
        assert response.json()["error"]["problems"][0]["field"] == field
    assert api.get(f"/matrices/hardware{query}").status_code == page_status


@pytest.mark.parametrize(
    ("matrix", "category", "columns"),
    [("hardware-matrix", "os", {"linux", "windows", "macos"}), ("precision-matrix", "", set())],
)
def test_a_fixed_category_is_checked_against_its_list(
    api: TestClient, matrix: str, category: str, columns: set[str]
) -> None:
    """The platform kinds and precision families are validated as listed: one of them
    filters, anything else is a 400 naming `category`."""
    if category:
        response = api.get(f"/api/v1/charts/{matrix}.csv?category={category}")
        assert response.status_code == 200
        assert {row["column"] for row in csv.DictReader(io.StringIO(response.text))} == columns
    for wrong in ("", "os ", "integer;", "x" * 121):
        response = api.get(f"/api/v1/charts/{matrix}.csv", params={"category": wrong})
        assert response.status_code == 400, wrong
        assert response.json()["error"]["problems"][0]["field"] == "category"
