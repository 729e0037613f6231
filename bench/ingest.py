"""Ingest benchmark: a generated 10,000-entry Atom feed and BibTeX file into fresh SQLite.

    python -m bench.ingest [--entries N]

For each file: the bare parse time (the floor any ingest must pay), the first ingest, and a
re-ingest (everything unchanged), each as a ratio to the parse, and the process's peak
resident memory after each step (ru_maxrss; tracemalloc would slow the runs several-fold).
Memory is flat when the peak barely moves between `--entries 2000` and `--entries 10000`.
Targets on SQLite: first ingest <= 5 s, re-ingest <= 2 s.
"""

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from api.db import create_db_engine, upgrade_database
from api.services.ingest import ingest_arxiv, ingest_bibtex
from seed.arxiv_feed import iter_entries
from seed.bibtex import parse_bibtex

_WORDS = [
    "efficient",
    "serving",
    "speculative",
    "decoding",
    "paged",
    "attention",
    "cache",
    "quantized",
    "sparse",
]


def _title(n: int) -> str:
    picked = [_WORDS[(n * 7 + i * 3) % len(_WORDS)] for i in range(6)]
    return f"Work {n}: " + " ".join(picked).title()


def write_atom(path: Path, entries: int) -> None:
    start = datetime(2023, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write('<feed xmlns="http://www.w3.org/2005/Atom" ')
        out.write('xmlns:arxiv="http://arxiv.org/schemas/atom">\n')
        for n in range(entries):
            day = start + timedelta(minutes=n)
            arxiv_id = f"23{(n // 90000) % 12 + 1:02d}.{n % 90000 + 10000:05d}"
            out.write(
                f"<entry><id>http://arxiv.org/abs/{arxiv_id}v1</id>"
                f"<updated>{day.isoformat()}</updated><published>{day.isoformat()}</published>"
                f"<title>{escape(_title(n))}</title>"
                f"<summary>We study {escape(_title(n).lower())} for large language models "
                "with PagedAttention and continuous batching.\n  Results improve.</summary>"
                + "".join(
                    f"<author><name>Given{(n + k) % 3000} Family{(n * 3 + k) % 5000}</name>"
                    + ("<arxiv:affiliation>Lab</arxiv:affiliation>" if k == 0 else "")
                    + "</author>"
                    for k in range(4)
                )
                + f'<link href="http://arxiv.org/abs/{arxiv_id}v1" rel="alternate"/>'
                f'<link title="pdf" href="http://arxiv.org/pdf/{arxiv_id}v1" rel="related"/>'
                '<arxiv:primary_category term="cs.DC"/><category term="cs.DC"/>'
                '<category term="cs.LG"/></entry>\n'
            )
        out.write("</feed>\n")


def write_bibtex(path: Path, entries: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("@string{icml = {International Conference on Machine Learning}}\n\n")
        for n in range(entries):
            authors = " and ".join(
                f"Family{(n * 5 + k) % 5000}, Given{(n + k) % 3000}" for k in range(4)
            )
            out.write(
                f"@inproceedings{{key{n},\n  title = {{{_title(n)} with {{GPUs}}}},\n"
                f"  author = {{{authors}}},\n  booktitle = icml,\n  year = {{2024}},\n"
                f"  month = jul,\n  doi = {{10.5555/bench.{n}}},\n}}\n\n"
            )


def measure(work: Callable[[], Any]) -> tuple[float, float, Any]:
    """Seconds of `work()`, the process's peak resident MiB so far, and the result."""
    began = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - began
    # Linux reports KiB, macOS bytes.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return seconds, peak / (2**20 if sys.platform == "darwin" else 2**10), result


def _parse_atom(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in iter_entries(stream, path.name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        atom, bib = tmp / "feed.xml", tmp / "refs.bib"
        write_atom(atom, args.entries)
        write_bibtex(bib, args.entries)
        engine = create_db_engine(f"sqlite:///{tmp / 'bench.db'}")
        upgrade_database(engine)
        runs: list[tuple[str, Callable[[], Any]]] = [
            ("atom: parse only", lambda: _parse_atom(atom)),
            ("atom: first ingest", lambda: ingest_arxiv(engine, feed_file=atom)),
            ("atom: re-ingest", lambda: ingest_arxiv(engine, feed_file=atom)),
            ("bibtex: parse only", lambda: len(parse_bibtex(bib.read_text(), bib.name).entries)),
            ("bibtex: first ingest", lambda: ingest_bibtex(engine, bib)),
            ("bibtex: re-ingest", lambda: ingest_bibtex(engine, bib)),
        ]
        floor = 0.0
        print(f"{args.entries} entries per file, SQLite")
        print(f"{'run':<22}{'seconds':>9}{'x parse':>9}{'peak RSS MiB':>14}  result")
        for name, work in runs:
            seconds, peak, result = measure(work)
            if name.endswith("parse only"):
                floor = seconds
            summary = result.summary() if hasattr(result, "summary") else f"{result} entries"
            print(f"{name:<22}{seconds:>9.2f}{seconds / floor:>9.1f}{peak:>14.1f}  {summary}")
        engine.dispose()


if __name__ == "__main__":
    main()
