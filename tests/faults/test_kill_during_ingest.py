"""`kill -9` of the server in the middle of a large arXiv ingest, on SQLite and PostgreSQL.

Each batch of an ingest is one transaction, so a kill may lose the batch in flight but can
never leave half of it: afterwards the paper count is a whole number of batches, every paper
has all of its authors, nothing is duplicated and the storage is intact. Running the same
ingest again against a restarted server completes it: the papers kept are `unchanged`, the
rest `added`, and the final count is the full set.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx2
import pytest
import sqlalchemy as sa

from api.services.ingest.service import DEFAULT_BATCH_SIZE
from tests.faults.conftest import write_headers
from tests.faults.consistency import consistency_problems, scalar
from tests.ingest.arxiv_server import CannedResponse, RecordedRequest, arxiv_env, serve_fake_arxiv
from tests.ingest.atom_feeds import AUTHORS_PER_ENTRY, arxiv_router, generated_entry
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.faults

ENTRIES = 4 * DEFAULT_BATCH_SIZE
INGEST = {"query": "cat:cs.DC", "max_results": ENTRIES}
PAGE_STALL = 0.05
"""Seconds; the arXiv client asks for 100 entries a page."""


def test_kill_9_mid_ingest_keeps_whole_batches_and_a_rerun_completes_it(
    empty_engine: sa.Engine, tmp_path: Path
) -> None:
    url = empty_engine.url.render_as_string(False)
    headers = write_headers(empty_engine)
    with serve_fake_arxiv() as fake:
        fake.router = _paced(arxiv_router([generated_entry(n) for n in range(ENTRIES)]))
        env = arxiv_env(fake)

        server = LiveServer(url, tmp_path / "killed.log", env)
        server.start()
        outcome: list[object] = []
        request = threading.Thread(
            target=_post_ingest, args=(server.base_url, headers, outcome), daemon=True
        )
        request.start()
        try:
            _wait_for_papers(empty_engine, at_least=DEFAULT_BATCH_SIZE)
        finally:
            server.kill()
        request.join(timeout=30)
        _wait_for_orphaned_sessions(empty_engine)

        # The client got no answer: nothing was acknowledged, and what is stored is whole.
        assert outcome and isinstance(outcome[0], httpx2.TransportError), outcome
        kept = scalar(empty_engine, "SELECT count(*) FROM paper")
        assert 0 < kept < ENTRIES
        assert kept % DEFAULT_BATCH_SIZE == 0, f"{kept} papers: a batch was half written"
        assert consistency_problems(empty_engine, AUTHORS_PER_ENTRY) == []
        assert scalar(empty_engine, "SELECT count(*) FROM ingest_run WHERE status = 'running'") == 1

        with (
            live_server(url, tmp_path / "restarted.log", env) as restarted,
            httpx2.Client(base_url=restarted.base_url, headers=headers, timeout=120) as client,
        ):
            response = client.post("/api/v1/ingest/arxiv", json=INGEST)
        print(f"\nkill -9 after {kept} of {ENTRIES} papers; the rerun added the rest")

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["added"], report["unchanged"], report["failed"]) == (ENTRIES - kept, kept, 0)
    assert scalar(empty_engine, "SELECT count(*) FROM paper") == ENTRIES
    assert scalar(empty_engine, "SELECT count(DISTINCT arxiv_id) FROM paper") == ENTRIES
    assert scalar(empty_engine, "SELECT count(*) FROM paper_author") == ENTRIES * AUTHORS_PER_ENTRY
    assert consistency_problems(empty_engine, AUTHORS_PER_ENTRY) == []


def _paced(
    router: Callable[[RecordedRequest], CannedResponse],
) -> Callable[[RecordedRequest], CannedResponse]:
    """Pages after the first batch come a little slower, so that the ingest is still running
    when the test, seeing the first batch committed, kills the server, even on a busy machine."""

    def answer(request: RecordedRequest) -> CannedResponse:
        response = router(request)
        if int(request.params.get("start", "0")) >= DEFAULT_BATCH_SIZE:
            return replace(response, stall=PAGE_STALL)
        return response

    return answer


def _post_ingest(base_url: str, headers: dict[str, str], outcome: list[object]) -> None:
    try:
        outcome.append(
            httpx2.post(
                f"{base_url}/api/v1/ingest/arxiv", json=INGEST, headers=headers, timeout=120
            )
        )
    except httpx2.TransportError as error:
        outcome.append(error)


def _wait_for_papers(engine: sa.Engine, *, at_least: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while scalar(engine, "SELECT count(*) FROM paper") < at_least:
        assert time.monotonic() < deadline, f"fewer than {at_least} papers after {timeout:g} s"
        time.sleep(0.005)


def _wait_for_orphaned_sessions(engine: sa.Engine, timeout: float = 30.0) -> None:
    """PostgreSQL ends a dead client's session when it next reads from it; until then a
    session in a transaction may still hold the ingest lock, and counting could race its
    rollback. Idle sessions hold nothing."""
    if engine.dialect.name != "postgresql":
        return
    deadline = time.monotonic() + timeout
    sql = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'"
    )
    while scalar(engine, sql) > 0:
        assert time.monotonic() < deadline, "the killed server's sessions did not end"
        time.sleep(0.05)
