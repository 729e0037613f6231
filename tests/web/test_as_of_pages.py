"""Pages read the graph as of a source version (`?as_of=`), say so, and keep it in their
links; on a graph that synced `fixtures/history/newer.md` as 2026-03-01."""

import re
from collections.abc import Iterator
from html import unescape

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from tests.web.test_pages import links, main_text

OLD = "2025-12-02"


@pytest.fixture(scope="module")
def web(synced_engine: sa.Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=synced_engine.url.render_as_string(False)))
    with TestClient(app, headers={"accept": "text/html"}) as client:
        yield client


def _page(web: TestClient, path: str, **params: str) -> str:
    response = web.get(path, params=params)
    assert response.status_code == 200, response.text[:500]
    return response.text


def _stars(page: str) -> str:
    found = re.search(r"<dt>GitHub stars</dt><dd>([^<]*)</dd>", page)
    assert found is not None
    return found.group(1)


def _platform_status(page: str, name: str) -> str:
    """The heading of the status group the platform is listed under on an engine page."""
    section = page[page.index('id="support-platform"') :]
    section = section[: section.index("<h2", 1)]
    before = section[: section.index(f">{name}<")]
    return str(re.findall(r"</span> ([^<(]*) \(\d+\)</h4>", before)[-1])


def test_an_engine_page_as_of_the_old_version_shows_the_old_facts(web: TestClient) -> None:
    past, now = _page(web, "/engines/vllm", as_of=OLD), _page(web, "/engines/vllm")
    assert (_stars(past), _stars(now)) == ("43400", "45100")
    assert "Windows" in past and "Windows" in now
    assert _platform_status(past, "Windows") != _platform_status(now, "Windows")
    assert (_platform_status(past, "Windows"), _platform_status(now, "Windows")) == (
        "Not supported",
        "Supported",
    )


def test_the_banner_names_the_version_and_links_the_current_page(web: TestClient) -> None:
    past, now = _page(web, "/engines/vllm", as_of=OLD), _page(web, "/engines/vllm")
    assert 'class="as-of"' not in now
    banner = unescape(main_text(past))
    assert f"Showing the graph as of version {OLD} (released {OLD}) — view current" in banner
    current = [t for tag, t, attrs in links(past) if attrs.get("data-as-of") == "current"]
    assert current == ["/engines/vllm"]
    # The newest version, asked by name, is the graph now: said so.
    newest = main_text(_page(web, "/engines/vllm", as_of="2026-03-01"))
    assert "as of version 2026-03-01 (released 2026-03-01), the newest" in newest


def test_links_forms_and_twins_keep_the_version(web: TestClient) -> None:
    past = _page(web, "/engines/vllm", as_of=OLD)
    targets = {target for _, target, _ in links(past)}
    assert f"/engines?as_of={OLD}" in targets
    assert f"/matrices/optimization?as_of={OLD}" in targets
    assert f"/api/v1/engines/vllm?as_of={OLD}" in targets
    assert "/static/site.css" in targets and "/graphql" in targets  # left as they are
    pages = [
        t
        for tag, t, attrs in links(past)
        if tag == "a"
        and t.startswith("/")
        and attrs.get("data-as-of") != "current"
        and not t.startswith(("/static/", "/graphql", "/docs", "/redoc"))
    ]
    assert pages and all(f"as_of={OLD}" in t for t in pages)
    assert f'<input type="hidden" name="as_of" value="{OLD}">' in past  # the search form
    # The twin answers the same past.
    twin = web.get("/api/v1/engines/vllm", params={"as_of": OLD}, headers={"accept": "*/*"})
    assert twin.json()["github_stars"] == 43400


def test_the_engine_list_filters_the_past(web: TestClient) -> None:
    query = {"filter": "technique:dynamic-batching", "per_page": "100"}
    past = _page(web, "/engines", as_of=OLD, **query)
    now = _page(web, "/engines", **query)
    assert 'href="/engines/ollama' in now
    assert 'href="/engines/ollama' not in past
    # Paging and sort links built from the page's own URL keep it once.
    assert all(t.count("as_of=") <= 1 for _, t, _ in links(past))


def _supported_in_row(page: str, engine: str) -> int:
    found = re.search(
        rf'href="/engines/{engine}[^"]*">[^<]*</a> <span class="hint">\((\d+)\)', page
    )
    assert found is not None
    return int(found.group(1))


def test_matrix_pages_show_the_old_cells_and_the_retired_row(web: TestClient) -> None:
    past = _page(web, "/matrices/precision", as_of=OLD)
    now = _page(web, "/matrices/precision")
    # unsloth's precision row was retired: every engine has a row, its cells are unknown now.
    assert (_supported_in_row(past, "unsloth"), _supported_in_row(now, "unsloth")) == (7, 0)
    assert _supported_in_row(past, "vllm") == _supported_in_row(now, "vllm")
    optimization = _page(web, "/matrices/optimization", as_of=OLD)
    current = _page(web, "/matrices/optimization")
    assert _supported_in_row(current, "ollama") == _supported_in_row(optimization, "ollama") + 1
    charts = [t for _, t, _ in links(past) if t.startswith("/api/v1/charts/precision-matrix.svg")]
    assert charts and all(f"as_of={OLD}" in t for t in charts)
    svg = web.get(unescape(charts[0]), headers={"accept": "*/*"})
    now_svg = web.get(unescape(charts[0]).replace(f"?as_of={OLD}", ""), headers={"accept": "*/*"})
    assert svg.status_code == now_svg.status_code == 200
    assert svg.text != now_svg.text


@pytest.mark.parametrize(
    ("as_of", "status", "words"),
    [
        ("not a version!", 400, "as_of is neither a version name nor a date"),
        ("v9", 404, "no version"),
        ("2025-06-01", 404, "earliest is 2025-12-02"),
    ],
)
def test_a_bad_version_is_an_error_page_in_rest_words(
    web: TestClient, as_of: str, status: int, words: str
) -> None:
    page = web.get("/engines/vllm", params={"as_of": as_of})
    assert page.status_code == status
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert words in unescape(page.text)
    rest = web.get("/api/v1/engines/vllm", params={"as_of": as_of}, headers={"accept": "*/*"})
    assert rest.status_code == status
    code = "invalid_input" if status == 400 else "not_found"
    assert rest.json()["error"]["code"] == code
    assert f"<code>{code}</code>" in page.text
