"""Whole-graph GraphQL query vs. the practical limit: hand-written SQL + orjson.

Both sides produce the same JSON (checked before timing). They run interleaved in one process
on one database, repeated, and the report gives medians and their ratio: absolute times on a
shared machine mean little, the ratio is what the target (GraphQL <= 1.5x the limit since
issue 21; 4x before) is about. CPU time of this process is reported beside wall time: the
machine is shared, and CPU is what another core's load does not inflate (PostgreSQL's own
work runs in its server process and is in neither side's CPU time).

    python -m bench.graphql_whole_graph [--database-url URL] [--repeat N]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import orjson
import sqlalchemy as sa

from api.db import create_db_engine
from api.graphql.executor import PlannedExecutor
from api.graphql.http import JSON, GraphQLEndpoint, GraphQLParams, encode
from api.graphql.limits import Limits
from api.graphql.schema import graphql_schema, schema
from seed.loader import seed_database

QUERY = """
{
  engines(first: 100) {
    nodes {
      name
      featureSupport(first: 500) {
        nodes {
          status
          feature {
            name
            techniques {
              name
              citations(first: 500) {
                nodes {
                  label
                  paper { title authors(first: 500) { nodes { name } } }
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


def graphql_json(endpoint: GraphQLEndpoint) -> bytes:
    params = GraphQLParams(QUERY, None, None)
    status, body = endpoint.run(params, "POST", JSON)
    assert status == 200 and "errors" not in body, body
    del body["extensions"]  # the cost report, which the hand-written side has no word for
    return encode(body)  # the HTTP layer's encoding


def hand_written_json(engine: sa.Engine) -> bytes:
    """The same document from seven plain SQL queries and dictionaries."""
    with engine.connect() as db:
        engines = db.execute(
            sa.text("SELECT id, name FROM engine ORDER BY lower(name), id LIMIT 100")
        ).all()
        ids = [e.id for e in engines]
        facts: dict[int, list[Any]] = defaultdict(list)
        for row in db.execute(
            sa.text(
                "SELECT engine_id, status, feature_id FROM feature_support"
                " WHERE engine_id IN :ids ORDER BY feature_id, id"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": ids},
        ):
            facts[row.engine_id].append(row)
        features: dict[int, str] = dict(
            db.execute(sa.text("SELECT id, name FROM optimization_feature")).all()
        )
        members: dict[int, list[Any]] = defaultdict(list)
        for row in db.execute(
            sa.text(
                "SELECT m.feature_id, t.id, t.name FROM feature_member m"
                " JOIN technique t ON t.id = m.technique_id ORDER BY t.category_id, t.position"
            )
        ):
            members[row.feature_id].append(row)
        citations: dict[int, list[Any]] = defaultdict(list)
        for row in db.execute(
            sa.text(
                "SELECT technique_id, label, paper_id FROM technique_citation"
                " ORDER BY source_id, position"
            )
        ):
            citations[row.technique_id].append(row)
        titles: dict[int, str] = dict(db.execute(sa.text("SELECT id, title FROM paper")).all())
        authors: dict[int, list[dict[str, str]]] = defaultdict(list)
        for row in db.execute(
            sa.text(
                "SELECT pa.paper_id, a.name FROM paper_author pa"
                " JOIN author a ON a.id = pa.author_id ORDER BY pa.paper_id, pa.position"
            )
        ):
            authors[row.paper_id].append({"name": row.name})
    document = {
        "data": {
            "engines": {
                "nodes": [
                    {
                        "name": e.name,
                        "featureSupport": {
                            "nodes": [
                                {
                                    "status": f.status.upper(),
                                    "feature": {
                                        "name": features[f.feature_id],
                                        "techniques": [
                                            {
                                                "name": t.name,
                                                "citations": {
                                                    "nodes": [
                                                        {
                                                            "label": c.label,
                                                            "paper": {
                                                                "title": titles[c.paper_id],
                                                                "authors": {
                                                                    "nodes": authors[c.paper_id]
                                                                },
                                                            },
                                                        }
                                                        for c in citations[t.id]
                                                    ]
                                                },
                                            }
                                            for t in members[f.feature_id]
                                        ],
                                    },
                                }
                                for f in facts[e.id]
                            ]
                        },
                    }
                    for e in engines
                ]
            }
        }
    }
    return orjson.dumps(document)


TARGET = 1.5
"""GraphQL at most this many times the limit (issue 21)."""


class Medians(NamedTuple):
    graphql: float
    limit: float
    size: int
    graphql_cpu: float
    limit_cpu: float


def timed(function: Callable[[], bytes]) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    start, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - start, time.process_time() - cpu


def measure(engine: sa.Engine, repeat: int) -> Medians:
    """Median seconds (wall and CPU) of GraphQL and of the limit, interleaved, and the
    response size."""
    # The whole graph in one query is what the HTTP cost budget refuses (its static cost is
    # ~10^13 objects for 648 KB of answer); the executor is measured here, so the budget is
    # lifted. The cost is still computed, once per document, as over HTTP.
    unbudgeted = Limits(max_cost=sys.maxsize, max_response_bytes=sys.maxsize)
    endpoint = GraphQLEndpoint(graphql_schema, engine, unbudgeted, PlannedExecutor(schema))
    ours, limit = graphql_json(endpoint), hand_written_json(engine)
    assert json.loads(ours) == json.loads(limit), "the two sides must produce the same JSON"
    graphql_times, limit_times = [], []
    for _ in range(repeat):
        graphql_times.append(timed(lambda: graphql_json(endpoint)))
        limit_times.append(timed(lambda: hand_written_json(engine)))
    return Medians(
        statistics.median(wall for wall, _ in graphql_times),
        statistics.median(wall for wall, _ in limit_times),
        len(ours),
        statistics.median(cpu for _, cpu in graphql_times),
        statistics.median(cpu for _, cpu in limit_times),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a seeded database (default: a new SQLite file)")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = create_db_engine(url)
        if args.database_url is None:
            seed_database(engine)
        found = measure(engine, args.repeat)
        load = " ".join(f"{average:.2f}" for average in os.getloadavg())
        print(
            f"database: {engine.dialect.name}; response: {found.size:,} bytes; "
            f"runs: {args.repeat}; load average: {load}"
        )
        print(
            f"GraphQL whole graph: median {found.graphql * 1000:.1f} ms "
            f"(CPU {found.graphql_cpu * 1000:.1f} ms)"
        )
        print(
            f"hand-written SQL + orjson: median {found.limit * 1000:.1f} ms "
            f"(CPU {found.limit_cpu * 1000:.1f} ms)"
        )
        print(
            f"ratio: {found.graphql / found.limit:.2f}x wall, "
            f"{found.graphql_cpu / found.limit_cpu:.2f}x CPU (target <= {TARGET}x)"
        )


if __name__ == "__main__":
    main()
