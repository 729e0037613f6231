"""Every page answers with real content from the service layer and links its data twins."""

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.services import techniques

PAGES = [
    "/",
    "/search?q=vllm",
    "/engines",
    "/engines?filter=platform:amd-instinct&sort=-stars",
    "/engines/vllm",
    "/organizations",
    "/organizations/vllm-team",
    "/techniques",
    "/techniques/eagle",
    "/categories",
    "/categories/quantization",
    "/papers",
    "/papers/sun2024simple",
    "/platforms",
    "/platforms/amd-instinct",
    "/precisions",
    "/precisions/fp16",
    "/benchmark-runs",
    "/model-prices",
    "/device-prices",
    "/prices",
    "/sources/survey-optimization-matrix",
    "/matrices",
    "/matrices/optimization",
    "/matrices/hardware",
    "/matrices/precision",
    "/charts",
    "/compare",
    "/compare?engine=vllm&engine=sglang",
    "/requirements",
    "/requirements?technique=speculative-decoding&platform=amd-instinct",
    # As of a version (the seed's, here the newest): the banner, and links that keep it.
    "/engines/vllm?as_of=2025-12-02",
    "/matrices/precision?as_of=2025-12-02",
]


class Links(HTMLParser):
    """Every `href` and `src`, with the tag that carries it."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in ("href", "src"):
            value = attributes.get(name)
            if value is not None:
                self.found.append((tag, value, attributes))


def links(html: str) -> list[tuple[str, str, dict[str, str | None]]]:
    parser = Links()
    parser.feed(html)
    return parser.found


def main_text(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_html_with_a_title_and_same_origin_assets(web: TestClient, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>" in response.text and "<title>" in response.text
    assert "This page as data:" in response.text  # every page links its twins
    for tag, target, attributes in links(response.text):
        if tag == "a" and attributes.get("rel") == "external noopener":
            continue  # a link a person may follow (a repository, a DOI), never loaded
        assert not re.match(r"^(https?:)?//", target), f"{path}: {tag} loads {target}"


@pytest.mark.parametrize(
    ("path", "twin"),
    [
        ("/engines/vllm", "/api/v1/engines/vllm"),
        ("/engines?filter=platform:amd-instinct", "/api/v1/engines?filter=platform%3Aamd-instinct"),
        ("/techniques/eagle", "/api/v1/techniques/eagle/papers?format=bibtex"),
        ("/papers/sun2024simple", "/api/v1/papers/sun2024simple?format=bibtex"),
        ("/papers", "/api/v1/papers?format=bibtex"),
        ("/matrices/hardware", "/api/v1/tables/hardware-matrix?format=csv"),
        ("/platforms/amd-instinct", "/api/v1/platforms/amd-instinct/support"),
        ("/compare?engine=vllm&engine=sglang", "/compare?engine=vllm&engine=sglang&format=csv"),
        ("/categories", "/api/v1/categories"),
    ],
)
def test_pages_link_their_twins_and_the_twins_answer(web: TestClient, path: str, twin: str) -> None:
    page = web.get(path).text
    footer = page[page.index('<footer class="site">') :]
    assert f'href="{twin.replace("&", "&amp;")}"' in footer
    assert web.get(twin, headers={"accept": "*/*"}).status_code == 200


def test_the_landing_page_says_what_it_holds_and_where_to_go(web: TestClient) -> None:
    page = web.get("/").text
    text = main_text(page)
    assert "knowledge graph of LLM inference engines" in text
    assert "27 engines" in text and "56 techniques" in text and "88 papers" in text
    assert re.search(r"Data version [0-9a-f]+\.\d+", text)
    targets = {target for _tag, target, _a in links(page)}
    assert {"/graphql", "/docs", "/redoc", "/api/v1/papers?format=bibtex", "/search"} <= targets | {
        "/search"
    }
    assert 'action="/search"' in page


def test_the_vllm_page_lists_what_it_supports_and_where_each_fact_came_from(
    web: TestClient,
) -> None:
    page = web.get("/engines/vllm").text
    text = main_text(page)
    techniques = page[page.index('id="techniques"') : page.index('id="support-feature"')]
    assert '<a href="/techniques/paged-attention">' in techniques
    assert '<a href="/techniques/continuous-batching">' in techniques
    assert "vLLM Team" in text and "43400" in text
    assert 'href="/sources/survey-hardware-matrix"' in page
    assert 'href="https://github.com/vllm-project/vllm" rel="external noopener"' in page


def test_a_technique_page_cites_in_the_survey_order_with_bibtex_links(web: TestClient) -> None:
    expected = [c["paper"]["key"] for c in web.get("/api/v1/techniques/eagle/papers").json()]
    page = web.get("/techniques/eagle").text
    cited = re.findall(r'<li><a href="/papers/([^"]+)">', page)
    assert cited == expected and expected
    for key in expected:
        assert f'href="/api/v1/papers/{key}?format=bibtex"' in page
    assert "Category:" in main_text(page)
    assert '<a href="/categories/speculative-decoding">' in page or "/categories/" in page
    supported = page[page.index("Supported by") : page.index("Not supported by")]
    assert '<a href="/engines/vllm">' in supported


def test_a_paper_page_has_its_metadata_and_identifiers(web: TestClient) -> None:
    text = main_text(web.get("/papers/sun2024simple").text)
    assert "A Simple and Effective Pruning Approach" in text
    assert "Mingjie Sun, Zhuang Liu, Anna Bair, J. Zico Kolter" in text
    assert "2306.11695" in text
    assert "Wanda" in text


def test_list_pages_filter_sort_and_page_like_rest(web: TestClient) -> None:
    rest = web.get(
        "/api/v1/engines?filter=platform:amd-instinct&sort=-stars&per_page=3",
        headers={"accept": "application/json"},
    ).json()
    page = web.get("/engines?filter=platform:amd-instinct&sort=-stars&per_page=3").text
    names = re.findall(r'<td><a href="/engines/([^"]+)">', page)
    assert names == [engine["slug"] for engine in rest["results"]]
    assert f"{rest['meta']['count']} rows" in main_text(page)
    cursor = rest["meta"]["next_cursor"]
    assert f"cursor={cursor}" in page.replace("%3D", "=")
    second = web.get(
        f"/engines?filter=platform:amd-instinct&sort=-stars&per_page=3&cursor={cursor}"
    ).text
    rest_second = web.get(
        f"/api/v1/engines?filter=platform:amd-instinct&sort=-stars&per_page=3&cursor={cursor}",
        headers={"accept": "application/json"},
    ).json()
    assert re.findall(r'<td><a href="/engines/([^"]+)">', second) == [
        engine["slug"] for engine in rest_second["results"]
    ]


def test_the_optimization_heatmap_has_every_engine_and_column(web: TestClient) -> None:
    page = web.get("/matrices/optimization").text
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    rows = body.count("<tr>")
    assert rows == 27
    assert body.count('<td class="cell') == 27 * 23
    # Told apart by symbol and word, not only by colour.
    assert 'aria-label="supported"' in body and 'aria-label="not supported"' in body
    assert body.count("✔") + body.count("✘") + body.count("?") >= 27 * 23
    assert 'href="/sources/survey-optimization-matrix"' in body


def test_the_heatmap_filters_by_category_and_sorts_by_a_column(web: TestClient) -> None:
    # A column the matrix does not have: well formed, not found.
    assert web.get("/matrices/optimization?sort=no-such-column").status_code == 404
    assert web.get("/matrices/optimization?category=no-such-category").status_code == 404
    filtered = web.get("/matrices/optimization?category=quantization").text
    body = filtered[filtered.index("<tbody>") : filtered.index("</tbody>")]
    columns = body.split("</tr>")[0].count('<td class="cell')
    assert 0 < columns < 23
    assert ">Quantization<" in filtered
    ordered = web.get("/matrices/hardware?sort=amd-instinct").text
    engines = re.findall(r'<th scope="row"><a href="/engines/([^"]+)">', ordered)
    supporting = {
        fact["engine"]
        for fact in web.get(
            "/api/v1/platforms/amd-instinct/support", headers={"accept": "application/json"}
        ).json()
        if fact["status"] == "supported"
    }
    assert set(engines[: len(supporting)]) == supporting


def test_compare_highlights_differences_folds_agreement_and_exports(web: TestClient) -> None:
    page = web.get("/compare?engine=vllm&engine=llama-cpp").text
    assert (
        '<tr class="differs"><th scope="row">Organization <span class="tag">(differs)</span></th>'
        in page
    )
    assert "<details>" in page and "where all agree" in page
    assert 'href="/compare?engine=vllm&amp;engine=llama-cpp"' in page  # the permalink
    csv = web.get("/compare?engine=vllm&engine=llama-cpp&format=csv")
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    header, first = csv.text.splitlines()[:2]
    assert header == "section,row,vLLM,llama.cpp"
    assert first.startswith("Attributes,Organization,vLLM Team,")
    assert web.get("/compare?engine=a&engine=b&engine=c&engine=d&engine=e").status_code == 400


def test_the_requirement_form_ranks_like_rest(web: TestClient) -> None:
    query = "technique=speculative-decoding&platform=amd-instinct&precision=fp8"
    rest = web.get(f"/api/v1/requirements?{query}", headers={"accept": "application/json"}).json()
    page = web.get(f"/requirements?{query}").text
    ranking = page[page.index('id="ranking"') :]
    assert re.findall(r'<td><a href="/engines/([^"]+)">', ranking) == [m["engine"] for m in rest]
    assert 'value="speculative-decoding" checked' in page
    best = rest[0]
    assert f"{round(best['score'] * 100)}%" in ranking


def test_autocomplete_finds_names_by_prefix(web: TestClient) -> None:
    hits = web.get("/api/v1/autocomplete?q=spe", headers={"accept": "application/json"}).json()
    assert {"kind": "feature", "id": "speculative-decoding", "name": "Speculative Decoding"} in hits
    engines = web.get("/api/v1/autocomplete?q=VL", headers={"accept": "application/json"}).json()
    assert engines[0] == {"kind": "engine", "id": "vllm", "name": "vLLM"}
    # LIKE wildcards are plain characters.
    assert (
        web.get("/api/v1/autocomplete?q=%25", headers={"accept": "application/json"}).json() == []
    )


def test_search_page_shows_engines_first(web: TestClient) -> None:
    page = web.get("/search?q=vllm").text
    assert re.findall(r'<a href="(/[a-z]+/[^"]+)">', page[page.index('id="results"') :])[0] == (
        "/engines/vllm"
    )


@pytest.mark.parametrize(
    ("path", "status", "rest_path"),
    [
        ("/engines?filter=bogus:1", 400, "/api/v1/engines?filter=bogus:1"),
        ("/engines?per_page=0", 400, "/api/v1/engines?per_page=0"),
        ("/engines/nope", 404, "/api/v1/engines/nope"),
        ("/papers/nope", 404, "/api/v1/papers/nope"),
    ],
)
def test_errors_are_html_pages_in_the_rest_wording(
    web: TestClient, path: str, status: int, rest_path: str
) -> None:
    page = web.get(path)
    assert page.status_code == status
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    error = web.get(rest_path, headers={"accept": "application/json"}).json()["error"]
    shown = unescape(page.text)
    assert f"<h1>{error['message']}</h1>" in shown
    assert f"<code>{error['code']}</code>" in shown
    for problem in error["problems"]:
        assert problem["message"] in shown


@pytest.mark.parametrize(
    ("path", "title"),
    [
        # REST checks a cursor against its documented grammar before the service sees it;
        # the page hands it to the service, which names it.
        ("/engines?cursor=forged", "invalid cursor"),
        # REST answers an unknown requirement as unknown for every engine (docs/rest.md); a
        # person who typed it is better served by the refusal with its suggestions.
        ("/requirements?technique=nope", "unknown technique"),
    ],
)
def test_pages_refuse_what_a_person_mistyped(web: TestClient, path: str, title: str) -> None:
    page = web.get(path)
    assert page.status_code == 400
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert f"<h1>{title}</h1>" in page.text
    assert "<code>invalid_input</code>" in page.text


def test_pages_carry_etags_and_answer_304(web: TestClient) -> None:
    first = web.get("/engines/vllm")
    etag = first.headers["etag"]
    again = web.get("/engines/vllm", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert web.get("/matrices/optimization").headers["etag"] != etag


def test_the_heatmap_pages_its_engines(web: TestClient) -> None:
    assert web.get("/matrices/optimization?page=1").status_code == 200
    assert web.get("/matrices/optimization?page=2").status_code == 404  # 27 engines, one page
    for page in ("0", "x", "²"):
        assert web.get(f"/matrices/optimization?page={page}").status_code == 400


def test_the_category_tree_counts_every_technique_once(web: TestClient, session: Session) -> None:
    grouped = techniques.techniques_by_category(session, 2)
    assert sum(total for total, _listed in grouped.values()) == 56
    assert all(len(listed) == min(total, 2) for total, listed in grouped.values())
    page = web.get("/categories").text
    assert page.count('<a href="/techniques/') == 56  # the survey's categories hold <= 12 each


def test_a_browser_asking_for_a_missing_page_gets_an_error_page(web: TestClient) -> None:
    response = web.get("/no-such-page", headers={"accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "no page here" in response.text
    assert 'href="/"' in response.text


def test_machines_keep_json_errors_for_missing_paths(web: TestClient) -> None:
    for path, accept in (("/no-such-page", "application/json"), ("/api/v1/nope", "text/html")):
        response = web.get(path, headers={"accept": accept})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
