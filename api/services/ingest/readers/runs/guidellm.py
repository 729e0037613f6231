"""GuideLLM benchmarks reports, v0.3 schema (`guidellm benchmark … --output-path x.json`).

`{"benchmarks": [...]}`; each benchmark (`type_: generative_benchmark`) has its own `id_`, the
scheduling strategy it ran (`args.strategy`: synchronous, throughput, concurrent with
`streams`, constant / poisson with `rate`), the target (`worker.backend_model`), the requested
data (`request_loader.data`, e.g. `prompt_tokens=256,output_tokens=128`), and per metric the
distributions of `successful`, `errored`, `incomplete` and `total` requests. Only `successful`
is read. Units differ by metric: `*_ms` in milliseconds, `request_latency` in seconds.
"""

import re
from typing import Any

from api.services.ingest.readers.runs.records import (
    FieldError,
    FileProblems,
    Measurement,
    RunRecord,
    json_items,
    measurement,
    number,
    seconds,
    split_model,
    text,
    utc_day,
    whole,
)

FORMAT = "guidellm"

# metric in the report → (our metric, the report's unit)
_METRICS = {
    "requests_per_second": ("request_throughput", "requests/s"),
    "request_latency": ("e2e_latency", "s"),
    "time_to_first_token_ms": ("ttft", "ms"),
    "time_per_output_token_ms": ("tpot", "ms"),
    "inter_token_latency_ms": ("itl", "ms"),
    "output_tokens_per_second": ("output_throughput", "tokens/s"),
    "tokens_per_second": ("token_throughput", "tokens/s"),
}
_STATISTICS = {"mean": "mean", "median": "median", "std_dev": "std", "min": "min", "max": "max"}
# GuideLLM's percentile keys drop the decimal point: p001 is the 0.1th, p999 the 99.9th.
_PERCENTILES = {
    "p001": "p0.1",
    "p01": "p1",
    "p05": "p5",
    "p10": "p10",
    "p25": "p25",
    "p50": "p50",
    "p75": "p75",
    "p90": "p90",
    "p95": "p95",
    "p99": "p99",
    "p999": "p99.9",
}
_DATA_LENGTHS = re.compile(r"(prompt_tokens|output_tokens)=(\d+)")


def looks_like(data: Any) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        return False
    first = data["benchmarks"][0] if data["benchmarks"] else None
    return isinstance(first, dict) and "metrics" in first and "args" in first


def read(data: Any, file: str) -> list[RunRecord]:
    problems = FileProblems(file, FORMAT)
    if not isinstance(data, dict) or "benchmarks" not in data:
        raise problems.fail("$", "expected an object with `benchmarks`")
    version = _version(data)
    records: list[RunRecord] = []
    for path, benchmark in json_items(data["benchmarks"], "$.benchmarks", problems):
        if not isinstance(benchmark, dict):
            problems.add(path, "expected an object (one benchmark)", type(benchmark).__name__)
            continue
        try:
            records.append(_record(benchmark, path, file, version))
        except FieldError as error:
            problems.add(f"{path}.{error.field}", error.message, error.value)
    problems.raise_if_any()
    return records


