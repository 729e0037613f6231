"""The arXiv client against a local fake arXiv: paging, politeness, retries, rejections."""

import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from pydantic import ValidationError

from api.config import DEFAULT_ARXIV_BASE_URL as DEFAULT_BASE_URL
from api.config import Settings
from api.errors import InvalidInputError
from api.services.ingest.readers.arxiv_client import (
    DEFAULT_USER_AGENT,
    ArxivClient,
    ArxivUnavailableError,
    QueryResult,
    normalize_ids,
    parse_retry_after,
    user_agent_with_contact,
)
from api.services.ingest.readers.arxiv_feed import ArxivError
from tests.ingest.arxiv_server import (
    CannedResponse,
    FakeArxiv,
    RecordedRequest,
    fake_arxiv_fixture,  # noqa: F401 - provides the `fake_arxiv` fixture
    fixture_bytes,
)

SPECULATIVE = 'cat:cs.CL AND abs:"speculative decoding"'
# As README.md documents them.
BASE_URL_ENV = "INFERGRAPH_ARXIV_BASE_URL"
DELAY_ENV = "INFERGRAPH_ARXIV_DELAY"


class FakeTime:
    """A monotonic clock that only moves when the client sleeps or the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def _client(fake_arxiv: FakeArxiv, fake_time: FakeTime, **options: Any) -> ArxivClient:
    settings: dict[str, Any] = {"delay": 0.0, "backoff": 1.0, "timeout": 5.0, **options}
    return ArxivClient(
        fake_arxiv.base_url, sleep=fake_time.sleep, clock=fake_time.clock, **settings
    )


def _search_pages(request: RecordedRequest) -> CannedResponse:
    return CannedResponse.feed(f"search_page_{request.params['start']}.xml")


def _paging(fake_arxiv: FakeArxiv) -> list[tuple[str, str]]:
    return [(r.params["start"], r.params["max_results"]) for r in fake_arxiv.requests]


def test_fetch_ids_sends_one_normalized_query(fake_arxiv: FakeArxiv, fake_time: FakeTime) -> None:
    fake_arxiv.queue(CannedResponse.feed("query_ids.xml"))
    client = _client(fake_arxiv, fake_time, delay=3.0)

    result = client.fetch_ids(
        ["2309.06180", "arXiv:2211.17192v2", "hep-th/9901001v1", "2309.06180"]
    )

    [request] = fake_arxiv.requests
    assert request.path == "/api/query"
    assert request.params == {
        "id_list": "2309.06180,2211.17192v2,hep-th/9901001v1",
        "start": "0",
        "max_results": "3",
    }
    assert request.headers["User-Agent"] == DEFAULT_USER_AGENT
    assert [entry.versioned_id for entry in result.entries] == [
        "2309.06180v1",
        "2211.17192v2",
        "hep-th/9901001v1",
    ]
    assert result.entries[1].authors[0].affiliations == ("Google Research", "Tel Aviv University")
    assert (result.problems, result.total_results) == ((), 3)
    assert fake_time.sleeps == []


def test_fetch_ids_asks_one_page_of_ids_at_a_time(
    fake_arxiv: FakeArxiv, fake_time: FakeTime
) -> None:
    fake_arxiv.queue(
        CannedResponse.feed("search_page_0.xml"), CannedResponse.feed("search_page_4.xml")
    )
    client = _client(fake_arxiv, fake_time, page_size=2, delay=3.0)

    result = client.fetch_ids(["2211.17192v2", "2302.01318", "2401.15077"])

    assert [r.params["id_list"] for r in fake_arxiv.requests] == [
        "2211.17192v2,2302.01318",
        "2401.15077",
    ]
    assert _paging(fake_arxiv) == [("0", "2"), ("0", "1")]
    assert [entry.arxiv_id for entry in result.entries] == [
        "2211.17192",
        "2302.01318",
        "2401.15077",
    ]
    assert fake_time.sleeps == [3.0]


def test_search_pages_until_total_results_and_waits_between_calls(
    fake_arxiv: FakeArxiv, fake_time: FakeTime
) -> None:
    fake_arxiv.router = _search_pages
    client = _client(fake_arxiv, fake_time, page_size=2, delay=3.0)

    result = client.search(SPECULATIVE, max_results=10)

    assert _paging(fake_arxiv) == [("0", "2"), ("2", "2"), ("4", "2")]
    assert {r.params["search_query"] for r in fake_arxiv.requests} == {SPECULATIVE}
    assert fake_time.sleeps == [3.0, 3.0]
    assert [entry.arxiv_id for entry in result.entries] == [
        "2211.17192",
        "2302.01318",
        "2305.09781",
        "2401.10774",
        "2401.15077",
    ]
    assert result.total_results == 5


def test_search_stops_at_max_results(fake_arxiv: FakeArxiv, fake_time: FakeTime) -> None:
    fake_arxiv.queue(
        CannedResponse.feed("search_page_0.xml"), CannedResponse.feed("search_page_4.xml")
    )
    client = _client(fake_arxiv, fake_time, page_size=2)

    result = client.search(SPECULATIVE, max_results=3)

    assert _paging(fake_arxiv) == [("0", "2"), ("2", "1")]
    assert len(result.entries) == 3
    assert result.total_results == 5


def test_polite_wait_counts_time_already_spent(fake_arxiv: FakeArxiv, fake_time: FakeTime) -> None:
    fake_arxiv.router = _search_pages
    client = _client(fake_arxiv, fake_time, page_size=2, delay=3.0)
    pages = client.iter_pages(search_query=SPECULATIVE)

    first = next(pages)
    fake_time.now += 2.0
    second = next(pages)
    fake_time.now += 5.0
    third = next(pages)

    assert [page.info.start_index for page in (first, second, third)] == [0, 2, 4]
    assert fake_time.sleeps == [1.0]
    assert next(pages, None) is None
    assert len(fake_arxiv.requests) == 3


def test_empty_result(fake_arxiv: FakeArxiv, fake_time: FakeTime) -> None:
    fake_arxiv.queue(CannedResponse.feed("empty.xml"))

    result = _client(fake_arxiv, fake_time).search("ti:nonexistentwordxyz")

    assert result == QueryResult((), (), 0)
    assert _paging(fake_arxiv) == [("0", "100")]


@pytest.mark.parametrize("status", [200, 400])
def test_error_feed_raises_arxiv_error(
    fake_arxiv: FakeArxiv, fake_time: FakeTime, status: int
) -> None:
    fake_arxiv.queue(CannedResponse(status=status, body=fixture_bytes("error.xml")))

    with pytest.raises(ArxivError) as caught:
        _client(fake_arxiv, fake_time).search("all:electron")

    assert caught.value.message.endswith(": incorrect id format for 1234.12345")
    assert caught.value.message.startswith(f"arXiv rejected the query {fake_arxiv.base_url}/api/")
    assert len(fake_arxiv.requests) == 1
    assert fake_time.sleeps == []


def test_503_is_retried_with_backoff_and_retry_after(
    fake_arxiv: FakeArxiv, fake_time: FakeTime
) -> None:
    fake_arxiv.queue(
        CannedResponse(status=503, body=fixture_bytes("not_a_feed.html")),
        CannedResponse(status=503, headers={"Retry-After": "7"}),
        CannedResponse.feed("query_ids.xml"),
    )

    result = _client(fake_arxiv, fake_time).fetch_ids(["2309.06180"])

    assert len(fake_arxiv.requests) == 3
    assert fake_time.sleeps == [1.0, 7.0]
    assert len(result.entries) == 3


def test_backoff_doubles_and_never_undercuts_the_polite_delay(
    fake_arxiv: FakeArxiv, fake_time: FakeTime
) -> None:
    fake_arxiv.queue(
        CannedResponse(status=502),
        CannedResponse(status=500),
        CannedResponse(status=429),
        CannedResponse.feed("empty.xml"),
    )

    _client(fake_arxiv, fake_time, delay=3.0, backoff=1.0).search("all:x")

    assert fake_time.sleeps == [3.0, 3.0, 4.0]


def test_gives_up_after_max_attempts(fake_arxiv: FakeArxiv, fake_time: FakeTime) -> None:
    fake_arxiv.queue(*[CannedResponse(status=504)] * 3)

    with pytest.raises(ArxivUnavailableError) as caught:
        _client(fake_arxiv, fake_time, max_attempts=3).search("all:x")

    error = caught.value
    assert (error.code, error.status) == ("arxiv_unavailable", 503)
    assert "after 3 attempt(s)" in error.message
    assert [p.message for p in error.problems] == ["HTTP 504 Gateway Timeout"] * 3
    assert fake_time.sleeps == [1.0, 2.0]


def test_retry_after_beyond_the_limit_gives_up_at_once(
    fake_arxiv: FakeArxiv, fake_time: FakeTime
) -> None:
    fake_arxiv.queue(CannedResponse(status=429, headers={"Retry-After": "3600"}))

    with pytest.raises(ArxivUnavailableError, match=r"retry .* after 3600 s"):
        _client(fake_arxiv, fake_time, max_retry_wait=60.0).search("all:x")

    assert len(fake_arxiv.requests) == 1
    assert fake_time.sleeps == []


@pytest.mark.parametrize("status", [400, 403, 404])
def test_other_client_errors_are_not_retried(
    fake_arxiv: FakeArxiv, fake_time: FakeTime, status: int
) -> None:
    fake_arxiv.queue(CannedResponse(status=status, body=fixture_bytes("not_a_feed.html")))

    with pytest.raises(ArxivError, match=f"with HTTP {status} "):
        _client(fake_arxiv, fake_time).search("all:x")

    assert len(fake_arxiv.requests) == 1
    assert fake_time.sleeps == []


def test_timeout_is_retried(fake_arxiv: FakeArxiv, fake_time: FakeTime) -> None:
    fake_arxiv.queue(CannedResponse(stall=1.0), CannedResponse.feed("empty.xml"))

    result = _client(fake_arxiv, fake_time, timeout=0.2).search("all:x")

    assert result.total_results == 0
    assert len(fake_arxiv.requests) == 2
    assert fake_time.sleeps == [1.0]


def test_connection_refused_is_retried_then_reported(fake_time: FakeTime) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = ArxivClient(
        f"http://127.0.0.1:{port}",
        max_attempts=3,
        backoff=0.5,
        delay=0.0,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
    )

    with pytest.raises(ArxivUnavailableError) as caught:
        client.search("all:x")

    assert len(caught.value.problems) == 3
    assert "URLError" in caught.value.problems[0].message
    assert fake_time.sleeps == [0.5, 1.0]


def test_html_instead_of_a_feed_names_the_url(fake_arxiv: FakeArxiv, fake_time: FakeTime) -> None:
    fake_arxiv.queue(CannedResponse(body=fixture_bytes("not_a_feed.html")))

    with pytest.raises(InvalidInputError) as caught:
        _client(fake_arxiv, fake_time).search("all:x")

    url = f"{fake_arxiv.base_url}/api/query?search_query=all%3Ax&start=0&max_results=100"
    assert caught.value.message == f"{url} is not a readable arXiv Atom feed"
    assert caught.value.problems[0].location == f"{url}:1"
    assert len(fake_arxiv.requests) == 1


def test_truncated_body_is_reported_not_retried(fake_arxiv: FakeArxiv, fake_time: FakeTime) -> None:
    fake_arxiv.queue(CannedResponse(body=fixture_bytes("truncated.xml")))

    with pytest.raises(InvalidInputError, match="is not a readable arXiv Atom feed"):
        _client(fake_arxiv, fake_time).fetch_ids(["2309.06180"])

    assert len(fake_arxiv.requests) == 1


def test_malformed_ids_are_all_listed_and_nothing_is_sent(
    fake_arxiv: FakeArxiv, fake_time: FakeTime
) -> None:
    client = _client(fake_arxiv, fake_time)

    with pytest.raises(InvalidInputError) as caught:
        client.fetch_ids(["2309.06180", "1234.5", "arXiv:2401.15077v3", "hep-th/99", "2313.00001"])

    assert caught.value.message == "3 malformed arXiv id(s)"
    assert [(p.location, p.value) for p in caught.value.problems] == [
        ("ids[1]", "1234.5"),
        ("ids[3]", "hep-th/99"),
        ("ids[4]", "2313.00001"),
    ]
    assert fake_arxiv.requests == []


def test_normalize_ids_accepts_both_styles() -> None:
    assert normalize_ids(
        ["arXiv:2309.06180", "2309.06180v2", " math.GT/0309136 ", "hep-th/9901001v1", "2309.06180"]
    ) == ["2309.06180", "2309.06180v2", "math.GT/0309136", "hep-th/9901001v1"]


def test_empty_search_is_refused(fake_arxiv: FakeArxiv, fake_time: FakeTime) -> None:
    with pytest.raises(InvalidInputError, match="empty arXiv search query"):
        _client(fake_arxiv, fake_time).search("  ")

    assert fake_arxiv.requests == []


def _from_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], **options: Any) -> ArxivClient:
    """The client the settings build when the environment holds exactly `env` of the arXiv
    variables."""
    for name in (BASE_URL_ENV, DELAY_ENV):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return ArxivClient.from_settings(Settings(), **options)


def test_from_settings_reads_the_base_url(
    fake_arxiv: FakeArxiv, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_arxiv.queue(CannedResponse.feed("empty.xml"))
    monkeypatch.setenv(BASE_URL_ENV, fake_arxiv.base_url + "/")

    client = ArxivClient.from_settings(
        Settings(), delay=0.0, user_agent=user_agent_with_contact("ops@infergraph.test")
    )
    client.search("all:x")

    assert client.base_url == fake_arxiv.base_url
    assert fake_arxiv.requests[0].headers["User-Agent"] == (
        "InferGraph/0.1 (+https://github.com/infergraph; mailto:ops@infergraph.test)"
    )
    assert _from_env(monkeypatch, {}).base_url == DEFAULT_BASE_URL
    assert _from_env(monkeypatch, {BASE_URL_ENV: ""}).base_url == DEFAULT_BASE_URL


def test_from_settings_reads_the_delay_and_checks_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _from_env(monkeypatch, {}).delay == 3.0
    assert _from_env(monkeypatch, {DELAY_ENV: "0"}).delay == 0.0
    assert _from_env(monkeypatch, {DELAY_ENV: "0.5"}, delay=2.0).delay == 2.0
    for bad in ("soon", "-1"):
        # Refused where every setting is: when the settings are read.
        with pytest.raises(ValidationError):
            _from_env(monkeypatch, {DELAY_ENV: bad})


def test_invalid_settings_are_all_reported() -> None:
    with pytest.raises(InvalidInputError) as caught:
        ArxivClient("file:///etc", page_size=0, max_attempts=0, delay=-1.0, timeout=0.0)

    assert [p.field for p in caught.value.problems] == [
        "base_url",
        "page_size",
        "max_attempts",
        "delay",
        "timeout",
    ]


def test_parse_retry_after() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
