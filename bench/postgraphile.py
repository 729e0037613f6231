"""The whole-graph nested query: our server vs. PostGraphile v4 on the same PostgreSQL data.

    python -m bench.postgraphile [--seconds 10] [--rounds 3] [--concurrency 4]
                                 [--postgres-url URL]

One fresh PostgreSQL database, built through our migrations and seeded by our loader, is
served by (a) our app under uvicorn with one worker, with the response cache off (the fair
comparison: PostGraphile has none) and on, and (b) PostGraphile 4 with its defaults, as

    postgraphile -c postgres://…/DB -s public --host 127.0.0.1 --port PORT

(the `npx postgraphile@4 -c postgres://… -s public` of the issue, installed and pinned in
bench/postgraphile/ with `npm ci`). Node runs it single-threaded, our uvicorn has one worker,
so both use one core for the application. Both answer the same nested query in their own
schema (engines → support → matrix column → techniques → citations → papers → authors); the
benchmark first checks that both return the same facts, as a multiset of flattened rows.

Load comes from autocannon (also pinned in bench/postgraphile/) at the same concurrency, in
rounds that alternate which server goes first; the report gives median requests per second.
Everything listens on 127.0.0.1 and stops by itself.
"""

import argparse
import json
import shutil
import socket
import statistics
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import sqlalchemy as sa

from bench.databases import seeded_database
from bench.graphql_whole_graph import QUERY as OUR_QUERY
from bench.loadgen import autocannon, peer_process
from tests.live_server import LiveServer

HERE = Path(__file__).resolve().parent / "postgraphile"
POSTGRAPHILE_BIN = HERE / "node_modules" / ".bin" / "postgraphile"
READY_TIMEOUT = 60.0

# The same walk in PostGraphile's generated schema (one field per foreign key).
POSTGRAPHILE_QUERY = """
{
  allEngines {
    nodes {
      name
      featureSupportsByEngineId(orderBy: [FEATURE_ID_ASC, ID_ASC]) {
        nodes {
          status
          optimizationFeatureByFeatureId {
            name
            featureMembersByFeatureId {
              nodes {
                techniqueByTechniqueId {
                  name
                  techniqueCitationsByTechniqueId(orderBy: [SOURCE_ID_ASC, POSITION_ASC]) {
                    nodes {
                      label
                      paperByPaperId {
                        title
                        paperAuthorsByPaperId(orderBy: POSITION_ASC) {
                          nodes { authorByAuthorId { name } }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
"""


@dataclass(frozen=True)
class Server:
    name: str
    url: str
    body: str
    """The JSON request body (the query in this server's schema)."""


@dataclass(frozen=True)
class Comparison:
    rps: dict[str, float]
    """Median requests per second by server name."""
    rounds: dict[str, list[float]]
    response_bytes: dict[str, int]
    facts: int
    """Flattened (engine, fact, technique, citation, author) rows both returned."""
    concurrency: int
    seconds: float
    command: str


def ours_facts(data: dict[str, Any]) -> Counter[tuple[Any, ...]]:
    rows: Counter[tuple[Any, ...]] = Counter()
    for engine in data["engines"]["nodes"]:
        for fact in engine["featureSupport"]["nodes"]:
            feature = fact["feature"]
            rows[(engine["name"], fact["status"].lower(), feature["name"])] += 1
            for technique in feature["techniques"]:
                for citation in technique["citations"]["nodes"]:
                    paper = citation["paper"]
                    authors = tuple(a["name"] for a in paper["authors"]["nodes"])
                    key = (engine["name"], feature["name"], technique["name"], citation["label"])
                    rows[(*key, paper["title"], authors)] += 1
    return rows


def postgraphile_facts(data: dict[str, Any]) -> Counter[tuple[Any, ...]]:
    rows: Counter[tuple[Any, ...]] = Counter()
    for engine in data["allEngines"]["nodes"]:
        for fact in engine["featureSupportsByEngineId"]["nodes"]:
            feature = fact["optimizationFeatureByFeatureId"]
            rows[(engine["name"], fact["status"].lower(), feature["name"])] += 1
            for member in feature["featureMembersByFeatureId"]["nodes"]:
                technique = member["techniqueByTechniqueId"]
                for citation in technique["techniqueCitationsByTechniqueId"]["nodes"]:
                    paper = citation["paperByPaperId"]
                    authors = tuple(
                        a["authorByAuthorId"]["name"]
                        for a in paper["paperAuthorsByPaperId"]["nodes"]
                    )
                    key = (engine["name"], feature["name"], technique["name"], citation["label"])
                    rows[(*key, paper["title"], authors)] += 1
    return rows


def fetch(server: Server) -> tuple[dict[str, Any], int]:
    response = httpx2.post(
        server.url, content=server.body, headers={"content-type": "application/json"}, timeout=60
    )
    payload = response.json()
    assert response.status_code == 200 and "errors" not in payload, str(payload)[:500]
    return payload["data"], len(response.content)


