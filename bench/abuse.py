"""Issue 13's resource-exhaustion requests, re-measured: time, answer size, status and peak
Python memory of each, against a freshly seeded database, through the whole app (one warm-up
read first; the response cache off).

    python -m bench.abuse [--backend sqlite|postgresql] [--postgres-url URL]
"""

import argparse
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from bench.databases import seeded_database

ALL_OF = (
    "query Q($t: [String!]) { engines(filter: {techniques: {allOf: $t}}, first: 100) "
    "{ nodes { slug } } }"
)
# engines → featureSupport → feature → techniques → engines … at depth 14, 300 bytes.
DEPTH_14 = (
    "{ engines(first: 500) { nodes { featureSupport(first: 500) { nodes { feature { "
    "techniques { engines(first: 500) { nodes { featureSupport(first: 500) { nodes { "
    "feature { techniques { engines(first: 500) { nodes { name } } } } } } } } } } } } } } }"
)


def cases(client: TestClient) -> dict[str, Callable[[], Any]]:
    def graphql(query: str, variables: dict[str, object] | None = None) -> Any:
        return client.post("/graphql", json={"query": query, "variables": variables})

    rest_terms = ",".join(["technique:paged-attention"] * 76)
    return {
        "GraphQL allOf, one slug 1,000 times": lambda: graphql(
            ALL_OF, {"t": ["paged-attention"] * 1000}
        ),
        # Short slugs, so the 40,000 fit under the request-body limit and reach the filter.
        "GraphQL allOf, 40,000 distinct unknown slugs": lambda: graphql(
            ALL_OF, {"t": [f"x{i}" for i in range(40_000)]}
        ),
        "REST filter, 76 technique terms (2 KB)": lambda: client.get(
            "/api/v1/engines", params={"filter": rest_terms}
        ),
        "GraphQL depth-14 query, first: 500": lambda: graphql(DEPTH_14),
    }


def measure(request: Callable[[], Any], repeat: int = 5) -> tuple[float, int, int, float]:
    """Median time of `repeat` runs, then one more under tracemalloc (which slows Python
    down, so it is not timed) for the peak memory."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = request()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    request()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), response.status_code, len(response.content), peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url")
    options = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        seeded_database(options.backend, Path(folder), "abuse", options.postgres_url) as url,
        TestClient(create_app(Settings(database_url=url, response_cache_bytes=0))) as client,
    ):
        print(f"database: {options.backend}")
        print("| request | time | status | answer bytes | peak Python memory |")
        print("| --- | --- | --- | --- | --- |")
        client.get("/api/v1/engines")  # connections, first-request setup: not the cases' cost
        for name, request in cases(client).items():
            elapsed, status, size, peak = measure(request)
            print(f"| {name} | {elapsed * 1000:.0f} ms | {status} | {size:,} | {peak:.1f} MiB |")


if __name__ == "__main__":
    main()