def _version(data: dict[str, Any]) -> str:
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("guidellm_version"), str):
        return str(metadata["guidellm_version"])
    return "0.3"


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _record(benchmark: dict[str, Any], path: str, file: str, version: str) -> RunRecord:
    benchmark_id = benchmark.get("id_")
    if not isinstance(benchmark_id, str) or not benchmark_id.strip():
        raise FieldError("id_", "missing benchmark id", benchmark_id)
    if len(benchmark_id) > 300:
        raise FieldError("id_", "longer than 300 characters", benchmark_id)
    strategy = _dig(benchmark, "args", "strategy")
    if not isinstance(strategy, dict) or not isinstance(strategy.get("type_"), str):
        raise FieldError("args.strategy.type_", "missing scheduling strategy")
    try:
        model = text(_dig(benchmark, "worker", "backend_model"))
        streams = whole(strategy.get("streams"))
        rate = number(strategy.get("rate"))
    except ValueError as error:
        raise FieldError("args.strategy", str(error)) from None
    data_spec = _dig(benchmark, "request_loader", "data")
    lengths = dict(_DATA_LENGTHS.findall(data_spec)) if isinstance(data_spec, str) else {}
    metrics = benchmark.get("metrics")
    if not isinstance(metrics, dict):
        raise FieldError("metrics", "missing metrics")
    found: list[Measurement] = []
    for name, (metric, unit) in _METRICS.items():
        entry = metrics.get(name)
        if entry is not None and not isinstance(entry, dict):
            raise FieldError(f"metrics.{name}", "expected an object", type(entry).__name__)
        distribution = _dig(entry, "successful")
        if distribution is None:
            continue
        if not isinstance(distribution, dict):
            raise FieldError(f"metrics.{name}.successful", "expected an object")
        found.extend(_distribution(distribution, f"metrics.{name}.successful", metric, unit))
    if not any(m.metric == "request_throughput" and m.statistic == "mean" for m in found):
        # GuideLLM reports it for every benchmark: without it this is no benchmark result.
        raise FieldError("metrics.requests_per_second.successful.mean", "missing")
    started = benchmark.get("start_time")
    try:
        measured = utc_day(started)
    except ValueError as error:
        raise FieldError("start_time", str(error), started) from None
    model_name, variant = split_model(model) if model else (None, None)
    kind = strategy["type_"]
    return RunRecord(
        format=FORMAT,
        format_version=version,
        file=file,
        record_id=benchmark_id.strip(),
        path=path,
        model=model,
        model_name=model_name,
        model_variant=variant,
        scenario=kind,
        input_tokens=int(lengths["prompt_tokens"]) if "prompt_tokens" in lengths else None,
        output_tokens=int(lengths["output_tokens"]) if "output_tokens" in lengths else None,
        concurrency=streams if kind == "concurrent" else (1 if kind == "synchronous" else None),
        request_rate=rate if kind in ("constant", "poisson") and rate and rate > 0 else None,
        measured_on=measured,
        measurements=tuple(found),
        context={
            key: value
            for key, value in {
                "run_id": benchmark.get("run_id"),
                "backend_type": _dig(benchmark, "worker", "backend_type"),
                "backend_target": _dig(benchmark, "worker", "backend_target"),
                "data": data_spec,
                "strategy": kind,
            }.items()
            if isinstance(value, str)
        },
    )


def _distribution(
    distribution: dict[str, Any], where: str, metric: str, unit: str
) -> list[Measurement]:
    found: list[Measurement] = []
    items = [(f"{where}.{key}", key, stat) for key, stat in _STATISTICS.items()]
    percentiles = distribution.get("percentiles")
    if percentiles is not None and not isinstance(percentiles, dict):
        raise FieldError(f"{where}.percentiles", "expected an object", type(percentiles).__name__)
    if isinstance(percentiles, dict):
        for key, value in percentiles.items():
            if key not in _PERCENTILES:
                raise FieldError(f"{where}.percentiles.{key}", "unknown percentile", value)
        items += [
            (f"{where}.percentiles.{key}", key, stat)
            for key, stat in _PERCENTILES.items()
            if key in percentiles
        ]
    for field, key, stat in items:
        raw = percentiles.get(key) if ".percentiles." in field and percentiles else None
        if ".percentiles." not in field:
            raw = distribution.get(key)
        try:
            value = number(raw)
        except ValueError as error:
            raise FieldError(field, str(error), raw) from None
        if value is None:
            continue
        stored = seconds(value, unit) if unit in ("ms", "s") else value
        found.append(
            measurement(
                metric, stat, stored, source_field=field, source_value=raw, source_unit=unit
            )
        )
    return found
