"""Every benchmark in one go, written up as one Markdown report.

    python -m bench.run [--quick] [--out bench/REPORT.md] [--with-seed-ingest]
                        [--postgres-url URL]

Sections: the whole-graph GraphQL query vs. hand-written SQL (SQLite and PostgreSQL), the
response cache vs. bare Starlette (bench/cache.py, when present), our server vs. PostGraphile
4, reads on a 100,000-paper graph vs. the survey, and `infergraph serve` cold start. Each
comparison runs side by side in one run and reports medians of repeats. The report gives
ratios and their targets first, absolute numbers after, and the machine it ran on.
`--quick` is a smoke run (smaller graph, fewer repeats); its numbers are not the report's.
"""

import argparse
import importlib
import importlib.util
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from api.config import normalize_database_url
from api.db import create_db_engine
from bench import (
    charts,
    cold_start,
    count_after_write,
    datasette,
    graphql_whole_graph,
    pages,
    postgraphile,
    replica,
    scale,
    workers,
)
from bench.databases import postgres_admin_url, seeded_database

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "bench" / "REPORT.md"


@dataclass(frozen=True)
class Ratio:
    target: str
    """Issue target number and name."""
    what: str
    value: float
    unit: str
    goal: str
    met: bool


@dataclass
class Report:
    ratios: list[Ratio] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *ratios: Ratio) -> None:
        self.ratios.extend(ratios)

    def section(self, title: str, body: str) -> None:
        self.sections.append(f"## {title}\n\n{body.strip()}\n")


@dataclass(frozen=True)
class Plan:
    """How much work each benchmark does (`--quick` shrinks everything)."""

    whole_graph_repeat: int = 30
    cache_seconds: float = 3.0
    cache_concurrency: int = 32
    postgraphile_seconds: float = 10.0
    postgraphile_rounds: int = 3
    postgraphile_concurrency: int = 4
    scale_factor: float = 1.0
    scale_repeat: int = 15
    cold_start_runs: int = 5
    workers_seconds: float = 5.0
    workers_rounds: int = 5
    replica_repeat: int = 200
    count_after_write_repeat: int = 9
    charts_runs: int = 10_000
    charts_repeat: int = 15
    datasette_papers: int = 7158
    datasette_seconds: float = 5.0
    datasette_rounds: int = 3


QUICK = Plan(
    whole_graph_repeat=5,
    cache_seconds=1.0,
    postgraphile_seconds=3.0,
    postgraphile_rounds=2,
    scale_factor=0.05,
    scale_repeat=3,
    cold_start_runs=2,
    workers_seconds=1.0,
    workers_rounds=2,
    replica_repeat=20,
    count_after_write_repeat=3,
    charts_runs=1_000,
    charts_repeat=3,
    datasette_papers=500,
    datasette_seconds=2.0,
    datasette_rounds=2,
)


def whole_graph(report: Report, plan: Plan, postgres_url: str | None) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in ("sqlite", "postgresql"):
            with seeded_database(backend, Path(tmp), "whole_graph", postgres_url) as url:
                engine = create_db_engine(url)
                found = graphql_whole_graph.measure(engine, plan.whole_graph_repeat)
                engine.dispose()
            ours, limit, size = found.graphql, found.limit, found.size
            ratio = ours / limit
            target = graphql_whole_graph.TARGET
            report.add(
                Ratio(
                    "1. whole-graph GraphQL, cold cache",
                    f"{backend}: GraphQL / hand-written SQL + orjson",
                    ratio,
                    "x",
                    f"<= {target}x",
                    ratio <= target,
                )
            )
            rows.append(
                f"| {backend} | {ours * 1000:.1f} ms | {limit * 1000:.1f} ms | {ratio:.2f}x |"
                f" {found.graphql_cpu / found.limit_cpu:.2f}x | {size:,} |"
            )
    report.section(
        "1. Whole-graph GraphQL query vs. hand-written SQL + orjson",
        f"`python -m bench.graphql_whole_graph`, in-process, no response cache, "
        f"{plan.whole_graph_repeat} interleaved runs, medians.\n\n"
        "| database | GraphQL | hand-written SQL + orjson | ratio | CPU ratio | response bytes |\n"
        "| --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows),
    )


