"""What routing reads to a replica costs a read: the same requests with and without one.

    python -m bench.replica [--repeat 200]

A throw-away primary (initdb) seeded with the survey and a streaming standby of it
(`pg_basebackup -R`), both private clusters on free ports (tests/faults/postgres_cluster.py;
the shared server is not touched). Two apps in-process, response cache off: one reads from
the primary only, one with `INFERGRAPH_READ_DATABASE_URL` set to the standby, so each read
first compares the primary's flushed WAL position with the standby's replay position. The
requests alternate between the two; medians per request, and how many reads the standby
answered.
"""

import argparse
import os
import statistics
import time
from dataclasses import dataclass

import psycopg
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.db import create_db_engine, read_route
from api.replica import ReadReplica
from seed.loader import seed_database
from tests.faults.postgres_cluster import PrivateCluster, unavailable_reason

DATABASE = "infergraph"
REQUESTS = {
    "REST engine detail": ("GET", "/api/v1/engines/vllm", None),
    "REST papers, first page": ("GET", "/api/v1/papers?per_page=50", None),
    "GraphQL engine with papers": (
        "POST",
        "/graphql",
        {"query": '{ engine(slug: "vllm") { name papers(first: 10) { nodes { label } } } }'},
    ),
}


@dataclass(frozen=True)
class Row:
    name: str
    primary_ms: float
    replica_ms: float

    @property
    def ratio(self) -> float:
        return self.replica_ms / self.primary_ms


def run(repeat: int) -> tuple[list[Row], dict[str, int]]:
    reason = unavailable_reason()
    if reason is not None:
        raise RuntimeError(f"no private PostgreSQL clusters: {reason}")
    primary, standby = PrivateCluster(), PrivateCluster()
    try:
        primary.init()
        primary.start(durable_commits=True)
        with psycopg.connect(primary.url().replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {DATABASE}")
        engine = create_db_engine(primary.url(DATABASE))
        seed_database(engine)
        engine.dispose()
        primary.copy_as_standby(standby)
        standby.start()
        plain = Settings(database_url=primary.url(DATABASE), response_cache_bytes=0)
        routed = plain.model_copy(update={"read_database_url": standby.url(DATABASE)})
        plain_app, routed_app = create_app(plain), create_app(routed)
        replica = read_route(routed_app.state.engine)
        assert isinstance(replica, ReadReplica)
        times: dict[tuple[str, str], list[float]] = {}
        with TestClient(plain_app) as one, TestClient(routed_app) as two:
            for _ in range(repeat + 5):  # the first five warm both up and are dropped
                for name, (method, path, body) in REQUESTS.items():
                    for side, client in (("primary", one), ("replica", two)):
                        began = time.perf_counter()
                        response = client.request(method, path, json=body)
                        elapsed = time.perf_counter() - began
                        assert response.status_code == 200, response.text
                        times.setdefault((name, side), []).append(elapsed)
        replica.close()
        rows = [
            Row(
                name,
                1000 * statistics.median(times[(name, "primary")][5:]),
                1000 * statistics.median(times[(name, "replica")][5:]),
            )
            for name in REQUESTS
        ]
        return rows, dict(replica.sent)
    finally:
        standby.remove()
        primary.remove()


def markdown(rows: list[Row], sent: dict[str, int], repeat: int) -> str:
    lines = [
        f"{repeat} requests each, alternating; load average {os.getloadavg()[0]:.1f}:",
        "",
        "| request | primary only (p50) | through the replica (p50) | ratio |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r.name} | {r.primary_ms:.2f} ms | {r.replica_ms:.2f} ms | {r.ratio:.2f}× |"
        for r in rows
    ]
    where = f"{sent['replica']} on the standby, {sent['primary']} on the primary"
    lines += ["", f"Read sessions: {where}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    rows, sent = run(args.repeat)
    print(markdown(rows, sent, args.repeat))


if __name__ == "__main__":
    main()
