"""Survey sync: plan and apply times for the survey README and a synthetic one ten times its size.

python -m bench.sync [--repeat 5] [--backend sqlite|postgresql] [--postgres-url ADMIN_URL]

The synthetic README repeats every table row and engine bullet nine more times under new
names (new engines, techniques, devices and models, written by --apply with their rows,
references and prices; the papers the copied bullets take over, and the copied model rows with
a `*` price, are held) and flips every
✅/❌ cell of the three support matrices in the original rows, so its plan has both kinds.
The copies cite links already in the graph, so no reference needs arXiv; the client points
at a closed local port all the same, so a run never reaches the network.
"""

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from api.db import create_db_engine
from api.services.ingest.readers.arxiv_client import ArxivClient
from api.services.survey_sync import plan_survey_sync, sync_survey
from api.services.survey_sync.readme import parse_readme
from bench.databases import seeded_database

README = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "survey_sync" / "README.md"
_NO_ARXIV = ArxivClient("http://127.0.0.1:9", delay=0, max_attempts=1, timeout=1)
_FLIP = str.maketrans("✅❌", "❌✅")
_MATRIX_HEADINGS = ("Hardware Support Matrix", "Optimization Coverage Matrix", "Numeric Precision")


def synthetic(text: str, copies: int = 10) -> str:
    """`text` with every table row, engine bullet and prose line `copies` times, matrix cells
    of the original rows flipped."""
    out: list[str] = []
    in_matrix = False
    rows: list[str] = []

    def flush() -> None:
        out.extend(rows)
        for k in range(2, copies + 1):
            for row in rows[2:]:
                cells = row.split("|")
                cells[1] = f" {cells[1].strip()} {k} "
                out.append("|".join(cells))
        rows.clear()

    for line in text.splitlines():
        if line.startswith("#"):
            in_matrix = any(h in line for h in _MATRIX_HEADINGS)
        if line.startswith("|"):
            if in_matrix and len(rows) >= 2:
                # Every status cell but the catch-all column's, which lists platforms.
                headers = [cell.strip() for cell in rows[0].split("|")]
                line = "|".join(
                    cell if header == "ETC" else cell.translate(_FLIP)
                    for cell, header in zip(line.split("|"), headers, strict=False)
                )
                # The row's name keeps its first cell; only the status cells were flipped.
            rows.append(line)
            continue
        if rows:
            flush()
        bullet = re.match(r"^- (🌐 )?\[([^\]]+)\]", line)
        out.append(line)
        if bullet:
            for k in range(2, copies + 1):
                out.append(line.replace(f"[{bullet.group(2)}]", f"[{bullet.group(2)} {k}]", 1))
        elif not line.startswith("#"):
            # Prose, images and notes ten times over too, so the file is ten times the bytes.
            out.extend([line] * (copies - 1))
    if rows:
        flush()
    return "\n".join(out) + "\n"


def timed(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", help="admin URL; a database of its own is made")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    big = synthetic(text)
    with tempfile.TemporaryDirectory() as folder:
        print(f"database: {args.backend}")
        for label, document in (("survey README", text), ("synthetic 10×", big)):
            parsed = parse_readme(document)
            rows = sum(len(t.rows) for t in parsed.tables.values())
            parse = timed(args.repeat, lambda d=document: parse_readme(d))  # type: ignore[misc]
            applies: list[float] = []
            apply_cpu: list[float] = []
            plans: list[float] = []
            for attempt in range(args.repeat):
                with seeded_database(
                    args.backend, Path(folder), f"sync{attempt}", args.postgres_url
                ) as url:
                    engine = create_db_engine(url)
                    with Session(engine) as session:
                        start = time.perf_counter()
                        plan = plan_survey_sync(session, document)
                        plans.append(time.perf_counter() - start)
                    with Session(engine) as session:
                        start, cpu = time.perf_counter(), time.process_time()
                        result = sync_survey(session, document, apply=True, arxiv=_NO_ARXIV)
                        applies.append(time.perf_counter() - start)
                        # This process's CPU (SQLite's work included; PostgreSQL's server not).
                        apply_cpu.append(time.process_time() - cpu)
                    engine.dispose()
            print(
                f"{label}: {len(document.encode()):,} bytes, {rows} table rows,"
                f" {len(parsed.bullets)} bullets; parse {parse * 1000:.1f} ms,"
                f" plan {statistics.median(plans) * 1000:.1f} ms"
                f" ({len(plan.applicable)} to apply, {len(plan.held)} held),"
                f" plan + apply {statistics.median(applies) * 1000:.1f} ms"
                f" (CPU {statistics.median(apply_cpu) * 1000:.1f} ms)"
                f" ({len(result.applied)} written in one transaction,"
                f" {len(result.references)} references resolved)"
            )


if __name__ == "__main__":
    main()