def response_cache(report: Report, plan: Plan, postgres_url: str | None) -> None:
    if importlib.util.find_spec("bench.cache") is None:
        report.section(
            "2. Response cache",
            "Skipped: `bench/cache.py` (built with the response cache) is not in this checkout.",
        )
        return
    cache: Any = importlib.import_module("bench.cache")
    goal = float(getattr(cache, "TARGET_RATIO", 0.7))
    lines = [
        "| backend | request | ours req/s | bare Starlette req/s | ours / bare |",
        "| --- | --- | --- | --- | --- |",
    ]
    for backend in ("sqlite", "postgresql"):
        rows = cache.run(
            backend,
            plan.cache_seconds,
            plan.cache_concurrency,
            postgres_url=postgres_admin_url(postgres_url),
        )
        for row in rows:
            ratio = float(row["ratio"])
            report.add(
                Ratio(
                    "2. response cache",
                    f"{backend}: {row['name']}: ours / bare",
                    ratio,
                    "",
                    f">= {goal:g}",
                    ratio >= goal,
                )
            )
            lines.append(
                f"| {backend} | {row['name']} | {row['ours_rps']:.0f} | {row['bare_rps']:.0f} |"
                f" {ratio:.2f} |"
            )
    report.section(
        "2. Warm reads through the response cache vs. bare Starlette",
        f"`python -m bench.cache --backend sqlite|postgresql`, {plan.cache_concurrency} "
        f"connections, rounds of {plan.cache_seconds:g} s, medians.\n\n" + "\n".join(lines),
    )


def versus_postgraphile(report: Report, plan: Plan, postgres_url: str | None) -> None:
    result = postgraphile.run(
        plan.postgraphile_seconds,
        plan.postgraphile_rounds,
        plan.postgraphile_concurrency,
        postgres_url=postgres_url,
    )
    ours = result.rps["ours, cache off"]
    theirs = result.rps["PostGraphile 5"]
    report.add(
        Ratio(
            "3. vs. PostGraphile 5",
            "PostgreSQL: our req/s (cache off) / PostGraphile 5 req/s",
            ours / theirs,
            "x",
            ">= 3x",
            ours >= 3 * theirs,
        )
    )
    older = result.rps["PostGraphile 4"]
    report.add(
        Ratio(
            "3. vs. PostGraphile 4",
            "PostgreSQL: our req/s (cache off) / PostGraphile 4 req/s",
            ours / older,
            "x",
            ">= 1x",
            ours >= older,
        )
    )
    if "ours, cache on" in result.rps:
        cached = result.rps["ours, cache on"]
        report.notes.append(
            f"With the response cache on, ours serves the whole-graph query at {cached:.0f} "
            f"req/s ({cached / theirs:.0f}x PostGraphile); the honest comparison is cache off."
        )
    report.section(
        "3. Nested query: our server vs. PostGraphile 5 and 4 (PostgreSQL)",
        "`python -m bench.postgraphile`: both servers on one freshly seeded database, ours "
        "under uvicorn with one worker, PostGraphile with its defaults (Node, one thread).\n\n"
        + postgraphile.markdown(result),
    )


