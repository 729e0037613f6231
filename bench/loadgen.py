"""HTTP load from autocannon (pinned in bench/postgraphile/, installed there with `npm ci`),
and the CPU a server process spent meanwhile, read from /proc."""

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2

AUTOCANNON_BIN = (
    Path(__file__).resolve().parent / "postgraphile" / "node_modules" / ".bin" / "autocannon"
)


@dataclass(frozen=True)
class Load:
    rps: float
    """Requests answered per second (all with 2xx: anything else raises)."""
    requests: int
    cpu_seconds: float | None
    """CPU time (user + system, all threads) the server process used during the load."""

    @property
    def cpu_ms_per_request(self) -> float | None:
        if self.cpu_seconds is None or not self.requests:
            return None
        return 1000 * self.cpu_seconds / self.requests


def process_cpu_seconds(pid: int) -> float:
    """User + system time of `pid` so far, its threads included (those gone too)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def autocannon(
    url: str,
    seconds: float,
    connections: int,
    *,
    body_file: Path | None = None,
    server_pid: int | None = None,
    label: str = "",
    timeout: float = 10,
) -> Load:
    """Load `url` (a POST of `body_file` as JSON when given, else GET) for `seconds`; a
    request unanswered after `timeout` seconds counts as failed."""
    if not AUTOCANNON_BIN.exists():
        raise RuntimeError(
            f"autocannon is not installed: run `npm ci` in {AUTOCANNON_BIN.parents[2]}"
        )
    command = [str(AUTOCANNON_BIN), "--json", "--connections", str(connections)]
    command += ["--duration", str(seconds), "--timeout", f"{timeout:g}"]
    if body_file is not None:
        command += ["--method", "POST", "--headers", "content-type=application/json"]
        command += ["--input", str(body_file)]
    before = process_cpu_seconds(server_pid) if server_pid else None
    done = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds * 4 + 30
    )
    after = process_cpu_seconds(server_pid) if server_pid else None
    report = json.loads(done.stdout)
    if report["errors"] or report["non2xx"] or report["timeouts"]:
        raise RuntimeError(f"{label or url}: failed requests under load: {done.stdout[:500]}")
    total = int(report["requests"]["total"])
    cpu = None if before is None or after is None else after - before
    return Load(total / float(report["duration"]), total, cpu)


@contextmanager
def peer_process(
    name: str,
    command: list[str],
    log: Path,
    ready: Callable[[], object],
    timeout: float = 60,
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a peer server (its output appended to `log`) and wait until `ready()` stops
    raising a transport error; terminated on exit."""
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited at start:\n{log.read_text()[-2000:]}")
            try:
                ready()
                break
            except httpx2.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)
