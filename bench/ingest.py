"""Ingest benchmark: a generated Atom feed and BibTeX file into the seeded survey on SQLite.

    python -m bench.ingest [--entries 10000] [--repeat 3] [--memory-entries 1000]
                           [--without-data-version]

Each repeat starts from a fresh copy of a seeded database (so technique suggestions are
matched as in real use) and times, side by side:

* the bare parse of each file, the floor any ingest pays: our streaming Atom reader
  (`iter_entries`), and for BibTeX bibtexparser's own `parse_file` (split and @string
  resolution, no LaTeX decoding or name splitting), i.e. the library's limit;
* our BibTeX reader alone (bibtexparser a chunk at a time, LaTeX decoded, names split);
* the first ingest and a re-ingest (nothing changed) of each file.

Every step runs in a fresh interpreter (as `infergraph ingest` does), so the peak resident
memory it adds is its own. Reported: medians, each step as a ratio to the bare parse of its
file, and the largest memory added. Memory is flat when the ingest steps add about as much at
`--memory-entries` as at `--entries`. Targets on SQLite: first ingest <= 5 s, re-ingest <= 2 s.

    --without-data-version   drop the data-version triggers first, to measure their cost
"""

import argparse
import multiprocessing
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bibtexparser.entrypoint import parse_file

from api.db import create_db_engine
from api.services.ingest import ingest_arxiv, ingest_bibtex
from api.services.ingest.readers.arxiv_feed import iter_entries
from api.services.ingest.readers.bibtex import BibtexReader
from seed.loader import seed_database

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
FIRST_INGEST_TARGET = 5.0
RE_INGEST_TARGET = 2.0


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
    """Entries shaped like a reference manager's export: an @string macro, month macros,
    protected words, LaTeX accents in some names, a crossref to a proceedings entry."""
    with path.open("w", encoding="utf-8") as out:
        out.write("@string{icml = {International Conference on Machine Learning}}\n\n")
        out.write("@proceedings{icml2024, title = {Proceedings of ICML 2024}, year = {2024}}\n\n")
        for n in range(entries - 1):
            accent = r"M{\"u}ller" if n % 10 == 0 else f"Family{(n * 5) % 5000}"
            authors = " and ".join(
                [f"{accent}, Given{n % 3000}"]
                + [f"Family{(n * 5 + k) % 5000}, Given{(n + k) % 3000}" for k in range(1, 4)]
            )
            venue = "crossref = {icml2024}" if n % 50 == 0 else "booktitle = icml"
            out.write(
                f"@inproceedings{{key{n},\n  title = {{{_title(n)} with {{GPUs}}}},\n"
                f"  author = {{{authors}}},\n  {venue},\n  year = {{2024}},\n"
                f"  month = jul,\n  doi = {{10.5555/bench.{n}}},\n}}\n\n"
            )


def _bare_bibtex_parse(path: Path) -> int:
    return len(parse_file(str(path)).entries)


def _our_bibtex_read(path: Path) -> int:
    return sum(1 for _ in BibtexReader(path, path.name))


def _atom_parse(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in iter_entries(stream, path.name))


_STEPS = (
    "atom: parse",
    "atom: first ingest",
    "atom: re-ingest",
    "bibtex: bibtexparser parse",
    "bibtex: our reader",
    "bibtex: first ingest",
    "bibtex: re-ingest",
)


@dataclass
class Sample:
    seconds: float
    added_mib: float
    """How far the step raised the process's peak resident memory."""
    outcome: str


_PROC_STATUS = Path("/proc/self/status")


def _reset_peak() -> float:
    """Resident MiB now; on Linux the peak is first reset to it, so the step's own peak shows
    even where the imports peaked higher. Elsewhere the peak so far."""
    if _PROC_STATUS.exists():
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (Linux >= 4.0)
        return _status_mib("VmRSS")
    return _peak_mib()


def _peak_mib() -> float:
    if _PROC_STATUS.exists():
        return _status_mib("VmHWM")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)  # bytes on macOS, else KiB


