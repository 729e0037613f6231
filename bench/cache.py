"""Warm repeated reads over HTTP: our server with its response cache vs. bare Starlette.

    python -m bench.cache [--backend sqlite|postgresql] [--seconds N] [--concurrency 32]

Two real uvicorn servers (same settings, one worker each) run side by side: ours on a seeded
database, and a bare Starlette app whose routes return the very bytes ours returned. A load
generator in a process of its own (raw sockets, HTTP/1.1 keep-alive, `concurrency`
connections) drives one server at a time, alternating rounds; the figures are medians. For
each request (the whole-graph GraphQL query, a REST list, a BibTeX export) it measures plain
repeats and repeats with `If-None-Match` (304 on both sides). Besides requests per second it
reports each server's CPU time per request, which the client's share of the two cores cannot
distort. The target is ours >= 70% of bare.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.graphql_whole_graph import QUERY as WHOLE_GRAPH_QUERY
from bench.loadgen import process_cpu_seconds

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BARE_ROUTES_ENV = "INFERGRAPH_BENCH_BARE_ROUTES"
ROUNDS = 5
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)")


@dataclass(frozen=True)
class Probe:
    """One request, as raw bytes, and what a correct answer looks like."""

    name: str
    method: str
    target: str
    body: bytes = b""
    content_type: str = ""

    def raw(self, etag: str | None = None, target: str | None = None) -> bytes:
        """The request; the bare server has one path per probe (it ignores query strings)."""
        target = target or self.target
        lines = [f"{self.method} {target} HTTP/1.1", "Host: 127.0.0.1", "Accept: */*"]
        if self.body:
            lines += [f"Content-Type: {self.content_type}", f"Content-Length: {len(self.body)}"]
        if etag:
            lines.append(f"If-None-Match: {etag}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


PROBES = [
    Probe(
        "GraphQL whole graph (POST)",
        "POST",
        "/graphql",
        json.dumps({"query": WHOLE_GRAPH_QUERY}).encode(),
        "application/json",
    ),
    Probe("REST list /papers?per_page=100", "GET", "/api/v1/papers?per_page=100"),
    Probe("BibTeX export /papers?format=bibtex", "GET", "/api/v1/papers?format=bibtex"),
]


# --- the bare server ---------------------------------------------------------------------


def bare_app() -> Starlette:
    """Routes that return recorded bytes (and 304 for their ETag), nothing else.

    `uvicorn --factory bench.cache:bare_app`, with the routes in a JSON file named by
    INFERGRAPH_BENCH_BARE_ROUTES: {path: {"body_file", "content_type", "etag"}}.
    """
    spec = json.loads(Path(os.environ[BARE_ROUTES_ENV]).read_text())
    routes = []
    for path, route in spec.items():
        body = Path(route["body_file"]).read_bytes()
        routes.append(
            Route(
                path,
                _recorded(body, route["content_type"], route["etag"]),
                methods=["GET", "POST"],
            )
        )
    return Starlette(routes=routes)


def _recorded(body: bytes, content_type: str, etag: str) -> Any:
    async def endpoint(request: Request) -> Response:
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"etag": etag})
        return Response(body, media_type=content_type, headers={"etag": etag})

    return endpoint


# --- the load generator ------------------------------------------------------------------


class _Connection(asyncio.Protocol):
    """Sends the request, reads one response (Content-Length framed), sends again."""

    def __init__(self, request: bytes, expected: tuple[int, int], stop_at: float) -> None:
        self.request = request
        self.expected = expected
        self.stop_at = stop_at
        self.buffer = bytearray()
        self.completed = 0
        self.errors = 0
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self._needed: int | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self._needed is None:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = bytes(self.buffer[:end]).lower()
                status = int(head[9:12])
                match = _CONTENT_LENGTH.search(head)
                length = int(match.group(1)) if match else 0
                if (status, length) != self.expected:
                    self.errors += 1
                del self.buffer[: end + 4]
                self._needed = length
            if len(self.buffer) < self._needed:
                return
            del self.buffer[: self._needed]
            self._needed = None
            self.completed += 1
            assert self.transport is not None
            if time.perf_counter() >= self.stop_at:
                self.transport.close()
                return
            self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def _drive(
    port: int, request: bytes, expected: tuple[int, int], seconds: float, concurrency: int
) -> tuple[int, int, float]:
    loop = asyncio.get_running_loop()
    began = time.perf_counter()
    stop_at = began + seconds
    connections = []
    for _ in range(concurrency):
        _, protocol = await loop.create_connection(
            lambda: _Connection(request, expected, stop_at), "127.0.0.1", port
        )
        connections.append(protocol)
    await asyncio.wait_for(asyncio.gather(*(c.done for c in connections)), seconds + 30)
    elapsed = time.perf_counter() - began
    return sum(c.completed for c in connections), sum(c.errors for c in connections), elapsed


def _client_loop(pipe: Connection) -> None:
    """The load generator's process: runs each job it is sent, answers with the counts."""
    while True:
        job = pipe.recv()
        if job is None:
            return
        pipe.send(asyncio.run(_drive(*job)))


