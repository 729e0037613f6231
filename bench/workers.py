"""`infergraph serve --workers 2` vs `--workers 1`: uncached reads on PostgreSQL.

    python -m bench.workers [--seconds 5] [--rounds 5] [--connections 12] [--postgres-url URL]
                            [--mix light|rendered]

One freshly seeded PostgreSQL database, two real servers started by `infergraph serve`
(one worker, two workers), response cache off so every request reaches the database. A
raw-socket keep-alive load generator in a process of its own keeps `--connections`
connections busy, spread over the requests of a mix, and checks each answer's status and
length. `light` (the default): a REST list (`/papers?per_page=50`), a REST detail (one engine)
and a GraphQL query (one engine, its feature support and papers). `rendered`: an engine's
web page, and a page of 100 papers as CSL-JSON and as BibTeX. The CPU time of the server,
of PostgreSQL and of the load generator per request says how much of the two cores the
second worker can have. Rounds alternate between the servers so both see the same
machine; the report gives the median req/s of each, their ratio (target >= 1.7x on two
cores) and the load average around each round: on a shared machine other work takes cores
the second worker would use.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import httpx2

from bench.cache import Probe, _Connection
from bench.cold_start import serve_command
from bench.databases import seeded_database

TARGET = 1.7
LIGHT = [
    Probe("REST list", "GET", "/api/v1/papers?per_page=50"),
    Probe("REST detail", "GET", "/api/v1/engines/vllm"),
    Probe(
        "GraphQL",
        "POST",
        "/graphql",
        json.dumps(
            {
                "query": '{ engine(slug: "vllm") { name featureSupport(first: 30) { nodes '
                "{ status feature { name } } } papers(first: 10) { totalCount nodes "
                "{ label paper { title year } } } } }"
            }
        ).encode(),
        "application/json",
    ),
]
"""Small answers: per request, PostgreSQL and the load generator cost about what the server
does, and they run on the same two cores."""
RENDERED = [
    Probe("web page", "GET", "/engines/vllm"),
    Probe("CSL-JSON", "GET", "/api/v1/papers?format=csl-json&per_page=100"),
    Probe("BibTeX", "GET", "/api/v1/papers?format=bibtex&per_page=100"),
]
"""Answers the server spends its time writing (HTML from templates, citation formats from a
page of papers): the reads PostgreSQL answers are a small part of each request."""
MIXES = {"light": LIGHT, "rendered": RENDERED}


@dataclass(frozen=True)
class Round:
    workers: int
    requests: int
    errors: int
    seconds: float
    load_before: float
    load_after: float
    server_cpu: float
    """CPU seconds of the server's processes (all workers) during the round."""
    database_cpu: float = 0.0
    """CPU seconds of every PostgreSQL process on the machine during the round."""
    generator_cpu: float = 0.0
    """CPU seconds of the load generator during the round."""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


async def _drive_mix(
    port: int, jobs: list[tuple[bytes, tuple[int, int]]], seconds: float, connections: int
) -> tuple[int, int, float]:
    loop = asyncio.get_running_loop()
    began = time.perf_counter()
    stop_at = began + seconds
    opened = []
    for index in range(connections):
        request, expected = jobs[index % len(jobs)]
        _, protocol = await loop.create_connection(
            lambda r=request, e=expected: _Connection(r, e, stop_at),  # type: ignore[misc]
            "127.0.0.1",
            port,
        )
        opened.append(protocol)
    await asyncio.wait_for(asyncio.gather(*(c.done for c in opened)), seconds + 30)
    elapsed = time.perf_counter() - began
    return sum(c.completed for c in opened), sum(c.errors for c in opened), elapsed


def _generator(pipe: Connection) -> None:
    while (job := pipe.recv()) is not None:
        pipe.send(asyncio.run(_drive_mix(*job)))


def _expected(port: int, probes: list[Probe]) -> list[tuple[bytes, tuple[int, int]]]:
    """Each probe's request and its answer's (status, length), checked to be a 200. Asked
    with the very bytes the load sends: links in the answers spell the Host header."""
    jobs = []
    for probe in probes:
        request = probe.raw()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(request.replace(b"\r\n", b"\r\nConnection: close\r\n", 1))
            data = b""
            while chunk := sock.recv(1 << 20):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200") or body.startswith(b'{"errors"'):
            raise RuntimeError(f"{probe.name}: {head[:40]!r} {body[:300]!r}")
        jobs.append((request, (200, len(body))))
    return jobs


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_processes() -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/comm"):
        try:
            if stat.read_text().strip() == "postgres":
                found.append(int(stat.parent.name))
        except OSError:  # gone
            continue
    return found


def _process_tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            todo += [int(child) for child in task.read_text().split()]
    return found