def load(server: Server, seconds: float, concurrency: int, folder: Path) -> float:
    """Requests per second answered with 200 by `server` under autocannon."""
    body_file = folder / f"{server.name.replace(' ', '_')}.json"
    body_file.write_text(server.body)
    return autocannon(server.url, seconds, concurrency, body_file=body_file, label=server.name).rps


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgraphile(database_url: str, log: Path) -> Iterator[tuple[str, str]]:
    """PostGraphile 4 with its defaults on a free loopback port: (GraphQL URL, command)."""
    if not POSTGRAPHILE_BIN.exists():
        raise RuntimeError(f"PostGraphile is not installed: run `npm ci` in {HERE}")
    port = _free_port()
    libpq_url = sa.make_url(database_url).set(drivername="postgres")
    command = [
        str(POSTGRAPHILE_BIN),
        "-c",
        libpq_url.render_as_string(hide_password=False),
        "-s",
        "public",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    url = f"http://127.0.0.1:{port}/graphql"

    def ready() -> None:
        httpx2.post(url, json={"query": "{ __typename }"}, timeout=2).raise_for_status()

    with peer_process("PostGraphile", command, log, ready, READY_TIMEOUT):
        yield url, " ".join(command).replace(str(POSTGRAPHILE_BIN), "postgraphile")


def run(
    seconds: float = 10,
    rounds: int = 3,
    concurrency: int = 4,
    *,
    postgres_url: str | None = None,
    with_cache: bool = True,
) -> Comparison:
    if shutil.which("node") is None:
        raise RuntimeError("node is not installed")
    ours_body = json.dumps({"query": OUR_QUERY})
    theirs_body = json.dumps({"query": POSTGRAPHILE_QUERY})
    with (
        tempfile.TemporaryDirectory() as tmp,
        seeded_database("postgresql", Path(tmp), "postgraphile", postgres_url) as url,
    ):
        folder = Path(tmp)
        log = folder / "servers.log"
        servers: list[Server] = []
        ours_off = LiveServer(url, log, {"INFERGRAPH_RESPONSE_CACHE_BYTES": "0"})
        ours_on = LiveServer(url, log) if with_cache else None
        with postgraphile(url, log) as (theirs_url, command):
            for live in (ours_off, ours_on):
                if live is not None:
                    live.start()
            try:
                servers.append(Server("ours, cache off", f"{ours_off.base_url}/graphql", ours_body))
                servers.append(Server("PostGraphile 4", theirs_url, theirs_body))
                if ours_on is not None:
                    servers.append(
                        Server("ours, cache on", f"{ours_on.base_url}/graphql", ours_body)
                    )
                ours_data, ours_bytes = fetch(servers[0])
                theirs_data, theirs_bytes = fetch(servers[1])
                ours_rows, theirs_rows = ours_facts(ours_data), postgraphile_facts(theirs_data)
                if ours_rows != theirs_rows:
                    missing = list((theirs_rows - ours_rows).items())[:3]
                    extra = list((ours_rows - theirs_rows).items())[:3]
                    raise AssertionError(
                        f"the servers disagree: only PostGraphile {missing}; only ours {extra}"
                    )
                sizes = {servers[0].name: ours_bytes, servers[1].name: theirs_bytes}
                samples: dict[str, list[float]] = {s.name: [] for s in servers}
                for index in range(rounds):
                    # Alternate who goes first, so drift on a shared machine hits both alike.
                    order = servers if index % 2 == 0 else list(reversed(servers))
                    for server in order:
                        samples[server.name].append(load(server, seconds, concurrency, folder))
            finally:
                for live in (ours_off, ours_on):
                    if live is not None:
                        live.kill()
    return Comparison(
        {name: statistics.median(values) for name, values in samples.items()},
        samples,
        sizes,
        sum(ours_rows.values()),
        concurrency,
        seconds,
        command,
    )


def markdown(result: Comparison) -> str:
    lines = [
        "| server | req/s (median) | rounds | response bytes |",
        "| --- | --- | --- | --- |",
    ]
    for name, rps in result.rps.items():
        rounds = ", ".join(f"{v:.1f}" for v in result.rounds[name])
        size = result.response_bytes.get(name, result.response_bytes.get("ours, cache off", 0))
        lines.append(f"| {name} | {rps:.1f} | {rounds} | {size:,} |")
    lines += [
        "",
        f"autocannon, {result.concurrency} connections, {result.seconds:g} s per round; "
        f"both returned the same {result.facts:,} flattened rows.",
        f"PostGraphile command: `{result.command}`",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--postgres-url", help="server to create the database on")
    parser.add_argument("--no-cache-run", action="store_true", help="skip ours with cache on")
    args = parser.parse_args()
    result = run(
        args.seconds,
        args.rounds,
        args.concurrency,
        postgres_url=args.postgres_url,
        with_cache=not args.no_cache_run,
    )
    print(markdown(result))


if __name__ == "__main__":
    main()