def at_scale(report: Report, plan: Plan, postgres_url: str | None) -> None:
    results = [
        scale.run(
            backend,
            repeat=plan.scale_repeat,
            factor=plan.scale_factor,
            postgres_url=postgres_url,
            memory=backend == "sqlite",
        )
        for backend in ("sqlite", "postgresql")
    ]
    for result in results:
        for timing in result.timings:
            report.add(
                Ratio(
                    "4. scale (100k papers)",
                    f"{result.backend}: {timing.name}: p50 scale / survey",
                    timing.ratio,
                    "x",
                    f"<= {scale.TARGET}x",
                    timing.ratio <= scale.TARGET,
                )
            )
        by_export: dict[str, list[scale.ExportMemory]] = {}
        for memory in result.memory:
            by_export.setdefault(memory.export, []).append(memory)
        for name, (small, large) in ((n, (m[0], m[-1])) for n, m in by_export.items()):
            growth = (large.peak_rss_mib - large.rss_before_mib) / max(
                1.0, small.peak_rss_mib - small.rss_before_mib
            )
            flat = large.peak_rss_mib - large.rss_before_mib <= 64
            report.add(
                Ratio(
                    "4. streaming export memory",
                    f"{result.backend}: {name}: server RSS growth, {large.papers:,} papers"
                    f" (vs. {small.papers:,}: {growth:.1f}x)",
                    large.peak_rss_mib - large.rss_before_mib,
                    " MiB",
                    "flat (<= 64 MiB)",
                    flat,
                )
            )
    report.section(
        "4. Reads on a 100,000-paper graph vs. the seeded survey",
        "`python -m bench.scale`: requests in-process (response cache off), alternating "
        f"between the two graphs, {plan.scale_repeat} repeats, medians. Graph built by "
        "`bench/scale_data.py` (a citation link is a `technique_citation` row).\n\n"
        + scale.markdown(results),
    )


def cold(report: Report, plan: Plan, _postgres_url: str | None) -> None:
    starts, phases = cold_start.run(plan.cold_start_runs)
    median = statistics.median(s.first_graphql for s in starts)
    report.add(
        Ratio(
            "5. cold start",
            "`infergraph serve` on an empty folder → first GraphQL query with seeded data",
            median,
            " s",
            f"< {cold_start.TARGET_SECONDS:g} s",
            median < cold_start.TARGET_SECONDS,
        )
    )
    report.section(
        "5. Cold start", "`python -m bench.cold_start`.\n\n" + cold_start.markdown(starts, phases)
    )


def scale_out(report: Report, plan: Plan, postgres_url: str | None) -> None:
    bodies = []
    for mix in workers.MIXES:
        rounds = workers.run(plan.workers_seconds, plan.workers_rounds, 12, postgres_url, mix=mix)
        ratio = workers.median_rps(rounds, 2) / workers.median_rps(rounds, 1)
        report.add(
            Ratio(
                "7. workers",
                f"PostgreSQL, uncached reads ({mix} mix): req/s of `serve --workers 2` / "
                "`--workers 1`",
                ratio,
                "x",
                f">= {workers.TARGET}x",
                ratio >= workers.TARGET,
            )
        )
        bodies.append(f"Mix `{mix}`:\n\n" + workers.markdown(rounds))
    report.section(
        "Workers on PostgreSQL: 2 vs 1",
        "`python -m bench.workers --mix light|rendered`; the CPU per request of the server, of "
        "PostgreSQL and of the load generator (all on the same two cores) say how much room "
        "the second worker had.\n\n" + "\n\n".join(bodies),
    )


def read_replica(report: Report, plan: Plan, _postgres_url: str | None) -> None:
    rows, sent = replica.run(plan.replica_repeat)
    report.section(
        "Read replica: what the read-after-write check costs",
        "`python -m bench.replica` (private primary and `pg_basebackup -R` standby).\n\n"
        + replica.markdown(rows, sent, plan.replica_repeat),
    )


def counts_after_writes(report: Report, plan: Plan, postgres_url: str | None) -> None:
    rows = []
    for backend in ("sqlite", "postgresql"):
        rows += count_after_write.run(
            backend, plan.count_after_write_repeat, plan.scale_factor, postgres_url
        )
    report.add(
        *(
            Ratio(
                "8. first count after a write (100k papers)",
                f"{row.backend}: after a write to {row.write}: p50 scale / survey",
                row.ratio,
                "x",
                f"<= {count_after_write.TARGET}x",
                row.ratio <= count_after_write.TARGET,
            )
            for row in rows
        )
    )
    report.section(
        "First count after a write: survey vs. 100k papers",
        "`python -m bench.count_after_write`.\n\n" + count_after_write.markdown(rows),
    )


