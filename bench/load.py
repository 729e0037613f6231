"""Mixed load against a real uvicorn server: reads at high concurrency, overlapping ingests.

    python -m bench.load --backend sqlite|postgresql [--seconds 60] [--concurrency 32]
                         [--ingest-every 3] [--postgres-url URL]

A fresh seeded database, the server in its own process on a free loopback port, and a local
stand-in for arXiv. `--concurrency` clients send GraphQL queries and REST reads back to back;
every `--ingest-every` seconds an arXiv ingest of 40 ids starts whose set overlaps the
previous one by half and includes survey papers already stored. Everything stays on this
machine and stops by itself.

Afterwards it checks what a user would: no 5xx, no duplicate papers (arXiv id, DOI, identity
key, cite key), every acknowledged ingest's papers present. It prints a Markdown summary and
exits 1 when a check fails.
"""

import argparse
import asyncio
import itertools
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from api.config import normalize_database_url
from api.db import create_db_engine
from api.services.tokens import create_token
from models.access import TokenScope
from seed.loader import seed_database
from tests.faults.consistency import authorless_papers, consistency_problems
from tests.ingest.arxiv_server import arxiv_env, serve_fake_arxiv
from tests.ingest.atom_feeds import FeedEntry, arxiv_router, generated_entry
from tests.live_server import LiveServer

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POOL_SIZE = 400
"""Generated arXiv entries the ingests draw from."""
INGEST_IDS = 40
SURVEY_IDS_PER_INGEST = 4


@dataclass(frozen=True)
class Call:
    kind: str
    """`rest`, `graphql` or `ingest`: what the latency figures are grouped by."""
    name: str
    method: str
    path: str
    json: dict[str, Any] | None = None


@dataclass
class Result:
    call: Call
    status: int
    seconds: float
    graphql_errors: bool = False
    ingest_report: dict[str, Any] | None = None


@dataclass
class Run:
    results: list[Result] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    """arXiv ids of every ingest answered 200 without failures."""
    transport_errors: Counter[str] = field(default_factory=Counter)


def read_calls(survey: "Survey") -> list[Call]:
    """The read mix, with arguments drawn from the seeded data."""
    rng = random.Random(1)
    calls: list[Call] = []
    for _ in range(50):
        engine = rng.choice(survey.engines)
        paper = rng.choice(survey.papers)
        arxiv_id = rng.choice(survey.arxiv_ids)
        technique = rng.choice(survey.techniques)
        calls += [
            Call("rest", "engines", "GET", "/api/v1/engines?per_page=50"),
            Call("rest", "engine", "GET", f"/api/v1/engines/{engine}"),
            Call("rest", "papers", "GET", "/api/v1/papers?per_page=50&sort=-year"),
            Call("rest", "paper", "GET", f"/api/v1/papers/{paper}"),
            Call("rest", "technique papers", "GET", f"/api/v1/techniques/{technique}/papers"),
            Call("rest", "search", "GET", "/api/v1/search?q=speculative+decoding&limit=10"),
            _graphql(
                "engine matrix",
                "{ engines(first: 30) { nodes { slug name organization { name } "
                "featureSupport(first: 30) { nodes { feature { slug } status } } } } }",
            ),
            _graphql(
                "paper",
                f'{{ paper(arxivId: "{arxiv_id}") {{ bibtexKey title year '
                "authors(first: 5) { totalCount nodes { name } } "
                "techniques { nodes { slug engines { totalCount } } } } }",
            ),
            _graphql(
                "papers",
                "{ papers(first: 50) { totalCount nodes { bibtexKey title arxivId year } } }",
            ),
            _graphql(
                "search",
                '{ search(text: "paged attention", first: 5) { score node { __typename '
                "... on Technique { slug } ... on Paper { bibtexKey } } } }",
            ),
        ]
    rng.shuffle(calls)
    return calls


def _graphql(name: str, query: str) -> Call:
    return Call("graphql", name, "POST", "/graphql", {"query": query})


@dataclass(frozen=True)
class Survey:
    engines: list[str]
    papers: list[str]
    techniques: list[str]
    arxiv_ids: list[str]
    arxiv_entries: list[FeedEntry]
    """The survey's papers with an arXiv id, as arXiv would answer for them."""
    authorless: list[str]
    """Survey papers stored without authors (software, web pages) before the load."""


