"""Our REST lists and details vs. Datasette 0.65.5 on copies of one SQLite file.

    python -m bench.datasette [--papers 7158] [--seconds 10] [--rounds 5] [--connections 8 32]

The graph is the seeded survey plus generated BibTeX (`bench.exports.build_graph`: 7,158
works, 7,246 papers in all), written to one SQLite file; Datasette serves a byte copy of it.
Datasette runs from its own virtual environment so that its pins never meet ours:

    python3 -m venv bench/datasette/.venv
    bench/datasette/.venv/bin/pip install -r bench/datasette/requirements.txt

and is started as `datasette serve COPY --setting suggest_facets off`: facet suggestions are
a browsing aid of its HTML tables that also runs for JSON (several extra queries per page);
an API client turns them off. Our server runs under uvicorn, one process, response cache off
(Datasette has none), so both do the work on every request.

Three questions, each asked of both in its own dialect (the request pairs are in
`QUESTIONS`): a page of 100 papers sorted by key; the papers of one year at one venue; one
paper. Before any load the benchmark checks that both answer with the same papers (keys
and the shared fields). Load comes from autocannon at each connection count, in rounds that
alternate who goes first; reported: median req/s per side, the ratio, and the CPU time the
server process spent per request (from /proc), which a shared machine's load disturbs less.
"""

import argparse
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from api.db import create_db_engine
from bench.exports import build_graph
from bench.loadgen import Load, autocannon, peer_process
from tests.live_server import LiveServer, free_port

HERE = Path(__file__).resolve().parent / "datasette"
DATASETTE_BIN = HERE / ".venv" / "bin" / "datasette"
READY_TIMEOUT = 60.0
SHARED_FIELDS = ("title", "year", "venue", "doi", "arxiv_id", "url")
ONE_PAPER = "agrawal2024taming"
VENUE = "Proceedings of the 39th Example Conference"


@dataclass(frozen=True)
class Question:
    name: str
    ours: str
    theirs: str


def questions(paper_id: int) -> tuple[Question, ...]:
    venue = VENUE.replace(" ", "+")
    return (
        Question(
            "100 papers by key",
            "/api/v1/papers?sort=key&per_page=100",
            "/graph/paper.json?_sort=bibtex_key&_size=100&_shape=objects",
        ),
        Question(
            "papers of 2023 at one venue",
            f"/api/v1/papers?sort=key&filter=year_from:2023,year_to:2023,venue:{venue}",
            f"/graph/paper.json?_sort=bibtex_key&year=2023&venue__contains={venue}&_shape=objects",
        ),
        Question(
            "one paper",
            f"/api/v1/papers/{ONE_PAPER}",
            f"/graph/paper/{paper_id}.json?_shape=objects",
        ),
    )


def _ours_rows(body: Any) -> list[dict[str, Any]]:
    items = body.get("results", [body])
    return [{"key": item["key"], **{f: item[f] for f in SHARED_FIELDS}} for item in items]


def _their_rows(body: Any) -> list[dict[str, Any]]:
    return [
        {"key": row["bibtex_key"], **{f: row[f] for f in SHARED_FIELDS}} for row in body["rows"]
    ]


def check_same_rows(ours_url: str, theirs_url: str, question: Question) -> int:
    ours = _ours_rows(httpx2.get(ours_url + question.ours, timeout=30).raise_for_status().json())
    theirs = _their_rows(
        httpx2.get(theirs_url + question.theirs, timeout=30).raise_for_status().json()
    )
    if ours != theirs:
        raise AssertionError(
            f"{question.name}: the servers disagree: ours {ours[:2]}, theirs {theirs[:2]}"
        )
    if not ours:
        raise AssertionError(
            f"{question.name}: both answered with no rows; the question tests nothing"
        )
    return len(ours)


@contextmanager
def datasette(database: Path, log: Path) -> Iterator[tuple[str, int]]:
    """Datasette on a free loopback port: (base URL, process id)."""
    if not DATASETTE_BIN.exists():
        raise RuntimeError(f"Datasette is not installed: see the docstring of {__name__}")
    port = free_port()
    command = [str(DATASETTE_BIN), "serve", str(database), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--setting", "suggest_facets", "off"]
    url = f"http://127.0.0.1:{port}"

    def ready() -> None:
        httpx2.get(f"{url}/-/versions.json", timeout=2).raise_for_status()

    with peer_process("Datasette", command, log, ready) as process:
        yield url, process.pid


@dataclass
class Result:
    question: Question
    connections: int
    rows: int
    ours: list[Load]
    theirs: list[Load]

    @staticmethod
    def _median(loads: list[Load], cpu: bool = False) -> float:
        values = [(x.cpu_ms_per_request or 0.0) if cpu else x.rps for x in loads]
        return statistics.median(values)

    @property
    def ratio(self) -> float:
        return self._median(self.ours) / self._median(self.theirs)

    def line(self) -> str:
        ours, theirs = self._median(self.ours), self._median(self.theirs)
        return (
            f"| {self.question.name} | {self.connections} | {self.rows} | {ours:.1f} | "
            f"{theirs:.1f} | **{ours / theirs:.2f}×** | {self._median(self.ours, True):.2f} | "
            f"{self._median(self.theirs, True):.2f} |"
        )


def run(papers: int, seconds: float, rounds: int, connections: list[int]) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ours_file, theirs_file = folder / "graph.db", folder / "copy" / "graph.db"
        engine = create_db_engine(f"sqlite:///{ours_file}")
        print(build_graph(engine, papers, folder))
        with engine.connect() as connection:
            paper_id = connection.exec_driver_sql(
                "SELECT id FROM paper WHERE bibtex_key = ?", (ONE_PAPER,)
            ).scalar_one()
        engine.dispose()
        theirs_file.parent.mkdir()
        shutil.copyfile(ours_file, theirs_file)
        log = folder / "servers.log"
        ours = LiveServer(f"sqlite:///{ours_file}", log, {"INFERGRAPH_RESPONSE_CACHE_BYTES": "0"})
        with datasette(theirs_file, log) as (theirs_url, theirs_pid):
            ours.start()
            try:
                for question in questions(paper_id):
                    rows = check_same_rows(ours.base_url, theirs_url, question)
                    for count in connections:
                        result = Result(question, count, rows, [], [])
                        for index in range(rounds):
                            sides = [("ours", ours.base_url + question.ours, ours.pid)]
                            sides.append(("theirs", theirs_url + question.theirs, theirs_pid))
                            for side, url, pid in sides if index % 2 == 0 else sides[::-1]:
                                load = autocannon(url, seconds, count, server_pid=pid, label=side)
                                (result.ours if side == "ours" else result.theirs).append(load)
                        print(result.line(), flush=True)
                        results.append(result)
            finally:
                ours.kill()
    return results


def markdown(results: list[Result], seconds: float, rounds: int) -> str:
    lines = [
        "| question | connections | rows | ours req/s | Datasette req/s | ours / Datasette "
        "| ours CPU ms/req | Datasette CPU ms/req |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        *(r.line() for r in results),
        "",
        f"Medians of {rounds} interleaved rounds of {seconds:g} s each (autocannon); both sides "
        "returned the same papers for every question.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=7158, help="generated works to add")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, nargs="+", default=[8, 32])
    args = parser.parse_args()
    results = run(args.papers, args.seconds, args.rounds, args.connections)
    print(markdown(results, args.seconds, args.rounds))


if __name__ == "__main__":
    main()
