"""Export time and size per format on an 8,000-paper graph, uncompressed and gzip-compressed.

    python -m bench.exports [--papers 8000] [--repeat 3] [--database-url URL]

The graph is the seeded survey plus a generated BibTeX file shaped like reference managers'
exports (every common entry type; publishers, places, editors, series, ISBNs, pages, DOIs,
arXiv ids, accented names, LaTeX escapes), ingested the way users ingest (`ingest_bibtex`).
The generated works are fictional: titles from a word list, DOIs under the 10.5555 test prefix.

Each format is produced whole by its service function (the REST routes stream the same
chunks); CSV and CSV for Excel go through the REST app in-process, as the CSV download is
assembled there. Reported per format: median time to produce the text, its size, its gzip
size (`gzip.compress`, level 6, what an HTTP server's default compression would send) with
the ratio, and the time gzip adds.
"""

import argparse
import gzip
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

import models as m
from api.app import create_app
from api.config import Settings, normalize_database_url
from api.db import create_db_engine
from api.services.exports import (
    bibtex_stream,
    csl_json_stream,
    graph_jsonld_stream,
    graphml_stream,
    ris_stream,
)
from api.services.ingest import ingest_bibtex
from seed.loader import seed_database

BASE = "http://127.0.0.1:8000"
_FAMILIES = (
    "Müller", "García", "Nguyen", "Kowalski", "Okafor", "Lindqvist", "Tanaka", "Dubois",
    "Haddad", "Silva", "Park", "Ivanova", "Rossi", "O'Neil", "Zhang", "Kumar", "Schmidt",
    "Smith", "Chen", "Novák", "Yılmaz", "Costa", "Andersen", "Kim",
)  # fmt: skip
_GIVEN = (
    "Jörg", "María", "Thi Mai", "Tomasz", "Chidi", "Åsa", "Hiroshi", "Amélie", "Yusuf",
    "João", "Ji-woo", "Elena", "Giulia", "Siobhán", "Wei", "Priya", "Anna", "John",
)  # fmt: skip
_WORDS = (
    "Paged", "Speculative", "Sparse", "Quantized", "Batched", "Fused", "Offloaded", "Cached",
    "Attention", "Decoding", "Serving", "Kernels", "Inference", "Scheduling", "Memory",
    "Prefill", "Experts", "Adapters", "Tokens", "Throughput", "Latency", "Pipelines",
)  # fmt: skip
_PUBLISHERS = ("ACM", "IEEE", "Elsevier", "Springer", "USENIX Association", "PMLR")
_PLACES = ("New York, NY, USA", "Cham", "Amsterdam", "Berkeley, CA")


def _name(rng: random.Random) -> str:
    family = rng.choice(_FAMILIES)
    latex = family.replace("ü", '{\\"u}').replace("í", "{\\'\\i}").replace("á", "{\\'a}")
    return f"{latex}, {rng.choice(_GIVEN)}"