def web_pages(report: Report, plan: Plan, postgres_url: str | None) -> None:
    bodies = []
    for backend in ("sqlite", "postgresql"):
        timings, explorers, counts = pages.run(
            backend, repeat=plan.scale_repeat, factor=plan.scale_factor, postgres_url=postgres_url
        )
        for timing in timings:
            report.add(
                Ratio(
                    "8. web pages",
                    f"{backend}: `{timing.path}`: p50 on the survey",
                    timing.survey_ms,
                    " ms",
                    f"<= {pages.TIME_TARGET_MS:g} ms",
                    timing.survey_ms <= pages.TIME_TARGET_MS,
                ),
                Ratio(
                    "8. web pages (100k papers)",
                    f"{backend}: `{timing.path}`: p50 scale / survey",
                    timing.ratio,
                    "x",
                    f"<= {pages.RATIO_TARGET}x",
                    timing.ratio <= pages.RATIO_TARGET,
                ),
            )
        heaviest = max(timings, key=lambda t: t.survey_kb)
        report.add(
            Ratio(
                "8. page weight",
                f"{backend}: heaviest page without images (`{heaviest.path}`)",
                heaviest.survey_kb,
                " KB",
                f"<= {pages.WEIGHT_TARGET_KB:g} KB",
                heaviest.survey_kb <= pages.WEIGHT_TARGET_KB,
            )
        )
        bodies.append(pages.markdown(backend, timings, explorers, counts))
    report.section(
        "8. Web pages",
        "`python -m bench.pages`: every page in-process (response cache off), alternating "
        f"between the two graphs of section 4, {plan.scale_repeat} repeats, medians; weight is "
        "the HTML plus the stylesheets and scripts it loads, uncompressed.\n\n" + "\n".join(bodies),
    )


def chart_timings(report: Report, plan: Plan, postgres_url: str | None) -> None:
    bodies = []
    for backend in ("sqlite", "postgresql"):
        timings = charts.run(
            backend,
            plan.charts_runs,
            plan.charts_repeat,
            postgres_url=postgres_url,
            echo=_to_stderr,
        )
        for timing in timings:
            report.add(
                Ratio(
                    "10. charts",
                    f"{backend}: `{timing.chart}`: p50 on the survey",
                    timing.seeded_ms,
                    " ms",
                    f"<= {charts.TIME_TARGET_MS:g} ms",
                    timing.seeded_ms <= charts.TIME_TARGET_MS,
                ),
                Ratio(
                    f"10. charts (+{plan.charts_runs:,} runs)",
                    f"{backend}: `{timing.chart}`: p50 large / survey",
                    timing.ratio,
                    "x",
                    f"<= {charts.RATIO_TARGET:g}x",
                    timing.ratio <= charts.RATIO_TARGET,
                ),
            )
        bodies.append(charts.markdown(backend, plan.charts_runs, timings))
    report.section(
        "10. Charts",
        "`python -m bench.charts --backend sqlite|postgresql`: each chart's data read and "
        f"drawn as SVG in-process, alternating between the seeded graph and one with "
        f"{plan.charts_runs:,} more benchmark runs, {plan.charts_repeat} repeats, medians of "
        "wall and of this process's CPU time.\n\n" + "\n\n".join(bodies),
    )


def versus_datasette(report: Report, plan: Plan, _postgres_url: str | None) -> None:
    if not datasette.DATASETTE_BIN.exists():
        report.section(
            "11. REST vs. Datasette 0.65.5: skipped",
            f"Datasette is not installed at `{datasette.DATASETTE_BIN}` (bench/datasette.py "
            "says how).",
        )
        report.ratios.append(Ratio("11. vs. Datasette", "not run", 0, "", ">= 1x", False))
        return
    results = datasette.run(
        plan.datasette_papers, plan.datasette_seconds, plan.datasette_rounds, [8, 32]
    )
    for result in results:
        ratio = result.ratio
        report.add(
            Ratio(
                "11. vs. Datasette",
                f"SQLite: {result.question.name}, {result.connections} connections: "
                "our req/s / Datasette's",
                ratio,
                "x",
                ">= 1x",
                ratio >= 1.0,
            )
        )
    report.section(
        "11. REST vs. Datasette 0.65.5",
        "`python -m bench.datasette`: our server (one uvicorn process, response cache off) and "
        "Datasette on byte copies of one SQLite file, the same rows checked first.\n\n"
        + datasette.markdown(results, plan.datasette_seconds, plan.datasette_rounds),
    )


