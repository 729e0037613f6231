"""A polite client for the arXiv API (https://info.arxiv.org/help/api/user-manual.html).

arXiv asks clients to make at most one request every three seconds and to say who they are,
so every request waits its turn on a monotonic clock and carries a descriptive User-Agent.
Transient failures (connection errors, timeouts, HTTP 429/500/502/503/504) are retried with
exponential backoff, honoring `Retry-After`; other 4xx answers are the caller's fault and
raise `ArxivError` at once. Each page is parsed straight from the HTTP response stream.
"""

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, build_opener

from api.config import DEFAULT_ARXIV_BASE_URL, DEFAULT_ARXIV_DELAY, Settings
from api.errors import InferGraphError, InvalidInputError, Problem
from api.services.ingest.readers.arxiv_feed import (
    ArxivEntry,
    ArxivError,
    EntryProblem,
    ParsedFeed,
    iter_entries,
    parse_feed,
)
from api.services.ingest.readers.identifiers import split_arxiv_id
from api.services.ingest.readers.pacing import RequestPacer, process_pacer

_PRODUCT = "InferGraph/0.1"
_PROJECT_URL = "https://github.com/infergraph"
DEFAULT_USER_AGENT = f"{_PRODUCT} (+{_PROJECT_URL})"
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_PAGE_SIZE = 2000
"""arXiv returns at most this many results per request."""


@dataclass
class ArxivUnavailableError(InferGraphError):
    """arXiv could not be reached, or kept failing, after every retry allowed."""

    code: str = "arxiv_unavailable"
    status: int = 503


@dataclass(frozen=True)
class QueryResult:
    entries: tuple[ArxivEntry, ...]
    problems: tuple[EntryProblem, ...]
    """Entries arXiv sent that could not be read (see `EntryProblem`)."""
    total_results: int | None
    """How many matches arXiv reported, which may be more than were fetched."""