def write_bibtex(path: Path, papers: int, seed: int = 19) -> None:
    """`papers` entries of the common types, deterministic for a seed."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for n in range(papers):
            kind = rng.choices(
                ("inproceedings", "misc", "article", "book", "incollection", "techreport"),
                weights=(45, 25, 18, 4, 4, 4),
            )[0]
            words = rng.sample(_WORDS, 5)
            title = f"{{{words[0]}}}: {' '.join(words[1:])} for {{LLM}} Serving, Part {n}"
            authors = " and ".join(_name(rng) for _ in range(rng.randint(1, 9)))
            year = rng.randint(2015, 2025)
            fields = {"title": title, "author": authors, "year": str(year)}
            if rng.random() < 0.6:
                fields["month"] = rng.choice(("jan", "mar", "jun", "sep", "nov"))
            if kind == "inproceedings":
                fields["booktitle"] = f"Proceedings of the {n % 40 + 1}th Example Conference"
                fields["pages"] = f"{n % 900 + 1}--{n % 900 + 12}"
            elif kind == "article":
                fields["journal"] = rng.choice(("Example Journal of Systems", "Letters on ML"))
                fields.update(volume=str(n % 60 + 1), number=str(n % 12 + 1))
                fields["pages"] = f"{n % 300 + 1}--{n % 300 + 20}"
            elif kind == "misc":
                fields.update(eprint=f"{year % 100:02d}{n % 12 + 1:02d}.{n:05d}")
                fields.update(archiveprefix="arXiv", primaryclass="cs.LG")
            elif kind == "book":
                fields.update(address=rng.choice(_PLACES), edition=str(n % 3 + 1))
                fields.update(series="Example Lecture Notes", isbn=f"978-0-00-{n:06d}-0")
            elif kind == "incollection":
                fields["booktitle"] = "Handbook of Example Systems"
                fields["editor"] = f"{_name(rng)} and {_name(rng)}"
            else:
                fields.update(institution="Example Research Lab", number=f"TR-{n}")
            if kind in ("inproceedings", "article", "book", "incollection") and (
                rng.random() < 0.35
            ):
                fields["publisher"] = rng.choice(_PUBLISHERS)
                if rng.random() < 0.5:
                    fields["address"] = rng.choice(_PLACES)
            if kind != "misc" and rng.random() < 0.4:
                fields["doi"] = f"10.5555/example.{n}"
            if rng.random() < 0.5:
                fields["url"] = f"https://example.org/papers/p{{\\_}}{n}"
            if rng.random() < 0.2:
                fields["note"] = "Extended version"
            if rng.random() < 0.3:
                fields["abstract"] = " ".join(rng.choice(_WORDS).lower() for _ in range(60))
            body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
            out.write(f"@{kind}{{bench{n:05d},\n{body}\n}}\n\n")


def build_graph(engine: sa.Engine, papers: int, folder: Path) -> str:
    seed_database(engine)
    bib = folder / "bench-exports.bib"
    write_bibtex(bib, papers)
    report = ingest_bibtex(engine, bib)
    assert report.failed == 0, report
    with Session(engine) as session:
        total = session.exec(select(func.count()).select_from(m.Paper)).one()
        with_publisher = sum(
            1 for fields in session.exec(select(m.Paper.bibtex_fields)) if fields.get("publisher")
        )
    generated = f"{papers:,} generated + the survey"
    return f"{total:,} papers ({generated}), {with_publisher:,} with a publisher"


def csl_publishers(engine: sa.Engine) -> str:
    """How many papers have a BibTeX publisher, and how many CSL-JSON items carry it."""
    with Session(engine) as session:
        raw = {
            key
            for key, fields in session.exec(select(m.Paper.bibtex_key, m.Paper.bibtex_fields))
            if fields.get("publisher")
        }
        items = json.loads("".join(csl_json_stream(session, sa.select(col(m.Paper.id)))))
    kept = sum(1 for item in items if item["id"] in raw and item.get("publisher"))
    label = "CSL-JSON items with a publisher, of the papers whose BibTeX has one"
    return f"{label}: {kept:,} / {len(raw):,}"


def _text(chunks: Iterable[str]) -> bytes:
    return "".join(chunks).encode("utf-8")


def _formats(engine: sa.Engine, client: TestClient) -> dict[str, Callable[[], bytes]]:
    def service(stream: Callable[[Session], Iterable[str]]) -> Callable[[], bytes]:
        def run() -> bytes:
            with Session(engine) as session:
                return _text(stream(session))

        return run

    def http(fmt: str) -> Callable[[], bytes]:
        def run() -> bytes:
            response = client.get("/api/v1/papers", params={"format": fmt})
            assert response.status_code == 200, response.text[:200]
            return response.content

        return run

    papers = sa.select(col(m.Paper.id))
    return {
        "BibTeX": service(lambda s: bibtex_stream(s, papers)),
        "CSL-JSON": service(lambda s: csl_json_stream(s, papers)),
        "RIS": service(lambda s: ris_stream(s, papers)),
        "CSV (papers list, HTTP)": http("csv"),
        "CSV for Excel (HTTP)": http("csv-excel"),
        "JSON-LD (whole graph)": service(lambda s: graph_jsonld_stream(s, BASE)),
        "GraphML (whole graph)": service(graphml_stream),
    }


def measure(engine: sa.Engine, repeat: int) -> list[tuple[str, float, int, int, float]]:
    settings = Settings(
        database_url=engine.url.render_as_string(False),
        response_cache_bytes=0,
        max_export_rows=1_000_000,
    )
    rows = []
    with TestClient(create_app(settings)) as client:
        for name, run in _formats(engine, client).items():
            times, gzip_times = [], []
            data = b""
            for _ in range(repeat):
                start = time.perf_counter()
                data = run()
                times.append(time.perf_counter() - start)
                start = time.perf_counter()
                compressed = gzip.compress(data, compresslevel=6)
                gzip_times.append(time.perf_counter() - start)
            rows.append(
                (
                    name,
                    statistics.median(times),
                    len(data),
                    len(compressed),
                    statistics.median(gzip_times),
                )
            )
    return rows


def report(rows: list[tuple[str, float, int, int, float]]) -> str:
    lines = [
        "| format | time | size | gzip size | gzip / plain | gzip time |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, seconds, size, compressed, gzip_seconds in rows:
        lines.append(
            f"| {name} | {seconds:.2f} s | {size / 2**20:.2f} MiB | {compressed / 2**20:.2f} MiB"
            f" | {compressed / size:.3f} | {gzip_seconds:.2f} s |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=8000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", help="an empty database (default: a SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench-exports.db"
        engine = create_db_engine(normalize_database_url(url))
        start = time.perf_counter()
        graph = build_graph(engine, args.papers, Path(folder))
        print(f"{engine.dialect.name}: {graph}, built in {time.perf_counter() - start:.0f} s\n")
        print(report(measure(engine, args.repeat)))
        print("\n" + csl_publishers(engine))
        engine.dispose()


if __name__ == "__main__":
    main()
