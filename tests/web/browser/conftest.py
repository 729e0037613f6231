"""A real headless chromium (Debian's, through its chromedriver) against a real server.

Without chromium the browser tests skip and say why; with INFERGRAPH_REQUIRE_BROWSER=1 (CI)
a missing browser fails them instead. `.ci/install-browser` installs it.

The browser is offline but for our server: every other host fails to resolve, and every
request a page makes is read back from the browser's performance log, so a page that would
load anything from elsewhere fails its test even before it breaks.
"""

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from api.db import create_db_engine
from seed.loader import seed_database
from tests.live_server import LiveServer, live_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE_ENV = "INFERGRAPH_REQUIRE_BROWSER"
SCREENSHOTS = Path(__file__).parent / "screenshots"
AXE = Path(__file__).resolve().parents[3] / "api/web/static/vendor/axe-core/axe.min.js"


def _browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists() and shutil.which(path.name) is None:
            return f"{path} is not installed (run .ci/install-browser)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


def check_browser() -> None:
    """Skip, saying what is missing; or fail, when the environment requires the browser."""
    missing = _browser_missing()
    if missing is None:
        return
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {missing}")
    pytest.skip(missing)


@pytest.fixture(scope="session")
def browser_available() -> None:
    check_browser()


@pytest.fixture(scope="session")
def server(
    browser_available: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'pages.db'}"
    engine: sa.Engine = create_db_engine(url)
    seed_database(engine)
    engine.dispose()
    with live_server(url, folder / "server.log") as running:
        yield running


@pytest.fixture(scope="session")
def driver(server: LiveServer) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium"))
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = Service(str(CHROMEDRIVER if CHROMEDRIVER.exists() else shutil.which("chromedriver")))
    browser = webdriver.Chrome(options=options, service=service)
    browser.set_page_load_timeout(30)
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        yield browser
    finally:
        browser.quit()


def requested_urls(driver: Any) -> list[str]:
    """URLs the browser asked for since the last call (the log is drained as it is read)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core findings on the current page."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e)}]));"
    )
    return [v for v in result if v.get("impact") in ("serious", "critical")]
