"""Read path at scale: the same requests on the seeded survey and on a 100,000-paper graph.

    python -m bench.scale [--backend sqlite|postgresql|both] [--repeat 15] [--factor 1.0]
                          [--postgres-url URL] [--skip-memory]

Two fresh databases per backend, both built through the migrations and the seed loader: the
survey alone, and the survey grown by `bench/scale_data.py` to 100,000 papers, 1,000,000
citation links and 200 engines. The app runs in-process (response cache off, so every request
reaches the database) and each request is timed on both graphs alternately; the report gives
the median of each and the ratio scale / survey (target <= 1.5x).

The deep cursor page is page 150 of the paper list (50 per page), reached by following
`next_cursor`; the survey has only two pages, so its side is its second (cursor) page.

Memory: a uvicorn server on a 10,000-paper and on the 100,000-paper SQLite graph streams
whole exports (BibTeX, CSV, JSON-LD of the graph); the server's peak resident memory
(VmHWM) before and after shows whether memory grows with the export.
"""

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.db import create_db_engine
from bench.databases import fresh_database, seeded_database
from bench.scale_data import ScaleSize, build_scale_graph
from tests.live_server import LiveServer

DEEP_PAGE = 150
PER_PAGE = 50
TARGET = 1.5
NO_EXPORT_LIMIT = "100000000"
SURVEY_ARXIV_ID = "2309.06180"  # PagedAttention (vLLM), in the survey's references
PAPERS_QUERY = """query($after: String, $filter: PaperFilterInput) {
  papers(first: 50, after: $after, filter: $filter) {
    nodes { id title year venue authors(first: 10) { nodes { name } } }
    pageInfo { endCursor hasNextPage }
  }
}"""


@dataclass(frozen=True)
class Timing:
    name: str
    survey_ms: float
    scale_ms: float

    @property
    def ratio(self) -> float:
        return self.scale_ms / self.survey_ms


@dataclass(frozen=True)
class ExportMemory:
    export: str
    papers: int
    bytes_sent: int
    rss_before_mib: float
    peak_rss_mib: float


@dataclass
class ScaleResult:
    backend: str
    counts: dict[str, int]
    build_seconds: float
    timings: list[Timing]
    memory: list[ExportMemory]


# A request against one graph: returns (method, path, JSON body or None).
Request = tuple[str, str, dict[str, Any] | None]


class Graph:
    """One database served in-process, with the values its requests need looked up once."""

    def __init__(self, url: str) -> None:
        settings = Settings(
            database_url=url, response_cache_bytes=0, max_export_rows=int(NO_EXPORT_LIMIT)
        )
        self.client = TestClient(create_app(settings))
        paper = self.graphql(f'{{ paper(arxivId: "{SURVEY_ARXIV_ID}") {{ id bibtexKey }} }}')
        self.paper_node_id: str = paper["paper"]["id"]
        self.paper_key: str = paper["paper"]["bibtexKey"]
        self.deep_rest_cursor = self._rest_cursor_at(DEEP_PAGE)
        self.deep_graphql_cursor = self._graphql_cursor_at(DEEP_PAGE)

    def send(self, request: Request) -> int:
        method, path, body = request
        response = self.client.request(method, path, json=body)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        if body is not None:
            assert "errors" not in response.json(), response.text[:300]
        return len(response.content)

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = self.client.post("/graphql", json={"query": query, "variables": variables})
        payload = response.json()
        assert response.status_code == 200 and "errors" not in payload, payload
        return payload["data"]

    def _rest_cursor_at(self, page: int) -> str:
        """Cursor of page `page` (1-based), or of the last page when the list is shorter."""
        cursor, path = "", f"/api/v1/papers?per_page={PER_PAGE}"
        for _ in range(page - 1):
            meta = self.client.get(path + (f"&cursor={cursor}" if cursor else "")).json()["meta"]
            if meta["next_cursor"] is None:
                break
            cursor = meta["next_cursor"]
        return cursor

    def _graphql_cursor_at(self, page: int) -> str | None:
        cursor: str | None = None
        for _ in range(page - 1):
            info = self.graphql(PAPERS_QUERY, {"after": cursor})["papers"]["pageInfo"]
            if not info["hasNextPage"]:
                break
            cursor = info["endCursor"]
        return cursor


