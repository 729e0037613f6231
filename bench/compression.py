"""Response compression: bytes saved and time spent per encoding, on real answers.

    python -m bench.compression [--repeats N]

Seeds a temporary SQLite database, then asks the app (in process, response cache warm) for a
few representative answers with `Accept-Encoding: identity`, `gzip` and `br`, and reports per
answer and encoding: the size on the wire, its ratio to the plain answer, and the median time
of a request, whose ratio to the plain request is the compression's cost on a cache hit.
"""

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.db import create_db_engine
from bench.graphql_whole_graph import QUERY as WHOLE_GRAPH_QUERY
from seed.loader import seed_database

ENCODINGS = ("identity", "gzip", "br")


def _requests(client: TestClient) -> dict[str, Callable[[str], tuple[int, int]]]:
    def get(path: str) -> Callable[[str], tuple[int, int]]:
        def send(encoding: str) -> tuple[int, int]:
            with client.stream("GET", path, headers={"accept-encoding": encoding}) as response:
                body = b"".join(response.iter_raw())
            return response.status_code, len(body)

        return send

    def whole_graph(encoding: str) -> tuple[int, int]:
        headers = {"accept-encoding": encoding}
        with client.stream(
            "POST", "/graphql", json={"query": WHOLE_GRAPH_QUERY}, headers=headers
        ) as response:
            body = b"".join(response.iter_raw())
        return response.status_code, len(body)

    return {
        "REST engines list": get("/api/v1/engines?per_page=100"),
        "REST papers CSV": get("/api/v1/papers?format=csv&per_page=100"),
        "BibTeX export": get("/api/v1/papers?format=bibtex"),
        "GraphQL whole graph": whole_graph,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = create_db_engine(url)
        seed_database(engine)
        # The whole-graph query is over the default cost budget by design; lift it here.
        settings = Settings(database_url=url, graphql_max_cost=10**15)
        with TestClient(create_app(settings)) as client:
            print("| answer | encoding | bytes | size ratio | median ms | time ratio |")
            print("| --- | --- | ---: | ---: | ---: | ---: |")
            for name, send in _requests(client).items():
                plain_size = plain_time = 0.0
                for encoding in ENCODINGS:
                    status, size = send(encoding)  # warms the cache
                    assert status == 200, (name, encoding, status)
                    times = []
                    for _ in range(args.repeats):
                        started = time.perf_counter()
                        send(encoding)
                        times.append(time.perf_counter() - started)
                    median = statistics.median(times) * 1000
                    if encoding == "identity":
                        plain_size, plain_time = size, median
                    print(
                        f"| {name} | {encoding} | {size:,} | {size / plain_size:.3f} "
                        f"| {median:.2f} | {median / plain_time:.2f} |"
                    )


if __name__ == "__main__":
    main()
