"""The first broad count after a write: the seeded survey vs. the 100,000-paper graph.

    python -m bench.count_after_write [--backend sqlite|postgresql|both] [--repeat 9]
                                      [--factor 1.0] [--postgres-url URL]

The same two graphs as `bench.scale` (the survey; the survey grown by `bench/scale_data.py`),
each served in-process with the response cache off. A round commits one write from another
connection, as another process would, then times the first request of a filtered paper
list, on both graphs alternately; wall time and this process's CPU time (the server runs in
it; PostgreSQL's own CPU is not in it). The filter of the target is `category:quantization`
(40,586 of the 100,000 papers match, so its count is the cost that grows with the graph);
the year, technique and combined filters beside it show which other counts a write costs.
Three kinds of write:

* to a table no paper count reads (an engine's row): counts are keyed by the versions of
  the tables they read (`api/services/count_cache.py`), so they stay valid;
* to a paper: counts that read `paper` are made again; a category filter alone is counted
  from `category_paper` (`api/membership_schema.py`), which the write leaves alone;
* a citation by a technique of the category: `category_paper` is written, so the category's
  count is made again, from that table's index.

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
QUERIES = {
    "category:quantization": BROAD,
    # The other filters a count can be broad or combined with: each reads `paper`, so a
    # paper write makes it count again.
    "category:quantization,year_from:2020": (
        "/api/v1/papers?filter=category:quantization,year_from:2020"
    ),
    "year_from:2023,year_to:2023": "/api/v1/papers?filter=year_from:2023,year_to:2023",
    "technique:paged-attention": "/api/v1/papers?filter=technique:paged-attention",
}
WRITES = {
    "an engine (a table the count does not read)": (
        "UPDATE engine SET github_stars = github_stars WHERE id = (SELECT min(id) FROM engine)"
    ),
    "a paper (the count read it before category_paper)": (
        "UPDATE paper SET title = title WHERE id = (SELECT min(id) FROM paper)"
    ),
    # A new citation by one of the category's techniques: `category_paper` is written (its
    # triggers), so the count is made again, from that table.
    "a citation by a quantization technique (category_paper written)": (
        "INSERT INTO technique_citation (technique_id, paper_id, position, label, url,"
        " source_id) SELECT t.id, (SELECT max(id) FROM paper),"
        " (SELECT max(position) + 1 FROM technique_citation), 'bench', 'https://example.org',"
        " (SELECT min(id) FROM source) FROM technique t JOIN technique_category c"
        " ON c.id = t.category_id WHERE c.slug = 'quantization' ORDER BY t.id LIMIT 1"
    ),
}


@dataclass(frozen=True)
class Row:
    backend: str
    write: str
    query: str
    survey_ms: float
    scale_ms: float
    survey_cpu_ms: float
    scale_cpu_ms: float

    @property
    def ratio(self) -> float:
        return self.scale_ms / self.survey_ms


def _first_after_write(
    graph: Graph, writer: sa.Engine, write: str, url: str
) -> tuple[float, float]:
    """Wall and CPU milliseconds of the first request after `write`."""
    with writer.begin() as connection:
        connection.execute(sa.text(write))
    began, cpu = time.perf_counter(), time.process_time()
    graph.send(("GET", url, None))
    return (time.perf_counter() - began) * 1000, (time.process_time() - cpu) * 1000


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
            for url in QUERIES.values():
                graph.send(("GET", url, None))
        rows = []
        for name, write in WRITES.items():
            for query, url in QUERIES.items():
                samples: list[list[tuple[float, float]]] = [[], []]
                for _ in range(repeat):
                    for index, (graph, writer) in enumerate(sides):
                        samples[index].append(_first_after_write(graph, writer, write, url))
                survey, scale = (statistics.median(w for w, _ in s) for s in samples)
                survey_cpu, scale_cpu = (statistics.median(c for _, c in s) for s in samples)
                rows.append(Row(backend, name, query, survey, scale, survey_cpu, scale_cpu))
        for _, writer in sides:
            writer.dispose()
    return rows


def markdown(rows: list[Row]) -> str:
    lines = [
        "| backend | write before the request | filter | survey p50 | 100k graph p50 | ratio "
        "| target | CPU survey / 100k |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        verdict = "met" if row.ratio <= TARGET else "missed"
        lines.append(
            f"| {row.backend} | {row.write} | `{row.query}` | {row.survey_ms:.1f} ms "
            f"| {row.scale_ms:.1f} ms "
            f"| {row.ratio:.2f}x | <= {TARGET}x {verdict} "
            f"| {row.survey_cpu_ms:.1f} / {row.scale_cpu_ms:.1f} ms |"
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