def requests() -> list[tuple[str, Callable[[Graph], Request]]]:
    """(name, request builder) of every timed request; the builder may use graph lookups."""

    def gql(query: str, **variables: Any) -> Request:
        return ("POST", "/graphql", {"query": query, "variables": variables})

    return [
        ("REST papers, first page", lambda g: ("GET", "/api/v1/papers", None)),
        ("GraphQL papers, first page", lambda g: gql(PAPERS_QUERY)),
        (
            f"REST papers, cursor page {DEEP_PAGE}",
            lambda g: ("GET", f"/api/v1/papers?cursor={g.deep_rest_cursor}", None),
        ),
        (
            f"GraphQL papers, cursor page {DEEP_PAGE}",
            lambda g: gql(PAPERS_QUERY, after=g.deep_graphql_cursor),
        ),
        (
            "REST papers filtered by year",
            lambda g: ("GET", "/api/v1/papers?filter=year_from:2023,year_to:2023", None),
        ),
        (
            "REST papers filtered by technique",
            lambda g: ("GET", "/api/v1/papers?filter=technique:paged-attention", None),
        ),
        (
            "GraphQL papers filtered by year",
            lambda g: gql(PAPERS_QUERY, filter={"yearFrom": 2023, "yearTo": 2023}),
        ),
        (
            "REST papers filtered by category",
            lambda g: ("GET", "/api/v1/papers?filter=category:quantization", None),
        ),
        ("REST paper by cite key", lambda g: ("GET", f"/api/v1/papers/{g.paper_key}", None)),
        (
            "GraphQL paper by arXiv id",
            lambda g: gql(f'{{ paper(arxivId: "{SURVEY_ARXIV_ID}") {{ title year }} }}'),
        ),
        ("REST engine by slug", lambda g: ("GET", "/api/v1/engines/vllm", None)),
        (
            "GraphQL engine by slug",
            lambda g: gql('{ engine(slug: "vllm") { name featureSupport { nodes { status } } } }'),
        ),
        (
            "GraphQL node(id) of a paper",
            lambda g: gql(
                "query($id: ID!) { node(id: $id) { ... on Paper { title year } } }",
                id=g.paper_node_id,
            ),
        ),
    ]


def time_requests(survey: Graph, scale: Graph, repeat: int) -> list[Timing]:
    """Each request on both graphs alternately, `repeat` times; medians in milliseconds."""
    built = [(name, build(survey), build(scale)) for name, build in requests()]
    for _, on_survey, on_scale in built:  # warm-up: plans, caches, lazy imports
        survey.send(on_survey)
        scale.send(on_scale)
    samples: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n, _, _ in built}
    for _ in range(repeat):
        for name, on_survey, on_scale in built:
            for graph, request, bucket in (
                (survey, on_survey, samples[name][0]),
                (scale, on_scale, samples[name][1]),
            ):
                began = time.perf_counter()
                graph.send(request)
                bucket.append((time.perf_counter() - began) * 1000)
    return [
        Timing(name, statistics.median(samples[name][0]), statistics.median(samples[name][1]))
        for name, _, _ in built
    ]


def vacuum(url: str) -> None:
    """Statistics and visibility maps as autovacuum would leave them after a bulk load."""
    engine = create_db_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("VACUUM ANALYZE" if "postgresql" in url else "ANALYZE"))
    engine.dispose()


