"""arXiv's spacing is kept per process, and ingests run a few at a time so reads keep their
threads (issue 13: five concurrent ingests sent five requests within 20 ms; forty waiting on a
stalled arXiv filled the thread pool and an uncached read took 18 s)."""

import itertools
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.services.tokens import create_token
from models.access import TokenScope
from tests.ingest.arxiv_server import (
    CannedResponse,
    FakeArxiv,
    RecordedRequest,
    fake_arxiv_fixture,  # noqa: F401 - provides the `fake_arxiv` fixture
)

DELAY = 0.25


@dataclass
class Writable:
    client: TestClient
    headers: dict[str, str]


@contextmanager
def _writable(
    engine: sa.Engine, fake: FakeArxiv, *, arxiv_delay: float, max_concurrent_ingests: int
) -> Iterator[Writable]:
    settings = Settings(
        database_url=engine.url.render_as_string(False),
        arxiv_base_url=fake.base_url,
        arxiv_delay=arxiv_delay,
        max_concurrent_ingests=max_concurrent_ingests,
    )
    app = create_app(settings)
    token = create_token(engine, name="pacing", scope=TokenScope.WRITE).token
    with TestClient(app) as client:
        yield Writable(client, {"Authorization": f"Bearer {token}"})


def _ingest(api: Writable, arxiv_id: str) -> int:
    response = api.client.post(
        "/api/v1/ingest/arxiv", json={"ids": [arxiv_id]}, headers=api.headers
    )
    return response.status_code


def test_concurrent_ingests_share_one_spacing(
    empty_engine: sa.Engine, fake_arxiv: FakeArxiv
) -> None:
    arrivals: list[float] = []

    def answer(_request: RecordedRequest) -> CannedResponse:
        arrivals.append(time.monotonic())
        return CannedResponse.feed("empty.xml")

    fake_arxiv.router = answer
    with (
        _writable(empty_engine, fake_arxiv, arxiv_delay=DELAY, max_concurrent_ingests=5) as api,
        ThreadPoolExecutor(5) as pool,
    ):
        statuses = list(pool.map(lambda n: _ingest(api, f"2401.0000{n}"), range(5)))
    assert statuses == [200] * 5
    assert len(arrivals) == 5
    ordered = sorted(arrivals)
    gaps = [later - earlier for earlier, later in itertools.pairwise(ordered)]
    # The stand-in stamps arrivals a little after the client's slot; never earlier.
    assert min(gaps) >= DELAY * 0.9, gaps


def test_an_ingest_beyond_the_slots_is_refused_and_reads_go_on(
    empty_engine: sa.Engine, fake_arxiv: FakeArxiv
) -> None:
    arrived, release = threading.Event(), threading.Event()

    def stalled(_request: RecordedRequest) -> CannedResponse:
        arrived.set()
        release.wait(timeout=20)
        return CannedResponse.feed("empty.xml")

    fake_arxiv.router = stalled
    with (
        _writable(empty_engine, fake_arxiv, arxiv_delay=0, max_concurrent_ingests=1) as api,
        ThreadPoolExecutor(1) as pool,
    ):
        first = pool.submit(_ingest, api, "2401.00001")
        assert arrived.wait(timeout=20)
        refused = api.client.post(
            "/api/v1/ingest/arxiv", json={"ids": ["2401.00002"]}, headers=api.headers
        )
        read = api.client.get("/api/v1/engines")
        release.set()
        assert first.result(timeout=20) == 200
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "10"
    assert refused.json()["error"]["code"] == "ingest_busy"
    assert read.status_code == 200
    assert len(fake_arxiv.requests) == 1


@pytest.fixture(autouse=True)
def _no_stall_left(fake_arxiv: FakeArxiv) -> Iterator[None]:
    yield
    fake_arxiv.router = None