def _status_mib(field: str) -> float:
    match = re.search(rf"^{field}:\s+(\d+) kB", _PROC_STATUS.read_text(), re.MULTILINE)
    return int(match.group(1)) / 1024 if match else 0.0


def run_step(step: str, database: Path, atom: Path, bib: Path) -> Sample:
    """One step, meant to run in a fresh process so that its peak memory is its own."""
    engine = create_db_engine(f"sqlite:///{database}")
    work: dict[str, Callable[[], Any]] = {
        "atom: parse": lambda: _atom_parse(atom),
        "atom: first ingest": lambda: ingest_arxiv(engine, feed_file=atom),
        "atom: re-ingest": lambda: ingest_arxiv(engine, feed_file=atom),
        "bibtex: bibtexparser parse": lambda: _bare_bibtex_parse(bib),
        "bibtex: our reader": lambda: _our_bibtex_read(bib),
        "bibtex: first ingest": lambda: ingest_bibtex(engine, bib),
        "bibtex: re-ingest": lambda: ingest_bibtex(engine, bib),
    }
    before = _reset_peak()
    began = time.perf_counter()
    result = work[step]()
    seconds = time.perf_counter() - began
    added = _peak_mib() - before
    engine.dispose()
    outcome = result.summary() if hasattr(result, "summary") else f"{result} entries"
    return Sample(seconds, added, outcome)


def run_once(template: Path, folder: Path, entries: int) -> dict[str, Sample]:
    atom, bib = folder / f"feed-{entries}.xml", folder / f"refs-{entries}.bib"
    if not atom.exists():
        write_atom(atom, entries)
        write_bibtex(bib, entries)
    database = folder / "bench.db"
    shutil.copyfile(template, database)
    samples = {}
    for step in _STEPS:
        # A fresh interpreter per step (as the CLI is): peak memory is the step's own, not a
        # high-water mark left by an earlier step.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            samples[step] = pool.submit(run_step, step, database, atom, bib).result()
    return samples


def report(entries: int, runs: list[dict[str, Sample]]) -> None:
    def median(step: str) -> float:
        return statistics.median(run[step].seconds for run in runs)

    def memory(step: str) -> str:
        return f"{max(run[step].added_mib for run in runs):.1f}"

    floors = {"atom": median("atom: parse"), "bibtex": median("bibtex: bibtexparser parse")}
    print(f"\n{entries} entries per file, SQLite, {len(runs)} runs (medians)")
    print(f"{'step':<28}{'seconds':>9}{'x parse':>9}{'target':>9}{'+peak MiB':>11}  outcome")
    for step in _STEPS:
        seconds = median(step)
        ratio = seconds / floors[step.split(":")[0]]
        target = ""
        if step.endswith("first ingest"):
            target = f"<= {FIRST_INGEST_TARGET:g} s"
        elif step.endswith("re-ingest"):
            target = f"<= {RE_INGEST_TARGET:g} s"
        outcome = runs[-1][step].outcome
        print(f"{step:<28}{seconds:>9.2f}{ratio:>9.2f}{target:>9}{memory(step):>11}  {outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--memory-entries",
        type=int,
        default=1_000,
        help="a smaller size run once more to show memory is flat (0: skip)",
    )
    parser.add_argument(
        "--without-data-version",
        action="store_true",
        help="drop the data-version triggers after seeding, to measure what they cost",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        template = folder / "seeded.db"
        engine = create_db_engine(f"sqlite:///{template}")
        seed_database(engine)
        if args.without_data_version:
            with engine.begin() as connection:
                query = (
                    "SELECT name FROM sqlite_master"
                    " WHERE type = 'trigger' AND name LIKE 'data\\_version\\_%' ESCAPE '\\'"
                )
                for (trigger,) in connection.exec_driver_sql(query).all():
                    connection.exec_driver_sql(f'DROP TRIGGER "{trigger}"')
        engine.dispose()
        sizes = [args.entries] + ([args.memory_entries] if args.memory_entries else [])
        for entries in sizes:
            runs = [run_once(template, folder, entries) for _ in range(args.repeat)]
            report(entries, runs)


if __name__ == "__main__":
    main()