def run(
    backend: str,
    *,
    repeat: int = 15,
    factor: float = 1.0,
    postgres_url: str | None = None,
    memory: bool = True,
) -> ScaleResult:
    size = ScaleSize().scaled(factor)
    with (
        tempfile.TemporaryDirectory() as tmp,
        seeded_database(backend, Path(tmp), "survey", postgres_url) as survey_url,
        fresh_database(backend, Path(tmp), "scale", postgres_url) as scale_url,
    ):
        began = time.perf_counter()
        scale_engine = create_db_engine(scale_url)
        counts = build_scale_graph(scale_engine, size)
        scale_engine.dispose()
        build_seconds = time.perf_counter() - began
        vacuum(survey_url)
        vacuum(scale_url)
        timings = time_requests(Graph(survey_url), Graph(scale_url), repeat)
        exports: list[ExportMemory] = []
        if memory:
            small = size.scaled(0.1)
            with fresh_database(backend, Path(tmp), "small", postgres_url) as small_url:
                small_engine = create_db_engine(small_url)
                build_scale_graph(small_engine, small)
                small_engine.dispose()
                vacuum(small_url)
                for url, papers in ((small_url, small.papers), (scale_url, size.papers)):
                    exports += export_memory(url, papers, Path(tmp))
    return ScaleResult(backend, counts, build_seconds, timings, exports)


EXPORTS = {
    "papers BibTeX": "/api/v1/papers?format=bibtex",
    "papers CSV": "/api/v1/papers?format=csv",
    "graph JSON-LD": "/api/v1/graph?format=jsonld",
}


def export_memory(url: str, papers: int, folder: Path) -> list[ExportMemory]:
    """Peak RSS of a fresh server streaming each export once (read and discarded here)."""
    results = []
    for name, path in EXPORTS.items():
        server = LiveServer(
            url,
            folder / "server.log",
            {"INFERGRAPH_RESPONSE_CACHE_BYTES": "0", "INFERGRAPH_MAX_EXPORT_ROWS": NO_EXPORT_LIMIT},
        )
        server.start()
        try:
            httpx2.get(f"{server.base_url}/api/v1/papers", timeout=60).raise_for_status()
            before = _peak_rss_mib(server.pid)
            sent = 0
            with httpx2.stream("GET", server.base_url + path, timeout=600) as response:
                response.raise_for_status()
                for chunk in response.iter_bytes():
                    sent += len(chunk)
            results.append(ExportMemory(name, papers, sent, before, _peak_rss_mib(server.pid)))
        finally:
            server.kill()
    return results


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status (Linux only)")


def markdown(results: list[ScaleResult]) -> str:
    lines = [
        "| backend | request | survey p50 | 100k graph p50 | ratio | target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        for t in result.timings:
            verdict = "met" if t.ratio <= TARGET else "**missed**"
            lines.append(
                f"| {result.backend} | {t.name} | {t.survey_ms:.1f} ms | {t.scale_ms:.1f} ms"
                f" | {t.ratio:.2f}x | <= {TARGET}x {verdict} |"
            )
    for result in results:
        if result.memory:
            lines += [
                "",
                f"Export memory ({result.backend}, server peak RSS, VmHWM):",
                "",
                "| export | papers | bytes streamed | RSS before | peak RSS |",
                "| --- | --- | --- | --- | --- |",
            ]
            lines += [
                f"| {m.export} | {m.papers:,} | {m.bytes_sent:,} | {m.rss_before_mib:.0f} MiB"
                f" | {m.peak_rss_mib:.0f} MiB |"
                for m in result.memory
            ]
        lines.append("")
        lines.append(
            f"{result.backend}: graph built in {result.build_seconds:.0f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in result.counts.items())
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--factor", type=float, default=1.0, help="fraction of the full size")
    parser.add_argument("--postgres-url", help="server to create databases on")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = [
        run(
            backend,
            repeat=args.repeat,
            factor=args.factor,
            postgres_url=args.postgres_url,
            memory=not args.skip_memory,
        )
        for backend in backends
    ]
    print(markdown(results))


if __name__ == "__main__":
    main()