def _to_stderr(line: str) -> None:
    """Progress lines of a benchmark run inside the report go to stderr, not into it."""
    print(line, file=sys.stderr, flush=True)


def seed_and_ingest(report: Report, _plan: Plan, postgres_url: str | None) -> None:
    outputs = []
    for module in ("bench.seed", "bench.ingest"):
        done = subprocess.run(
            [sys.executable, "-m", module], cwd=REPO_ROOT, capture_output=True, text=True
        )
        outputs.append(f"$ python -m {module}\n{done.stdout}{done.stderr[-2000:]}")
    report.section("Seed and ingest", "```\n" + "\n".join(outputs) + "```")


def machine(postgres_url: str | None) -> str:
    cpu_model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    try:
        admin = create_db_engine(normalize_database_url(postgres_admin_url(postgres_url)))
        with admin.connect() as connection:
            pg = str(connection.execute(sa.text("SHOW server_version")).scalar_one())
        admin.dispose()
    except sa.exc.OperationalError:
        pg = "unreachable"
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    load = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    return "\n".join(
        [
            f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- CPU: {os.cpu_count()} × {cpu_model}; load average at start {load}",
            f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"PostgreSQL {pg}, Node {node or 'missing'}",
            f"- {platform.platform()}",
        ]
    )


def render(report: Report, machine_text: str, quick: bool, seconds: float) -> str:
    lines = ["# Benchmark report", ""]
    if quick:
        lines += ["**Smoke run (`--quick`): small sizes and few repeats; not the figures.**", ""]
    lines += [
        f"`python -m bench.run{' --quick' if quick else ''}` took {seconds / 60:.1f} min.",
        "",
        "## Targets",
        "",
        "| target | measured | value | goal | |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in report.ratios:
        value = f"{r.value:.2f}{r.unit}" if r.unit != " MiB" else f"{r.value:.0f}{r.unit}"
        lines.append(
            f"| {r.target} | {r.what} | {value} | {r.goal} | {'met' if r.met else '**missed**'} |"
        )
    if report.notes:
        lines += ["", *[f"- {note}" for note in report.notes]]
    lines += ["", "## Machine", "", machine_text, "", *report.sections]
    return "\n".join(lines).rstrip() + "\n"


STEPS: dict[str, Callable[[Report, Plan, str | None], None]] = {
    "whole graph": whole_graph,
    "response cache": response_cache,
    "PostGraphile": versus_postgraphile,
    "scale": at_scale,
    "cold start": cold,
    "pages": web_pages,
    "workers": scale_out,
    "read replica": read_replica,
    "count after write": counts_after_writes,
    "charts": chart_timings,
    "Datasette": versus_datasette,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: small and short")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--with-seed-ingest", action="store_true", help="also bench.seed/ingest")
    parser.add_argument("--postgres-url", help="PostgreSQL server to create databases on")
    parser.add_argument("--only", action="append", choices=list(STEPS), help="run only these")
    args = parser.parse_args()
    plan = QUICK if args.quick else Plan()
    report = Report()
    machine_text = machine(args.postgres_url)
    steps = {name: STEPS[name] for name in (args.only or STEPS)}
    if args.with_seed_ingest:
        steps["seed and ingest"] = seed_and_ingest
    began = time.perf_counter()
    for name, step in steps.items():
        print(f"[bench.run] {name} …", file=sys.stderr, flush=True)
        step_began = time.perf_counter()
        try:
            step(report, plan, args.postgres_url)
        except Exception:  # one failing benchmark must not lose the others' figures
            report.section(f"{name}: FAILED", "```\n" + traceback.format_exc() + "```")
            report.ratios.append(Ratio(name, "the benchmark failed (see below)", 0, "", "-", False))
        print(f"[bench.run] {name}: {time.perf_counter() - step_began:.0f} s", file=sys.stderr)
    text = render(report, machine_text, args.quick, time.perf_counter() - began)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
