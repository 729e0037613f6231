"""Benchmark-run import benchmark: the MLPerf v4.1 summary (937 records) and a generated
10,000-record file of the same shape, into the seeded survey on SQLite.

    python -m bench.runs [--records 10000] [--repeat 3]

For each file, side by side and each in a fresh interpreter (so its peak memory is its own):

* `json.load` of the file: the floor any importer pays;
* our MLPerf reader (`read_runs`: JSON parse, field mapping, unit conversion);
* the first import (`import_runs --create-missing`) into a fresh copy of the seeded database;
* a re-import of the same file (nothing changes).

Reported: medians of `--repeat` runs, time and peak memory added, each as a ratio to
`json.load` of the same file. The generated file repeats the real rows under new result ids,
so every record is a new run while the engines, models and devices stay those of the summary.
"""

import argparse
import json
import multiprocessing
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.db import create_db_engine
from api.services.ingest.readers.runs import read_runs
from api.services.ingest.runs import RunFile, import_runs
from bench.ingest import _peak_mib, _reset_peak
from seed.loader import seed_database

SUMMARY = (
    Path(__file__).resolve().parent.parent
    / "tests"
    / "fixtures"
    / "benchmarks"
    / "mlperf-inference-v4.1-summary_results.json"
)
STEPS = ("json.load", "read", "first import", "re-import")


@dataclass(frozen=True)
class Sample:
    seconds: float
    added_mib: float
    outcome: str


def write_generated(path: Path, records: int) -> None:
    """`records` rows: the real summary's rows in turn, each under a result id of its own."""
    real = json.loads(SUMMARY.read_text())
    rows = []
    for n in range(records):
        row = dict(real[n % len(real)])
        row["ID"] = f"gen-{n:06d}"
        row["Performance_Result"] = round(float(row["Performance_Result"]) * (1 + n % 7 / 100), 3)
        rows.append(row)
    path.write_text(json.dumps(rows, indent=1))


def run_step(step: str, database: Path, file: Path) -> Sample:
    engine = create_db_engine(f"sqlite:///{database}")

    def load() -> str:
        with file.open(encoding="utf-8") as handle:
            return f"{len(json.load(handle))} records"

    def read() -> str:
        _, records = read_runs(file.read_text(encoding="utf-8"), file=file.name)
        return f"{len(records)} records"

    def write() -> str:
        run_file = RunFile.from_path(file, 10**9)
        return import_runs(engine, [run_file], create_missing=True).summary()

    work: dict[str, Callable[[], str]] = {
        "json.load": load,
        "read": read,
        "first import": write,
        "re-import": write,
    }
    before = _reset_peak()
    began = time.perf_counter()
    outcome = work[step]()
    seconds = time.perf_counter() - began
    added = _peak_mib() - before
    engine.dispose()
    return Sample(seconds, added, outcome)


def run_once(template: Path, folder: Path, file: Path) -> dict[str, Sample]:
    database = folder / "bench.db"
    shutil.copy(template, database)
    samples: dict[str, Sample] = {}
    context = multiprocessing.get_context("spawn")
    for step in STEPS:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            samples[step] = pool.submit(run_step, step, database, file).result()
    return samples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        template = folder / "seeded.db"
        seeded = create_db_engine(f"sqlite:///{template}")
        seed_database(seeded)
        seeded.dispose()  # checkpoints the WAL, so copying the file copies the database
        generated = folder / f"mlperf-generated-{args.records}.json"
        write_generated(generated, args.records)
        for file in (SUMMARY, generated):
            runs = [run_once(template, folder, file) for _ in range(args.repeat)]
            print(f"\n{file.name} ({file.stat().st_size:,} bytes), {args.repeat} runs")
            print(
                "| step | time (median) | × json.load | peak memory added | × json.load | outcome |"
            )
            print("| --- | --- | --- | --- | --- | --- |")
            base = {
                "t": statistics.median(r["json.load"].seconds for r in runs),
                "m": statistics.median(r["json.load"].added_mib for r in runs),
            }
            for step in STEPS:
                seconds = statistics.median(r[step].seconds for r in runs)
                added = statistics.median(r[step].added_mib for r in runs)
                outcome: Any = runs[-1][step].outcome
                print(
                    f"| {step} | {seconds:.3f} s | {seconds / base['t']:.1f}× | "
                    f"{added:.1f} MiB | {added / base['m']:.1f}× | {outcome} |"
                )


if __name__ == "__main__":
    main()
