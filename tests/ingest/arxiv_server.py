"""A local stand-in for export.arxiv.org: canned answers, and a record of what was asked.

Use the `fake_arxiv` fixture by importing `fake_arxiv_fixture` into a test module (and
`arxiv_settings_fixture` too where the code under test builds its client from the settings), or
`serve_fake_arxiv()` where a fixture does not fit (benchmarks, module-scoped servers), with
`arxiv_env()` for the environment of a server process.
"""

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from api.config import get_settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "arxiv"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass(frozen=True)
class CannedResponse:
    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    stall: float = 0.0
    """Seconds to wait before answering, to make the client time out."""

    @classmethod
    def feed(cls, fixture: str) -> "CannedResponse":
        return cls(body=fixture_bytes(fixture), headers={"Content-Type": "application/atom+xml"})


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    params: dict[str, str]
    headers: dict[str, str]


class FakeArxiv:
    """Answers each request with the next queued response, or else by calling `router`."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.router: Callable[[RecordedRequest], CannedResponse] | None = None
        self._queue: deque[CannedResponse] = deque()
        self._lock = threading.Lock()
        self.base_url = ""

    def queue(self, *responses: CannedResponse) -> None:
        with self._lock:
            self._queue.extend(responses)

    def answer(self, request: RecordedRequest) -> CannedResponse:
        with self._lock:
            self.requests.append(request)
            if self._queue:
                return self._queue.popleft()
        if self.router is None:
            return CannedResponse(status=500, body=b"no response queued for this request")
        return self.router(request)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeArxiv) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that time out hang up mid-answer on purpose; that is not worth a trace."""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        assert isinstance(self.server, _Server)
        parts = urlsplit(self.path)
        params = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        recorded = RecordedRequest(parts.path, params, dict(self.headers.items()))
        response = self.server.fake.answer(recorded)
        if response.stall:
            time.sleep(response.stall)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


@contextmanager
def serve_fake_arxiv() -> Iterator[FakeArxiv]:
    """A running stand-in on a free loopback port (`fake.base_url`), stopped on exit."""
    fake = FakeArxiv()
    server = _Server(fake)
    host, port = server.server_address[:2]
    fake.base_url = f"http://{host!s}:{port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(name="fake_arxiv")
def fake_arxiv_fixture() -> Iterator[FakeArxiv]:
    with serve_fake_arxiv() as fake:
        yield fake


def arxiv_env(fake: FakeArxiv) -> dict[str, str]:
    """The settings that point a server at the stand-in, which needs no three-second
    politeness."""
    return {"INFERGRAPH_ARXIV_BASE_URL": fake.base_url, "INFERGRAPH_ARXIV_DELAY": "0"}


@pytest.fixture(name="arxiv_settings")
def arxiv_settings_fixture(
    fake_arxiv: FakeArxiv, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeArxiv]:
    """`fake_arxiv`, named by the settings of this process (`get_settings()`, which the
    ingest routes read); the cached settings are dropped before and after the test."""
    for name, value in arxiv_env(fake_arxiv).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield fake_arxiv
    get_settings.cache_clear()