def read_survey(engine: sa.Engine) -> Survey:
    with engine.connect() as connection:

        def column(sql: str) -> list[str]:
            return [str(row[0]) for row in connection.execute(sa.text(sql))]

        rows = connection.execute(
            sa.text(
                "SELECT p.id, p.arxiv_id, p.title, p.year FROM paper p "
                "WHERE p.arxiv_id IS NOT NULL AND p.title IS NOT NULL ORDER BY p.arxiv_id"
            )
        ).all()
        entries = []
        for paper_id, arxiv_id, title, year in rows:
            authors = connection.execute(
                sa.text(
                    "SELECT a.name FROM paper_author pa JOIN author a ON a.id = pa.author_id "
                    "WHERE pa.paper_id = :paper ORDER BY pa.position"
                ),
                {"paper": paper_id},
            ).scalars()
            published = datetime(int(year or 2024), 1, 15, tzinfo=UTC)
            entries.append(FeedEntry(arxiv_id, title, tuple(authors) or ("Anonymous",), published))
        return Survey(
            engines=column("SELECT slug FROM engine ORDER BY slug"),
            papers=column("SELECT bibtex_key FROM paper ORDER BY bibtex_key"),
            techniques=column("SELECT slug FROM technique ORDER BY slug"),
            arxiv_ids=[entry.arxiv_id for entry in entries],
            arxiv_entries=entries,
            authorless=authorless_papers(connection),
        )


def ingest_sets(survey: Survey) -> Iterator[list[str]]:
    """Id sets that overlap the previous one by half, each with a few survey papers."""
    pool = [generated_entry(n).arxiv_id for n in range(POOL_SIZE)]
    step = INGEST_IDS // 2
    for k in itertools.count():
        start = (k * step) % POOL_SIZE
        window = [pool[(start + i) % POOL_SIZE] for i in range(INGEST_IDS)]
        survey_ids = [
            survey.arxiv_ids[(k * SURVEY_IDS_PER_INGEST + i) % len(survey.arxiv_ids)]
            for i in range(SURVEY_IDS_PER_INGEST)
        ]
        yield window + survey_ids


async def drive(
    base_url: str, headers: dict[str, str], survey: Survey, args: argparse.Namespace
) -> tuple[Run, float]:
    run = Run()
    calls = read_calls(survey)
    deadline = time.monotonic() + args.seconds
    limits = httpx2.Limits(max_connections=args.concurrency + 8)
    timeout = httpx2.Timeout(60.0)
    async with httpx2.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=timeout
    ) as client:
        started = time.monotonic()

        async def reader(offset: int) -> None:
            for n in itertools.count(offset * 7):
                if time.monotonic() >= deadline:
                    return
                await send(client, calls[n % len(calls)], run)

        async def ingester() -> None:
            pending: list[asyncio.Task[None]] = []
            for ids in ingest_sets(survey):
                if time.monotonic() >= deadline:
                    break
                call = Call("ingest", "arxiv ids", "POST", "/api/v1/ingest/arxiv", {"ids": ids})
                # Not awaited: a slow ingest overlaps the next one, as concurrent curators do.
                pending.append(asyncio.create_task(send(client, call, run)))
                await asyncio.sleep(args.ingest_every)
            await asyncio.gather(*pending)

        await asyncio.gather(ingester(), *(reader(i) for i in range(args.concurrency)))
        elapsed = time.monotonic() - started
    return run, elapsed