# --- servers, rounds, report ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _uvicorn(target: str, env: dict[str, str], log: Path) -> Iterator[tuple[int, int]]:
    """(port, pid) of `uvicorn --factory target`, one worker, access log off."""
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", target, "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1", "--no-access-log", "--log-level", "warning"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env={**os.environ, **env}, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{target} exited at start; see {log}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def _bare_path(index: int) -> str:
    return f"/recorded/{index}"


def _fetch(port: int, probe: Probe) -> tuple[bytes, str, str]:
    """Body, content type and ETag of one answer from our server."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(probe.raw().replace(b"HTTP/1.1\r\n", b"HTTP/1.1\r\nConnection: close\r\n", 1))
        data = b""
        while chunk := sock.recv(1 << 20):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    headers = dict(
        line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:] if ": " in line
    )
    headers = {k.lower(): v for k, v in headers.items()}
    if not head.startswith(b"HTTP/1.1 200") or "etag" not in headers:
        raise RuntimeError(f"{probe.name}: not a cacheable 200:\n{head.decode('latin-1')}")
    return body, headers["content-type"], headers["etag"]


@contextmanager
def _database(backend: str, folder: Path, postgres_url: str) -> Iterator[str]:
    """A freshly seeded database URL (dropped afterwards on PostgreSQL)."""
    import sqlalchemy as sa

    from api.config import normalize_database_url
    from api.db import create_db_engine
    from seed.loader import seed_database

    if backend == "sqlite":
        url = f"sqlite:///{folder / 'bench.db'}"
        engine = create_db_engine(url)
        seed_database(engine)
        engine.dispose()
        yield url
        return
    admin = create_db_engine(normalize_database_url(postgres_url), isolation_level="AUTOCOMMIT")
    name = f"infergraph_bench_cache_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(False)
    try:
        engine = create_db_engine(url)
        seed_database(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(
    backend: str,
    seconds: float,
    concurrency: int,
    *,
    rounds: int = ROUNDS,
    postgres_url: str | None = None,
) -> list[dict[str, Any]]:
    """One row per request and mode: name, ours_rps, bare_rps, ratio (and CPU per request)."""
    postgres_url = postgres_url or os.environ.get(
        "INFERGRAPH_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL
    )
    rows: list[dict[str, Any]] = []
    context = multiprocessing.get_context("spawn")
    client_end, worker_end = context.Pipe()
    client = context.Process(target=_client_loop, args=(worker_end,), daemon=True)
    client.start()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        log = folder / "servers.log"
        with (
            _database(backend, folder, postgres_url) as url,
            # The whole graph in one query is far over the default cost budget (as in
            # bench/postgraphile.py): lifted, so the probe is the real answer, not the refusal.
            _uvicorn(
                "api.app:create_app",
                {"INFERGRAPH_DATABASE_URL": url, "INFERGRAPH_GRAPHQL_MAX_COST": str(10**15)},
                log,
            ) as ours,
        ):
            recorded = {}
            for index, probe in enumerate(PROBES):
                body, content_type, etag = _fetch(ours[0], probe)
                body_file = folder / f"body{index}"
                body_file.write_bytes(body)
                path = _bare_path(index)
                recorded[probe.name] = (len(body), etag)
                spec = {"body_file": str(body_file), "content_type": content_type, "etag": etag}
                routes_file = folder / "routes.json"
                routes = json.loads(routes_file.read_text()) if routes_file.exists() else {}
                routes[path] = spec
                routes_file.write_text(json.dumps(routes))
            with _uvicorn("bench.cache:bare_app", {BARE_ROUTES_ENV: str(routes_file)}, log) as bare:
                for index, probe in enumerate(PROBES):
                    length, etag = recorded[probe.name]
                    bare_path = _bare_path(index)
                    for mode, request_etag, expected in (
                        ("", None, (200, length)),
                        (" + If-None-Match", etag, (304, 0)),
                    ):
                        row = _compare(
                            client_end,
                            ours,
                            bare,
                            (probe.raw(request_etag), probe.raw(request_etag, bare_path)),
                            expected,
                            seconds,
                            concurrency,
                            rounds,
                        )
                        rows.append({"name": probe.name + mode, **row})
    client_end.send(None)
    client.join(timeout=10)
    return rows


def _compare(
    client: Connection,
    ours: tuple[int, int],
    bare: tuple[int, int],
    requests: tuple[bytes, bytes],
    expected: tuple[int, int],
    seconds: float,
    concurrency: int,
    rounds: int,
) -> dict[str, Any]:
    samples: dict[str, list[tuple[float, float]]] = {"ours": [], "bare": []}
    sides = (("ours", ours, requests[0]), ("bare", bare, requests[1]))
    for _, (port, _), request in sides:  # warm-up, not measured
        client.send((port, request, expected, min(1.0, seconds), concurrency))
        client.recv()
    for _ in range(rounds):
        for side, (port, pid), request in sides:
            cpu_before = process_cpu_seconds(pid)
            client.send((port, request, expected, seconds, concurrency))
            completed, errors, elapsed = client.recv()
            if errors:
                raise RuntimeError(f"{side}: {errors} unexpected answers to {request[:60]!r}")
            cpu = process_cpu_seconds(pid) - cpu_before
            samples[side].append((completed / elapsed, cpu / completed * 1e6))
    ours_rps = statistics.median(s[0] for s in samples["ours"])
    bare_rps = statistics.median(s[0] for s in samples["bare"])
    return {
        "ours_rps": round(ours_rps, 1),
        "bare_rps": round(bare_rps, 1),
        "ratio": round(ours_rps / bare_rps, 3),
        "ours_cpu_us": round(statistics.median(s[1] for s in samples["ours"]), 1),
        "bare_cpu_us": round(statistics.median(s[1] for s in samples["bare"]), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one round")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--postgres-url", help=f"admin URL (default {DEFAULT_POSTGRES_URL})")
    args = parser.parse_args()
    rows = run(
        args.backend,
        args.seconds,
        args.concurrency,
        rounds=args.rounds,
        postgres_url=args.postgres_url,
    )
    print(
        f"{args.backend}, concurrency {args.concurrency}, {args.rounds} rounds of "
        f"{args.seconds:g} s, medians"
    )
    print(f"{'request':<48}{'ours/s':>9}{'bare/s':>9}{'ratio':>7}{'ours CPU µs':>13}{'bare':>7}")
    for row in rows:
        print(
            f"{row['name']:<48}{row['ours_rps']:>9.0f}{row['bare_rps']:>9.0f}"
            f"{row['ratio']:>7.2f}{row['ours_cpu_us']:>13.0f}{row['bare_cpu_us']:>7.0f}"
        )


if __name__ == "__main__":
    main()
