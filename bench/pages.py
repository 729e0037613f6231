"""Server time and weight of the web pages, on the seeded survey and on the 100,000-paper graph.

    python -m bench.pages [--backend sqlite|postgresql] [--repeat 15] [--factor 1.0]
                          [--postgres-url URL]

The graphs are those of `bench/scale.py` (the survey; the survey grown by
`bench/scale_data.py`), the app runs in-process with the response cache off, so every request
renders its page from the database. Each page is timed on both graphs alternately; the report
gives the median (p50) per page and graph, the ratio scale / survey (target <= 1.5x) and the
page weight without images: the HTML plus every stylesheet and script it loads, as sent
(target <= 200 KB, on the survey). The API explorers (GraphiQL, Swagger UI, ReDoc) load the
vendored bundles of those projects; their weight is reported apart.
"""

import argparse
import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.db import create_db_engine
from bench.databases import fresh_database, seeded_database
from bench.scale import vacuum
from bench.scale_data import ScaleSize, build_scale_graph

TIME_TARGET_MS = 50.0
RATIO_TARGET = 1.5
WEIGHT_TARGET_KB = 200.0
PAGES = [
    "/",
    "/search?q=attention",
    "/engines",
    "/engines?filter=platform:amd-instinct&sort=-stars",
    "/engines/vllm",
    "/organizations/vllm-team",
    "/techniques",
    "/techniques/paged-attention",
    "/categories",
    "/papers",
    "/papers?filter=technique:paged-attention",
    "/papers/kwon2023efficient",
    "/platforms/amd-instinct",
    "/precisions/fp8",
    "/benchmark-runs",
    "/model-prices",
    "/matrices/optimization",
    "/matrices/hardware",
    "/matrices/precision",
    "/compare?engine=vllm&engine=sglang&engine=llama-cpp",
    "/requirements?technique=speculative-decoding&platform=amd-instinct&precision=fp8",
]
EXPLORERS = ["/graphql", "/docs", "/redoc"]
_LOADED = re.compile(r'<(?:script|link)\b[^>]*?\b(?:src|href)="(/[^"]+\.(?:js|css))"')


@dataclass(frozen=True)
class PageTiming:
    path: str
    survey_ms: float
    scale_ms: float
    survey_kb: float
    scale_kb: float

    @property
    def ratio(self) -> float:
        return self.scale_ms / self.survey_ms


def client(url: str) -> TestClient:
    return TestClient(
        create_app(Settings(database_url=url, response_cache_bytes=0)),
        headers={"accept": "text/html"},
    )


def weight_kb(web: TestClient, path: str) -> float:
    """The page and its stylesheets and scripts, uncompressed, as the server sends them."""
    page = web.get(path)
    assert page.status_code == 200, (path, page.status_code, page.text[:300])
    assets = sum(len(web.get(asset).content) for asset in set(_LOADED.findall(page.text)))
    return (len(page.content) + assets) / 1024


def time_pages(survey: TestClient, scale: TestClient, repeat: int) -> list[PageTiming]:
    for path in PAGES:  # warm-up: plans, templates, lazy imports
        survey.get(path)
        scale.get(path)
    samples: dict[str, tuple[list[float], list[float]]] = {p: ([], []) for p in PAGES}
    for _ in range(repeat):
        for path in PAGES:
            for web, bucket in ((survey, samples[path][0]), (scale, samples[path][1])):
                began = time.perf_counter()
                response = web.get(path)
                bucket.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, (path, response.status_code)
    return [
        PageTiming(
            path,
            statistics.median(samples[path][0]),
            statistics.median(samples[path][1]),
            weight_kb(survey, path),
            weight_kb(scale, path),
        )
        for path in PAGES
    ]


def run(
    backend: str, *, repeat: int = 15, factor: float = 1.0, postgres_url: str | None = None
) -> tuple[list[PageTiming], dict[str, float], dict[str, int]]:
    size = ScaleSize().scaled(factor)
    with (
        tempfile.TemporaryDirectory() as tmp,
        seeded_database(backend, Path(tmp), "survey", postgres_url) as survey_url,
        fresh_database(backend, Path(tmp), "scale", postgres_url) as scale_url,
    ):
        engine = create_db_engine(scale_url)
        counts = build_scale_graph(engine, size)
        engine.dispose()
        vacuum(survey_url)
        vacuum(scale_url)
        survey, scale = client(survey_url), client(scale_url)
        timings = time_pages(survey, scale, repeat)
        explorers = {path: weight_kb(survey, path) for path in EXPLORERS}
    return timings, explorers, counts


def markdown(
    backend: str,
    timings: list[PageTiming],
    explorers: dict[str, float],
    counts: dict[str, int],
) -> str:
    lines = [
        f"### Pages on {backend} (survey vs. {counts.get('paper', 0):,} papers, "
        f"{counts.get('engine', 0)} engines)",
        "",
        "| page | p50 survey | p50 scale | scale / survey | weight survey | weight scale |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for t in timings:
        lines.append(
            f"| `{t.path}` | {t.survey_ms:.1f} ms | {t.scale_ms:.1f} ms | {t.ratio:.2f}x "
            f"| {t.survey_kb:.0f} KB | {t.scale_kb:.0f} KB |"
        )
    worst_time = max(timings, key=lambda t: t.survey_ms)
    worst_ratio = max(timings, key=lambda t: t.ratio)
    heaviest = max(timings, key=lambda t: t.survey_kb)
    verdict = [
        (
            "slowest page on the survey",
            f"{worst_time.survey_ms:.1f} ms",
            f"<= {TIME_TARGET_MS:g} ms",
            worst_time.survey_ms <= TIME_TARGET_MS,
            worst_time.path,
        ),
        (
            "largest scale / survey",
            f"{worst_ratio.ratio:.2f}x",
            f"<= {RATIO_TARGET:g}x",
            worst_ratio.ratio <= RATIO_TARGET,
            worst_ratio.path,
        ),
        (
            "heaviest page (survey)",
            f"{heaviest.survey_kb:.0f} KB",
            f"<= {WEIGHT_TARGET_KB:g} KB",
            heaviest.survey_kb <= WEIGHT_TARGET_KB,
            heaviest.path,
        ),
    ]
    lines += ["", "| target | measured | goal | | page |", "| --- | --- | --- | --- | --- |"]
    for name, value, goal, met, path in verdict:
        lines.append(f"| {name} | {value} | {goal} | {'met' if met else 'MISSED'} | `{path}` |")
    lines += [
        "",
        "API explorers (vendored bundles, not counted above): "
        + ", ".join(f"`{path}` {kb:,.0f} KB" for path, kb in explorers.items())
        + ".",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--factor", type=float, default=1.0)
    parser.add_argument("--postgres-url")
    args = parser.parse_args()
    timings, explorers, counts = run(
        args.backend, repeat=args.repeat, factor=args.factor, postgres_url=args.postgres_url
    )
    print(markdown(args.backend, timings, explorers, counts))


if __name__ == "__main__":
    main()