@contextmanager
def _serve(url: str, workers: int, log: Path) -> Iterator[tuple[int, int]]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFERGRAPH_")}
    env |= {"INFERGRAPH_DATABASE_URL": url, "INFERGRAPH_RESPONSE_CACHE_BYTES": "0"}
    command = [*serve_command(port), "--no-seed", "--workers", str(workers)]
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"serve --workers {workers} exited; see {log}")
            try:
                if httpx2.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve --workers {workers} did not start; see {log}")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(
    seconds: float,
    rounds: int,
    connections: int,
    postgres_url: str | None = None,
    mix: str = "light",
) -> list[Round]:
    results: list[Round] = []
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "serve.log"
        with (
            seeded_database("postgresql", Path(folder), "workers", postgres_url) as url,
            _serve(url, 1, log) as one,
            _serve(url, 2, log) as two,
        ):
            ports = {1: one[0], 2: two[0]}
            pids = {1: one[1], 2: two[1]}
            jobs = {workers: _expected(port, MIXES[mix]) for workers, port in ports.items()}
            ours, theirs = multiprocessing.get_context("spawn").Pipe()
            generator = multiprocessing.get_context("spawn").Process(
                target=_generator, args=(theirs,)
            )
            generator.start()
            try:
                for workers, port in ports.items():  # warm-up: connections, plans, caches
                    ours.send((port, jobs[workers], 1.0, connections))
                    ours.recv()
                for _ in range(rounds):
                    for workers, port in ports.items():
                        servers = _process_tree(pids[workers])
                        database = _postgres_processes()
                        watched = [servers, database, [generator.pid or 0]]
                        cpu_before = [[_cpu_seconds(p) for p in group] for group in watched]
                        before = os.getloadavg()[0]
                        ours.send((port, jobs[workers], seconds, connections))
                        done, errors, elapsed = ours.recv()
                        after = os.getloadavg()[0]
                        spent = [
                            sum(
                                max(0.0, _cpu_seconds(p) - b)
                                for p, b in zip(group, start, strict=True)
                            )
                            for group, start in zip(watched, cpu_before, strict=True)
                        ]
                        results.append(Round(workers, done, errors, elapsed, before, after, *spent))
            finally:
                ours.send(None)
                generator.join(timeout=30)
    return results


def median_rps(rounds: list[Round], workers: int) -> float:
    return statistics.median(r.rps for r in rounds if r.workers == workers)


def markdown(rounds: list[Round]) -> str:
    lines = [
        "| workers | req/s (median) | rounds | errors | CPU ms / request: server "
        "| PostgreSQL | load generator | cores the server got | load average around the rounds |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    medians = {}
    for workers in (1, 2):
        mine = [r for r in rounds if r.workers == workers]
        medians[workers] = median_rps(rounds, workers)
        shown = ", ".join(f"{r.rps:.0f}" for r in mine)
        loads = ", ".join(f"{r.load_before:.1f}→{r.load_after:.1f}" for r in mine)
        errors = sum(r.errors for r in mine)
        per_request = [
            statistics.median(1000 * getattr(r, spent) / r.requests for r in mine)
            for spent in ("server_cpu", "database_cpu", "generator_cpu")
        ]
        cores = statistics.median(r.server_cpu / r.seconds for r in mine)
        lines.append(
            f"| {workers} | {medians[workers]:.0f} | {shown} | {errors} | "
            + " | ".join(f"{ms:.2f}" for ms in per_request)
            + f" | {cores:.2f} | {loads} |"
        )
    ratio = medians[2] / medians[1]
    verdict = "met" if ratio >= TARGET else "missed"
    server, others = _costs(rounds)
    ceiling = 2 * server / (server + others) if server + others else 0.0
    lines += [
        "",
        f"2 workers / 1 worker: **{ratio:.2f}×** (target ≥ {TARGET}×: {verdict}). On two "
        f"cores the server's share of the CPU each request costs (server {server:.2f} ms, "
        f"PostgreSQL and load generator {others:.2f} ms) bounds the ratio at "
        f"2·server / (server + rest) = {ceiling:.2f}×.",
    ]
    return "\n".join(lines)


def _costs(rounds: list[Round]) -> tuple[float, float]:
    """Median CPU ms per request of the server, and of PostgreSQL plus the load generator,
    over the one-worker rounds."""
    mine = [r for r in rounds if r.workers == 1]
    server = statistics.median(1000 * r.server_cpu / r.requests for r in mine)
    others = statistics.median(1000 * (r.database_cpu + r.generator_cpu) / r.requests for r in mine)
    return server, others


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=12)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--mix", choices=list(MIXES), default="light")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; load average at start: {os.getloadavg()[0]:.1f}")
    found = run(args.seconds, args.rounds, args.connections, args.postgres_url, args.mix)
    print(markdown(found))


if __name__ == "__main__":
    main()
