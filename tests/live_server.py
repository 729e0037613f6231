"""A real uvicorn server in a child process, for tests and benchmarks that need one.

Load and fault tests must exercise what production runs (a separate process, real sockets,
a real connection pool) and must be able to `kill -9` it, which an in-process TestClient
cannot offer. The server listens on a free loopback port only.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx2

REPO_ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """`uvicorn --factory api.app:create_app` on `database_url`, configured by `env`."""

    def __init__(
        self, database_url: str, log_path: Path, env: Mapping[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._env = {**os.environ, **(env or {}), "INFERGRAPH_DATABASE_URL": database_url}
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start(self) -> None:
        """Start the process and wait until `/health` answers at all (any status)."""
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "api.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=self._env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the server exited at start:\n{self.log_tail()}")
            try:
                httpx2.get(f"{self.base_url}/health", timeout=2.0)
                return
            except httpx2.TransportError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"the server did not answer within {READY_TIMEOUT:g} s")

    def kill(self) -> None:
        """`kill -9`: no shutdown hooks, no rollback, no flush."""
        if self._process is not None and self._process.poll() is None:
            os.kill(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)

    def stop(self) -> None:
        """A graceful shutdown (SIGTERM), forced after ten seconds."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def live_server(
    database_url: str, log_path: Path, env: Mapping[str, str] | None = None
) -> Iterator[LiveServer]:
    server = LiveServer(database_url, log_path, env)
    server.start()
    try:
        yield server
    finally:
        server.stop()