async def send(client: httpx2.AsyncClient, call: Call, run: Run) -> None:
    started = time.perf_counter()
    try:
        response = await client.request(call.method, call.path, json=call.json)
    except httpx2.TransportError as error:
        run.transport_errors[type(error).__name__] += 1
        return
    result = Result(call, response.status_code, time.perf_counter() - started)
    if response.status_code == 200 and call.kind == "graphql":
        result.graphql_errors = "errors" in response.json()
    if response.status_code == 200 and call.kind == "ingest":
        report = response.json()
        result.ingest_report = report
        if report["failed"] == 0 and not report["aborted"]:
            assert call.json is not None
            run.acknowledged.update(call.json["ids"])
    run.results.append(result)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(
    backend: str, args: argparse.Namespace, run: Run, elapsed: float, checks: dict[str, str]
) -> str:
    lines = [
        f"### Load: {backend}, {args.seconds:g} s, concurrency {args.concurrency}",
        "",
        "| kind | requests | errors | p50 | p99 | max |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for kind in ("rest", "graphql", "ingest"):
        results = [r for r in run.results if r.call.kind == kind]
        if not results:
            continue
        errors = sum(r.status != 200 or r.graphql_errors for r in results)
        seconds = [r.seconds for r in results]
        lines.append(
            f"| {kind} | {len(results):,} | {errors} | {percentile(seconds, 0.5) * 1000:.1f} ms "
            f"| {percentile(seconds, 0.99) * 1000:.1f} ms | {max(seconds) * 1000:.1f} ms |"
        )
    statuses = Counter(r.status for r in run.results)
    served = len(run.results)
    lines += [
        "",
        f"- requests served: {served:,} in {elapsed:.1f} s ({served / elapsed:,.0f} req/s)",
        "- statuses: " + ", ".join(f"{status}: {n:,}" for status, n in sorted(statuses.items())),
        "- transport errors: "
        + (", ".join(f"{k}: {n}" for k, n in run.transport_errors.items()) or "none"),
        # The machine is shared: a busy neighbour shows up here, not as a slower server.
        f"- load average at the end (1 min, {os.cpu_count()} cores): {os.getloadavg()[0]:.1f}",
    ]
    lines += [f"- {name}: {verdict}" for name, verdict in checks.items()]
    return "\n".join(lines)


def check(engine: sa.Engine, run: Run, survey: Survey) -> dict[str, str]:
    """Each check's verdict; a verdict starting with FAIL fails the benchmark."""
    server_errors = sum(r.status >= 500 for r in run.results)
    graphql_errors = sum(r.graphql_errors for r in run.results)
    with engine.connect() as connection:
        statement = sa.text("SELECT arxiv_id FROM paper WHERE arxiv_id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)
        )
        present: set[str] = set(
            connection.execute(statement, {"ids": sorted(run.acknowledged)}).scalars()
        )
    missing = run.acknowledged - present
    problems = consistency_problems(engine, known_authorless=survey.authorless)
    ingests = [r for r in run.results if r.call.kind == "ingest"]
    ok_ingests = [r for r in ingests if r.ingest_report is not None]
    return {
        "5xx": f"{'FAIL ' if server_errors else ''}{server_errors}",
        "GraphQL responses with errors": f"{'FAIL ' if graphql_errors else ''}{graphql_errors}",
        "ingests acknowledged": f"{len(ok_ingests)} of {len(ingests)}",
        "acknowledged papers present": (
            f"{len(present)} of {len(run.acknowledged)}"
            if not missing
            else f"FAIL missing {sorted(missing)[:5]}"
        ),
        "duplicates and consistency": "none" if not problems else f"FAIL {problems}",
    }


@contextmanager
def fresh_database(backend: str, postgres_url: str) -> Iterator[str]:
    """The URL of a new, empty database, dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'load.db'}"
        return
    admin_url = normalize_database_url(postgres_url)
    name = f"infergraph_load_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--ingest-every", type=float, default=3.0, help="seconds")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help="a server where a throw-away database may be created",
    )
    args = parser.parse_args()

    with (
        fresh_database(args.backend, args.postgres_url) as url,
        tempfile.TemporaryDirectory() as folder,
        serve_fake_arxiv() as fake,
    ):
        engine = create_db_engine(url)
        seed_database(engine)
        survey = read_survey(engine)
        fake.router = arxiv_router(
            [*(generated_entry(n) for n in range(POOL_SIZE)), *survey.arxiv_entries]
        )
        token = create_token(engine, name="bench-load", scope=TokenScope.WRITE).token
        server = LiveServer(url, Path(folder) / "server.log", arxiv_env(fake))
        server.start()
        try:
            headers = {"authorization": f"Bearer {token}"}
            run, elapsed = asyncio.run(drive(server.base_url, headers, survey, args))
        finally:
            server.stop()
            log = server.log_tail()
        checks = check(engine, run, survey)
        engine.dispose()
    print(summary(args.backend, args, run, elapsed, checks))
    if log:
        print(f"\nserver log (last lines):\n{log}", file=sys.stderr)
    if any(verdict.startswith("FAIL") for verdict in checks.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