class _TransientError(Exception):
    """A failure worth retrying, with how long the server asked us to wait, if it did."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def user_agent_with_contact(email: str) -> str:
    """The default User-Agent plus a `mailto:` so arXiv can reach whoever runs the harvest."""
    return f"{_PRODUCT} (+{_PROJECT_URL}; mailto:{email})"


def normalize_ids(ids: Iterable[str]) -> list[str]:
    """Ids as arXiv's `id_list` wants them (no `arXiv:` prefix, version kept), deduplicated.

    Raises `InvalidInputError` listing every id that is not an arXiv identifier.
    """
    normalized: dict[str, None] = {}
    problems: list[Problem] = []
    for position, raw in enumerate(ids):
        parsed = split_arxiv_id(raw)
        if parsed is None:
            problems.append(
                Problem(
                    "not an arXiv id (expected e.g. 2309.06180, 2309.06180v2, hep-th/9901001)",
                    location=f"ids[{position}]",
                    value=raw,
                )
            )
            continue
        normalized[parsed.versioned] = None
    if problems:
        raise InvalidInputError(f"{len(problems)} malformed arXiv id(s)", problems)
    return list(normalized)


class ArxivClient:
    """Queries `GET {base_url}/api/query`, a page at a time.

    `delay` is the least time between two requests; `backoff` is the wait before the first
    retry, doubled for each further one (never less than `delay`). A `Retry-After` header
    replaces the backoff; one longer than `max_retry_wait` ends the attempt at once.
    `sleep` and `clock` are injectable so tests can check the waits without waiting.
    `pacer` spaces the requests; clients that share one (`from_settings`: the process's)
    keep the delay between all their requests together.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_ARXIV_BASE_URL,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        page_size: int = 100,
        delay: float = DEFAULT_ARXIV_DELAY,
        max_attempts: int = 4,
        backoff: float = 4.0,
        max_retry_wait: float = 300.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        pacer: RequestPacer | None = None,
    ) -> None:
        _check_settings(base_url, page_size, delay, max_attempts, backoff, timeout)
        self.base_url = base_url.rstrip("/")
        self.user_agent = user_agent
        self.page_size = page_size
        self.delay = delay
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_retry_wait = max_retry_wait
        self.timeout = timeout
        self._opener = build_opener()
        self._pacer = pacer or RequestPacer(sleep=sleep, clock=clock)

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> "ArxivClient":
        """A client for `settings.arxiv_base_url` waiting `settings.arxiv_delay` between
        requests (unless `options` give a delay of their own), paced with every other
        client of the process."""
        options.setdefault("delay", settings.arxiv_delay)
        options.setdefault("pacer", process_pacer(settings.arxiv_base_url))
        return cls(settings.arxiv_base_url, **options)

    def search(self, query: str, max_results: int | None = 100) -> QueryResult:
        """Results of an arXiv search such as `cat:cs.DC AND abs:"speculative decoding"`."""
        if not query.strip():
            raise InvalidInputError("empty arXiv search query", [Problem("empty", field="query")])
        return _collect(self.iter_pages(search_query=query, max_results=max_results))

    def fetch_ids(self, ids: Iterable[str]) -> QueryResult:
        """The entries for these ids (either style, with or without version)."""
        wanted = normalize_ids(ids)
        # One query per page of ids keeps each URL short however many ids are asked for.
        batches = [
            wanted[first : first + self.page_size]
            for first in range(0, len(wanted), self.page_size)
        ]
        return _merge(
            [_collect(self.iter_pages(id_list=batch, max_results=len(batch))) for batch in batches]
        )

    def iter_pages(
        self,
        *,
        search_query: str | None = None,
        id_list: Sequence[str] = (),
        max_results: int | None = None,
    ) -> Iterator[ParsedFeed]:
        """Pages of results until `max_results` (None: all) or the results run out."""
        params = _query_params(search_query, id_list)
        start = 0
        while max_results is None or start < max_results:
            size = (
                self.page_size if max_results is None else min(self.page_size, max_results - start)
            )
            page = self._fetch_page({**params, "start": str(start), "max_results": str(size)})
            yield page
            received = len(page.entries) + len(page.problems)
            start += received
            total = page.info.total_results
            if received == 0 or (total is not None and start >= total):
                return

    def _fetch_page(self, params: Mapping[str, str]) -> ParsedFeed:
        url = f"{self.base_url}/api/query?{urlencode(params)}"
        failures: list[Problem] = []
        for attempt in range(1, self.max_attempts + 1):
            self._wait_turn()
            try:
                return self._request(url)
            except _TransientError as failure:
                failures.append(Problem(failure.reason, location=f"attempt {attempt}"))
                if attempt < self.max_attempts:
                    self._schedule_retry(failure, attempt, url, failures)
        raise ArxivUnavailableError(
            f"arXiv did not answer {url} after {self.max_attempts} attempt(s)", failures
        )

    def _wait_turn(self) -> None:
        self._pacer.wait_turn(self.delay)

    def _schedule_retry(
        self, failure: _TransientError, attempt: int, url: str, failures: list[Problem]
    ) -> None:
        if failure.retry_after is not None and failure.retry_after > self.max_retry_wait:
            raise ArxivUnavailableError(
                f"arXiv asked to retry {url} after {failure.retry_after:g} s, longer than the "
                f"{self.max_retry_wait:g} s this client waits",
                failures,
            )
        wait = failure.retry_after
        if wait is None:
            wait = self.backoff * 2 ** (attempt - 1)
        self._pacer.defer(wait)

    def _request(self, url: str) -> ParsedFeed:
        request = Request(
            url, headers={"User-Agent": self.user_agent, "Accept": "application/atom+xml"}
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return parse_feed(response, url)
        except HTTPError as error:
            try:
                raise _http_failure(error, url) from error
            finally:
                error.close()
        except (OSError, HTTPException) as error:
            # Connection refused or reset, timeouts and bodies cut short all land here.
            raise _TransientError(f"{type(error).__name__}: {error}") from error


def _http_failure(error: HTTPError, url: str) -> Exception:
    if error.code in RETRYABLE_STATUSES:
        retry_after = parse_retry_after(error.headers.get("Retry-After"), datetime.now(UTC))
        return _TransientError(f"HTTP {error.code} {error.reason}", retry_after)
    if 400 <= error.code < 500:
        return _rejection(error, url)
    return ArxivUnavailableError(
        f"arXiv answered HTTP {error.code} {error.reason} to {url}",
        [Problem(f"HTTP {error.code}", location=url)],
    )


def _rejection(error: HTTPError, url: str) -> ArxivError:
    """arXiv explains a rejected query in an error feed; use its words when it sent one."""
    try:
        for _item in iter_entries(error, url):
            break
    except ArxivError as rejection:
        return rejection
    except (InvalidInputError, OSError, HTTPException):
        pass  # not an error feed: the status line is all there is to report
    return ArxivError(
        f"arXiv rejected {url} with HTTP {error.code} {error.reason}",
        [Problem(f"HTTP {error.code} {error.reason}", location=url)],
    )


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """`Retry-After` as seconds from `now`; it may be a number of seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _query_params(search_query: str | None, id_list: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    if search_query:
        params["search_query"] = search_query
    if id_list:
        params["id_list"] = ",".join(normalize_ids(id_list))
    if not params:
        raise InvalidInputError(
            "an arXiv query needs a search_query or an id_list",
            [Problem("both are empty", field="search_query")],
        )
    return params


def _collect(pages: Iterable[ParsedFeed]) -> QueryResult:
    """One query's pages as one result; its total is the latest one arXiv reported."""
    entries: list[ArxivEntry] = []
    problems: list[EntryProblem] = []
    total: int | None = None
    for page in pages:
        entries.extend(page.entries)
        problems.extend(page.problems)
        if page.info.total_results is not None:
            total = page.info.total_results
    return QueryResult(tuple(entries), tuple(problems), total)


def _merge(results: Sequence[QueryResult]) -> QueryResult:
    """Several queries' results as one; totals add up."""
    totals = [result.total_results for result in results if result.total_results is not None]
    return QueryResult(
        tuple(entry for result in results for entry in result.entries),
        tuple(problem for result in results for problem in result.problems),
        sum(totals) if totals else None,
    )


def _check_settings(
    base_url: str, page_size: int, delay: float, max_attempts: int, backoff: float, timeout: float
) -> None:
    problems: list[Problem] = []
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(Problem("not an http(s) URL", field="base_url", value=base_url))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(Problem(f"must be 1..{MAX_PAGE_SIZE}", field="page_size", value=page_size))
    if max_attempts < 1:
        problems.append(Problem("must be at least 1", field="max_attempts", value=max_attempts))
    for name, value in (("delay", delay), ("backoff", backoff)):
        if value < 0:
            problems.append(Problem("must not be negative", field=name, value=value))
    if timeout <= 0:
        problems.append(Problem("must be positive", field="timeout", value=timeout))
    if problems:
        raise InvalidInputError("invalid arXiv client settings", problems)
