"""The main journeys through the pages in a real browser, offline, with screenshots
(tests/web/browser/screenshots/, ignored by git) and axe-core on every page."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.live_server import LiveServer
from tests.web.browser.conftest import SCREENSHOTS, axe_violations, requested_urls
from tests.web.test_pages import PAGES

TIMEOUT = 20


def wait_for(driver: Any, condition: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, TIMEOUT).until(condition)


def css(selector: str) -> Any:
    from selenium.webdriver.support import expected_conditions

    return expected_conditions.presence_of_element_located(("css selector", selector))


def open_page(driver: Any, server: LiveServer, path: str) -> None:
    requested_urls(driver)  # forget what earlier pages asked for
    driver.get(server.base_url + path)


def assert_offline(driver: Any, server: LiveServer) -> None:
    outside = [
        url
        for url in requested_urls(driver)
        if not url.startswith((server.base_url, "data:", "blob:", "about:"))
    ]
    assert outside == [], f"{driver.current_url} asked for {outside}"


def shot(driver: Any, name: str) -> None:
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def test_landing_search_engine_compare(driver: Any, server: LiveServer) -> None:
    open_page(driver, server, "/")
    box = driver.find_element("id", "home-q")
    box.send_keys("vllm")
    suggestion = wait_for(driver, css("#home-q-list li[role=option]"))
    assert "vLLM" in suggestion.text
    shot(driver, "01-landing-autocomplete")
    box.submit()
    wait_for(driver, css("#results"))
    assert urlsplit(driver.current_url).path == "/search"
    shot(driver, "02-search")
    driver.find_element("css selector", "#results a").click()
    wait_for(driver, css("#compare-with"))
    assert urlsplit(driver.current_url).path == "/engines/vllm"
    assert driver.find_element("css selector", "h1").text == "vLLM"
    shot(driver, "03-engine-vllm")
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", "compare-with")).select_by_visible_text("SGLang")
    driver.find_element("css selector", "form[action='/compare'] button").click()
    wait_for(driver, css("table.compare"))
    query = parse_qs(urlsplit(driver.current_url).query)
    assert query["engine"] == ["vllm", "sglang"]
    differing = driver.find_elements("css selector", "tr.differs")
    assert differing and all("(differs)" in row.text for row in differing[:3])
    folded = driver.find_element("css selector", "details")
    assert not folded.get_attribute("open")
    folded.find_element("tag name", "summary").click()
    assert folded.get_attribute("open")
    shot(driver, "04-compare")
    assert_offline(driver, server)


def test_autocomplete_finds_speculative_decoding_by_its_first_letters(
    driver: Any, server: LiveServer
) -> None:
    from selenium.webdriver.common.keys import Keys

    open_page(driver, server, "/")
    box = driver.find_element("id", "site-q")
    box.send_keys("spe")
    wait_for(driver, css("#site-q-list li[role=option]"))
    options = driver.find_elements("css selector", "#site-q-list li[role=option]")
    assert options[0].text.startswith("Speculative Decoding")
    assert box.get_attribute("aria-expanded") == "true"
    box.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    wait_for(driver, css("#requirements-form"))
    assert parse_qs(urlsplit(driver.current_url).query) == {"technique": ["speculative-decoding"]}


def test_the_requirement_form_ranks_engines(driver: Any, server: LiveServer) -> None:
    import httpx2

    open_page(driver, server, "/requirements")
    for value in ("speculative-decoding", "amd-instinct"):
        driver.find_element("css selector", f"input[value='{value}']").click()
    driver.find_element("css selector", "#requirements-form button").click()
    wait_for(driver, css("#ranking"))
    ranked = [
        row.find_element("css selector", "td:nth-child(2)").text
        for row in driver.find_elements("css selector", "#ranking tbody tr")
    ]
    expected = httpx2.get(
        f"{server.base_url}/api/v1/requirements",
        params={"technique": "speculative-decoding", "platform": "amd-instinct"},
    ).json()
    assert ranked == [match["engine_name"] for match in expected]
    shot(driver, "05-requirements")
    assert_offline(driver, server)


def test_the_matrix_filters_by_category(driver: Any, server: LiveServer) -> None:
    from selenium.webdriver.support.ui import Select

    open_page(driver, server, "/matrices/optimization")
    wait_for(driver, css("#heatmap"))
    every = len(driver.find_elements("css selector", "#heatmap thead th.col"))
    assert every == 23
    shot(driver, "06-matrix-optimization")
    Select(driver.find_element("id", "matrix-category")).select_by_visible_text("Quantization")
    driver.find_element("css selector", "form.filter-form button").click()
    wait_for(driver, lambda d: "category=" in d.current_url)
    assert parse_qs(urlsplit(driver.current_url).query)["category"] == ["quantization"]
    headers = [h.text for h in driver.find_elements("css selector", "#heatmap thead th.col")]
    assert 0 < len(headers) < every and "Quantization" in headers
    shot(driver, "07-matrix-quantization")


def test_graphiql_runs_a_query_offline(driver: Any, server: LiveServer) -> None:
    # The fragment carries the query to the editor (a query string would ask for data).
    open_page(
        driver, server, "/graphql#query=%7Bengine(slug%3A%22vllm%22)%7Bname%20githubStars%7D%7D"
    )
    button = wait_for(driver, css(".graphiql-execute-button"))
    button.click()

    def answered(d: Any) -> bool:
        panes = d.find_elements("css selector", ".graphiql-response")
        return bool(panes) and '"vLLM"' in panes[0].text and "43400" in panes[0].text

    wait_for(driver, answered)
    shot(driver, "08-graphiql")
    assert_offline(driver, server)


def test_swagger_ui_and_redoc_render_the_operations(driver: Any, server: LiveServer) -> None:
    open_page(driver, server, "/docs")
    wait_for(driver, css(".opblock"))
    operations = driver.find_elements("css selector", ".opblock-summary-path")
    paths = {operation.text.replace("\u200b", "") for operation in operations}
    assert "/api/v1/engines" in paths and "/api/v1/autocomplete" in paths
    assert len(operations) >= 40
    shot(driver, "09-swagger-ui")
    assert_offline(driver, server)
    open_page(driver, server, "/redoc")
    wait_for(driver, lambda d: "List engines" in d.find_element("tag name", "body").text)
    shot(driver, "10-redoc")
    assert_offline(driver, server)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_offline_and_has_no_serious_accessibility_violation(
    driver: Any, server: LiveServer, path: str
) -> None:
    open_page(driver, server, path)
    wait_for(driver, css("main h1"))
    violations = axe_violations(driver)
    assert violations == [], [
        (v["id"], v["impact"], v.get("help"), [n.get("target") for n in v.get("nodes", [])][:3])
        for v in violations
    ]
    assert_offline(driver, server)


@pytest.mark.parametrize(
    "path",
    ["/", "/engines/vllm", "/compare?engine=vllm&engine=sglang", "/requirements", "/engines"],
)
def test_everything_on_a_page_is_reachable_by_keyboard(
    driver: Any, server: LiveServer, path: str
) -> None:
    """Every visible link and control takes the focus from the Tab key alone (content of a
    closed <details> is hidden until its summary, itself reachable, opens it)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    open_page(driver, server, path)
    wait_for(driver, css("main h1"))
    focusable = driver.execute_script(
        "return [...document.querySelectorAll('a[href], button, input:not([type=hidden]), "
        "select, summary, textarea')].filter(e => e.checkVisibility())"
        ".map((e, i) => { e.dataset.kb = i; return String(i); });"
    )
    reached: set[str] = set()
    chain = ActionChains(driver)
    for _ in range(len(focusable) + 5):
        chain.send_keys(Keys.TAB).perform()
        marker = driver.execute_script("return document.activeElement.dataset.kb || null;")
        if marker is not None:
            reached.add(marker)
    missing = driver.execute_script(
        "return arguments[0].map(i => document.querySelector(`[data-kb='${i}']`).outerHTML"
        ".slice(0, 120));",
        sorted(set(focusable) - reached),
    )
    assert missing == []
