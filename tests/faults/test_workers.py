"""`serve --workers N`: several processes share the port, and their caches stay coherent
through the data version — a write answered by one worker is seen by every worker's next read.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
import sqlalchemy as sa

from api.services.ingest import ingest_bibtex
from tests.databases import fresh_database
from tests.live_server import REPO_ROOT, free_port

pytestmark = pytest.mark.faults

WORKERS = 2
ENTRY = """@article{workers2026,
  title = {Seen by Every Worker},
  author = {Doe, Jane},
  year = {2026}
}
"""


@pytest.fixture
def served(
    backend: str, seeded_template: sa.Engine, tmp_path: Path
) -> Iterator[tuple[str, sa.Engine]]:
    with fresh_database(backend, tmp_path, template=seeded_template) as engine:
        port = free_port()
        env = {**os.environ, "INFERGRAPH_DATABASE_URL": engine.url.render_as_string(False)}
        log = (tmp_path / "serve.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "api", "serve", "--port", str(port), "--workers", str(WORKERS)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(base, process, tmp_path / "serve.log")
            yield base, engine
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
            log.close()


def _wait_for(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            if httpx2.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"no answer within 90 s:\n{log.read_text(errors='replace')}")


def _worker_pids(parent: int) -> set[int]:
    listed = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(parent)], capture_output=True, text=True
    )
    return {int(pid) for pid in listed.stdout.split()}


def _count(base: str) -> int:
    # A new connection per read, so the kernel spreads them over the workers' shared socket.
    with httpx2.Client() as client:
        response = client.get(f"{base}/api/v1/papers", params={"per_page": "1"})
    assert response.status_code == 200, response.text
    return int(response.json()["meta"]["count"])


def test_every_worker_sees_a_write_at_once(served: tuple[str, sa.Engine]) -> None:
    base, engine = served
    before = {_count(base) for _ in range(30)}  # every worker's cache now holds the count
    assert before == {88}
    report = ingest_bibtex(engine, ENTRY, file_name="workers.bib")
    assert report.added == 1
    assert {_count(base) for _ in range(30)} == {89}


def test_serve_starts_the_workers_asked_for(served: tuple[str, sa.Engine]) -> None:
    base, _ = served
    assert httpx2.get(f"{base}/health").json()["status"] == "ok"
    supervisors = subprocess.run(
        ["pgrep", "-f", f"api serve --port {base.rsplit(':', 1)[1]}"],
        capture_output=True,
        text=True,
    ).stdout.split()
    workers = set().union(*(_worker_pids(int(pid)) for pid in supervisors))
    # uvicorn's supervisor keeps one process per worker (its multiprocessing helper aside).
    assert len(workers) >= WORKERS
