"""As-of reads: the same query as of the seed's version and now, on a graph that synced since.

python -m bench.as_of [--repeat 30] [--backend sqlite|postgresql] [--postgres-url ADMIN_URL]

A seeded database syncs `tests/fixtures/history/newer.md` (version 2026-03-01); each query
then runs through the app (response cache off, so every request reaches the database) now
and with `as_of=2025-12-02`, interleaved, and the medians are compared. An as-of request
also resolves the version and creates and drops the temporary views of the versioned
tables (api/services/history.py); the ratio is what that and reading history rows cost.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.app import create_app
from api.config import Settings
from api.db import create_db_engine
from api.services.survey_sync import sync_survey
from bench.databases import seeded_database

NEWER = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "history" / "newer.md"
PAST = "2025-12-02"
ENGINES_GRAPHQL = (
    "{ engines(first: 50) { nodes { slug githubStars"
    " featureSupport(first: 30) { nodes { status feature { slug } } } } } }"
)
QUERIES: list[tuple[str, str, dict[str, object] | None]] = [
    ("engine detail", "/api/v1/engines/vllm", None),
    ("engine list, support filter", "/api/v1/engines?filter=technique:dynamic-batching", None),
    ("optimization matrix table", "/api/v1/tables/optimization-matrix", None),
    ("GraphQL engines with support", "/graphql", {"query": ENGINES_GRAPHQL}),
]


def _request(
    client: TestClient, path: str, body: dict[str, object] | None, as_of: bool
) -> tuple[float, float]:
    """Wall time and this process's CPU time (the app, and SQLite, run in it) of one request."""
    start, cpu = time.perf_counter(), time.process_time()
    if body is None:
        separator = "&" if "?" in path else "?"
        response = client.get(path + (f"{separator}as_of={PAST}" if as_of else ""))
    else:
        query = str(body["query"])
        if as_of:
            query = query.replace("engines(first: 50)", f'engines(first: 50, asOf: "{PAST}")')
        response = client.post(path, json={"query": query})
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    assert response.status_code == 200, response.text
    assert "errors" not in response.text[:20], response.text[:300]
    return elapsed, used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", help="admin URL; a database of its own is made")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        seeded_database(args.backend, Path(folder), "asof", args.postgres_url) as url,
    ):
        engine = create_db_engine(url)
        with Session(engine) as session:
            sync_survey(
                session, NEWER.read_text(encoding="utf-8"), apply=True, source_version="2026-03-01"
            )
        engine.dispose()
        settings = Settings(database_url=url, response_cache_bytes=0)
        with TestClient(create_app(settings)) as client:
            print(f"database: {args.backend}; {args.repeat} runs each, medians")
            print("| query | now | as of 2025-12-02 | ratio | CPU now | CPU as of | CPU ratio |")
            print("| --- | --- | --- | --- | --- | --- | --- |")
            for label, path, body in QUERIES:
                for warm in (False, True):  # one of each before timing
                    _request(client, path, body, warm)
                now, past = [], []
                for _ in range(args.repeat):
                    now.append(_request(client, path, body, False))
                    past.append(_request(client, path, body, True))
                current, as_of = (statistics.median(t[0] for t in runs) for runs in (now, past))
                cpu_now, cpu_past = (statistics.median(t[1] for t in runs) for runs in (now, past))
                print(
                    f"| {label} | {current * 1000:.1f} ms | {as_of * 1000:.1f} ms"
                    f" | {as_of / current:.2f}× | {cpu_now * 1000:.1f} ms"
                    f" | {cpu_past * 1000:.1f} ms | {cpu_past / cpu_now:.2f}× |"
                )


if __name__ == "__main__":
    main()
