"""Time to draw each chart, on the seeded survey and on the survey plus 10,000 benchmark runs.

    python -m bench.charts [--backend sqlite|postgresql] [--runs 10000] [--repeat 30]
                           [--postgres-url URL] [--chart NAME ...]

Each chart is built the way `/api/v1/charts/{name}.svg` builds it: its data read from the
database (`charts.chart`) and drawn as SVG (`charts.render_svg`), in one process with no
response cache. The two graphs are timed alternately, chart by chart. Reported: the median
(p50) per chart and graph of the wall time and of this process's CPU time, the ratio large /
seeded, and the load average, against the targets (p50 <= 50 ms on the seeded graph, <= 2x
on the large one).

The added runs are measurements spread over the survey's engines and devices and eight
concurrency levels, each a throughput and a median time to first token of one imported
record, as an import of result files would add them, so both runs charts have many groups
and several runs in each.
"""

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.db import create_db_engine
from api.services import charts
from bench.databases import seeded_database

TIME_TARGET_MS = 50.0
RATIO_TARGET = 2.0
CONCURRENCY = (1, 2, 4, 8, 16, 32, 64, 128)
RADAR = ("vllm", "llama-cpp", "tensorrt-llm", "groqcloud")


def add_runs(engine: sa.Engine, count: int) -> None:
    """`count` runs of the survey's engines on its devices, in one transaction: `count // 2`
    measurements at eight concurrency levels, each a token throughput and a median time to
    first token of the same imported record, as a vLLM bench import would store them."""
    with Session(engine) as session:
        engines = [e.id for e in session.exec(select(m.Engine).order_by(col(m.Engine.id)))]
        devices = [d.id for d in session.exec(select(m.Device).order_by(col(m.Device.id)))]
        source = session.exec(select(m.Source).order_by(col(m.Source.id))).first()
        model = session.exec(select(m.LLMModel).order_by(col(m.LLMModel.id))).first()
        assert source is not None and model is not None and engines and devices
        rows = []
        for n in range(count // 2):
            concurrency = CONCURRENCY[n % len(CONCURRENCY)]
            measurement = {
                "engine_id": engines[(n // len(CONCURRENCY)) % len(engines)],
                "device_id": devices[(n // (len(CONCURRENCY) * len(engines))) % len(devices)],
                "model_id": model.id,
                "qualifier": "exact",
                "concurrency": concurrency,
                "per_device": False,
                "source_id": source.id,
                "import_format": "vllm-bench",
                "origin_record": f"bench-charts/{n}",
            }
            rows.append(
                {
                    **measurement,
                    "slug": f"bench-charts/{n}/token_throughput/value",
                    "metric": "token_throughput",
                    "statistic": "value",
                    "value": 100.0 * concurrency**0.5 + n % 17,
                    "unit": "tokens/s",
                }
            )
            rows.append(
                {
                    **measurement,
                    "slug": f"bench-charts/{n}/ttft/median",
                    "metric": "ttft",
                    "statistic": "median",
                    "value": 0.05 * concurrency**0.7 + (n % 13) / 100,
                    "unit": "s",
                }
            )
        session.execute(sa.insert(m.BenchmarkRun), rows)
        session.commit()


def analyze(engine: sa.Engine) -> None:
    postgres = engine.dialect.name == "postgresql"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE" if postgres else "ANALYZE"))


def builders(only: list[str] | None = None) -> dict[str, Callable[[Session], object]]:
    def draw(name: str) -> Callable[[Session], object]:
        engines = RADAR if name == "radar" else ()
        return lambda session: charts.render_svg(charts.chart(session, name, engines))

    names = ["radar", *charts.CHARTS]
    unknown = sorted(set(only or ()) - set(names))
    if unknown:
        known = ", ".join(names)
        raise SystemExit(f"--chart: no chart named {', '.join(unknown)} (charts: {known})")
    return {name: draw(name) for name in names if not only or name in only}


def time_ms(engine: sa.Engine, build: Callable[[Session], object]) -> tuple[float, float]:
    """Wall time and this process's CPU time of one chart, in ms. On a shared machine the
    CPU time is the steadier of the two; it misses PostgreSQL's own work (another process),
    which the wall time includes."""
    with Session(engine) as session:
        start, cpu = time.perf_counter(), time.process_time()
        build(session)
        return (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000


@dataclass(frozen=True)
class Timing:
    chart: str
    seeded_ms: float
    large_ms: float
    seeded_cpu_ms: float
    large_cpu_ms: float

    @property
    def ratio(self) -> float:
        return self.large_ms / self.seeded_ms

    @property
    def cpu_ratio(self) -> float:
        return self.large_cpu_ms / self.seeded_cpu_ms

    @property
    def met(self) -> bool:
        return self.seeded_ms <= TIME_TARGET_MS and self.ratio <= RATIO_TARGET

    def line(self) -> str:
        return (
            f"{self.chart:30} {self.seeded_ms:9.1f}ms {self.large_ms:8.1f}ms {self.ratio:5.2f}x  "
            f"{self.seeded_cpu_ms:8.1f}ms {self.large_cpu_ms:8.1f}ms {self.cpu_ratio:5.2f}x  "
            f"{'ok' if self.met else 'MISSED'}"
        )


HEADER = (
    f"{'chart':30} {'seeded p50':>11} {'large p50':>10} {'ratio':>6}  "
    f"{'CPU seeded':>10} {'CPU large':>10} {'ratio':>6}  verdict (wall)"
)


def run(
    backend: str,
    runs: int,
    repeat: int,
    only: list[str] | None = None,
    postgres_url: str | None = None,
    echo: Callable[[str], None] = print,
) -> list[Timing]:
    """Every chart (or `only` these) timed on the seeded graph and on one with `runs` more
    benchmark runs, alternating, `repeat` times each."""
    build_of = builders(only)
    timings = []
    with (
        tempfile.TemporaryDirectory() as folder,
        seeded_database(backend, Path(folder), "seeded", postgres_url) as small_url,
        seeded_database(backend, Path(folder), "large", postgres_url) as large_url,
    ):
        small = create_db_engine(small_url)
        large = create_db_engine(large_url)
        add_runs(large, runs)
        # Planner statistics on both graphs, as a database that has run a while has them.
        for engine in (small, large):
            analyze(engine)
        echo(f"{backend}: seeded survey vs the survey + {runs:,} benchmark runs")
        echo(f"load average at start: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
        echo(HEADER)
        for name, build in build_of.items():
            time_ms(small, build), time_ms(large, build)  # warm caches and imports
            seeded: list[tuple[float, float]] = []
            grown: list[tuple[float, float]] = []
            for _ in range(repeat):
                seeded.append(time_ms(small, build))
                grown.append(time_ms(large, build))
            timing = Timing(
                name,
                *(statistics.median(t[0] for t in x) for x in (seeded, grown)),
                *(statistics.median(t[1] for t in x) for x in (seeded, grown)),
            )
            echo(timing.line())
            timings.append(timing)
        echo(f"load average at end: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
        small.dispose()
        large.dispose()
    return timings


def markdown(backend: str, runs: int, timings: list[Timing]) -> str:
    rows = "\n".join(
        f"| {backend} | {t.chart} | {t.seeded_ms:.1f} ms | {t.large_ms:.1f} ms | "
        f"{t.ratio:.2f}× | {t.seeded_cpu_ms:.1f} ms | {t.large_cpu_ms:.1f} ms | "
        f"{t.cpu_ratio:.2f}× | {'met' if t.met else '**missed**'} |"
        for t in timings
    )
    return (
        f"| database | chart | seeded p50 | +{runs:,} runs p50 | ratio | CPU seeded | CPU large "
        "| CPU ratio | p50 <= 50 ms and <= 2x |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n" + rows
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--postgres-url")
    parser.add_argument(
        "--chart", action="append", help="time only this chart (repeatable); default: all"
    )
    args = parser.parse_args(argv)
    run(args.backend, args.runs, args.repeat, args.chart, args.postgres_url)


if __name__ == "__main__":
    main()
