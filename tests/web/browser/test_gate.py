"""Without chromium the browser tests skip with the reason, unless CI requires them."""

import shutil
from pathlib import Path

import pytest

from tests.web.browser import conftest


@pytest.fixture
def no_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.setattr(shutil, "which", lambda _name: None)


def test_a_missing_browser_skips_with_the_reason(
    no_browser: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(conftest.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="/nonexistent/chromium is not installed"):
        conftest.check_browser()


def test_a_missing_browser_fails_when_required(
    no_browser: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(conftest.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="INFERGRAPH_REQUIRE_BROWSER=1 but"):
        conftest.check_browser()
