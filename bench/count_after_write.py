"""The first broad count after a write: the seeded survey vs. the 100,000-paper graph.

    python -m bench.count_after_write [--backend sqlite|postgresql|both] [--repeat 9]
                                      [--factor 1.0] [--postgres-url URL]

The same two graphs as `bench.scale` (the survey; the survey grown by `bench/scale_data.py`),
each served in-process with the response cache off. A round commits one write from another
connection, as another process would, then times the first `GET /papers?filter=category:
quantization` (40,586 of the 100,000 papers match, so its count is the cost that grows with
the graph), on both graphs alternately. Two kinds of write:

* to a table the count does not read (an engine's row): since counts are keyed by the
  versions of the tables they read (`api/services/count_cache.py`), the count stays valid;
* to a paper: the count is made again.

Target: the first request after a write within 1.5x of the survey's.
"""

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from api.db import create_db_engine
from bench.databases import fresh_database, seeded_database
from bench.scale import Graph, vacuum
from bench.scale_data import ScaleSize, build_scale_graph

TARGET = 1.5
BROAD = "/api/v1/papers?filter=category:quantization"
WRITES = {
    "an engine (a table the count does not read)": (
        "UPDATE engine SET github_stars = github_stars WHERE id = (SELECT min(id) FROM engine)"
    ),
    "a paper (a table the count reads)": (
        "UPDATE paper SET title = title WHERE id = (SELECT min(id) FROM paper)"
    ),
}


@dataclass(frozen=True)
class Row:
    backend: str
    write: str
    survey_ms: float
    scale_ms: float

    @property
    def ratio(self) -> float:
        return self.scale_ms / self.survey_ms


def _first_after_write(graph: Graph, writer: sa.Engine, write: str) -> float:
    with writer.begin() as connection:
        connection.execute(sa.text(write))
    began = time.perf_counter()
    graph.send(("GET", BROAD, None))
    return (time.perf_counter() - began) * 1000


def run(backend: str, repeat: int, factor: float, postgres_url: str | None) -> list[Row]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        seeded_database(backend, Path(tmp), "survey", postgres_url) as survey_url,
        fresh_database(backend, Path(tmp), "scale", postgres_url) as scale_url,
    ):
        scale_engine = create_db_engine(scale_url)
        build_scale_graph(scale_engine, ScaleSize().scaled(factor))
        scale_engine.dispose()
        vacuum(survey_url)
        vacuum(scale_url)
        sides = [
            (Graph(survey_url), create_db_engine(survey_url)),
            (Graph(scale_url), create_db_engine(scale_url)),
        ]
        for graph, _ in sides:  # warm-up: plans, caches, lazy imports
            graph.send(("GET", BROAD, None))
        rows = []
        for name, write in WRITES.items():
            samples: list[list[float]] = [[], []]
            for _ in range(repeat):
                for index, (graph, writer) in enumerate(sides):
                    samples[index].append(_first_after_write(graph, writer, write))
            survey, scale = (statistics.median(s) for s in samples)
            rows.append(Row(backend, name, survey, scale))
        for _, writer in sides:
            writer.dispose()
    return rows


def markdown(rows: list[Row]) -> str:
    lines = [
        "| backend | write before the request | survey p50 | 100k graph p50 | ratio | target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        verdict = "met" if row.ratio <= TARGET else "missed"
        lines.append(
            f"| {row.backend} | {row.write} | {row.survey_ms:.1f} ms | {row.scale_ms:.1f} ms "
            f"| {row.ratio:.2f}x | <= {TARGET}x {verdict} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--factor", type=float, default=1.0)
    parser.add_argument("--postgres-url", default=None)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    rows = []
    for backend in backends:
        rows += run(backend, args.repeat, args.factor, args.postgres_url)
    print(markdown(rows))


if __name__ == "__main__":
    main()
