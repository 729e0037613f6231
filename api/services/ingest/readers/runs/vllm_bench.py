"""`vllm bench serve --save-result` JSON (and the older `benchmarks/benchmark_serving.py`).

One object per run. Latencies are `<statistic>_<metric>_ms` (mean, median, std, p99, and any
`--metric-percentiles`); throughputs are request/s and tokens/s. Older versions wrote the key
`request_goodput:` with a stray colon (null unless goodput SLOs were given); newer ones write
`request_goodput`. The file does not say which server, version, device or precision ran:
`backend` is the client's request protocol (`vllm`, `openai-chat`, …), not the engine, so those
come from the importer's context options or stay empty.
"""

import re
from datetime import date, datetime
from typing import Any

from api.services.ingest.readers.runs.records import (
    FileProblems,
    Measurement,
    RunRecord,
    measurement,
    number,
    seconds,
    split_model,
    statistic_name,
    text,
    whole,
)

FORMAT = "vllm-bench"

_LATENCY = re.compile(
    r"^(?P<stat>mean|median|std|p\d+(?:\.\d+)?)_(?P<metric>ttft|tpot|itl|e2el)_ms$"
)
_LATENCY_METRICS = {"ttft": "ttft", "tpot": "tpot", "itl": "itl", "e2el": "e2e_latency"}
_THROUGHPUTS = {
    "request_throughput": ("request_throughput", "requests/s"),
    "request_goodput": ("request_goodput", "requests/s"),
    "request_goodput:": ("request_goodput", "requests/s"),
    "output_throughput": ("output_throughput", "tokens/s"),
    "total_token_throughput": ("token_throughput", "tokens/s"),
}
_LENGTH_KEYS = {
    "input": ("random_input_len", "input_len", "sonnet_input_len"),
    "output": ("random_output_len", "output_len", "sonnet_output_len"),
}


def looks_like(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and "request_throughput" in data
        and any(_LATENCY.match(key) for key in data)
    )


def read(data: Any, file: str) -> list[RunRecord]:
    problems = FileProblems(file, FORMAT)
    if not isinstance(data, dict):
        raise problems.fail("$", "expected an object (one saved result)", type(data).__name__)

    def get(key: str, convert: Any) -> Any:
        try:
            return convert(data.get(key))
        except ValueError as error:
            problems.add(f"$.{key}", str(error), data.get(key))
            return None

    model = get("model_id", text)
    if model is None:
        problems.add("$.model_id", "missing")
    # Every saved result has its request throughput (completed requests over the duration).
    if "request_throughput" not in data or get("request_throughput", number) is None:
        problems.add("$.request_throughput", "missing", data.get("request_throughput"))
    found: list[Measurement] = []
    for key, value in data.items():
        if key in _THROUGHPUTS:
            metric, unit = _THROUGHPUTS[key]
            amount = get(key, number)
            if amount is not None:
                found.append(
                    measurement(
                        metric,
                        "value",
                        amount,
                        source_field=key,
                        source_value=value,
                        source_unit=unit,
                    )
                )
            continue
        match = _LATENCY.match(key)
        if match:
            amount = get(key, number)
            if amount is not None:
                found.append(
                    measurement(
                        _LATENCY_METRICS[match.group("metric")],
                        statistic_name(match.group("stat")),
                        seconds(amount, "ms"),
                        source_field=key,
                        source_value=value,
                        source_unit="ms",
                    )
                )
    concurrency = get("max_concurrency", whole)
    rate_text = data.get("request_rate")
    rate = get("request_rate", number)  # "inf" (send all at once) is no rate
    started = _date(data.get("date"), problems)
    # Every length key is checked, though the first one given is the one kept.
    given = {key: get(key, whole) for keys in _LENGTH_KEYS.values() for key in keys}
    lengths = {
        side: next((given[key] for key in keys if given[key] is not None), None)
        for side, keys in _LENGTH_KEYS.items()
    }
    problems.raise_if_any()
    if not found:
        raise problems.fail("$", "no throughput or latency metrics")
    assert model is not None
    model_name, variant = split_model(model)
    stamp = text(data.get("date")) or "undated"
    legacy = "request_goodput:" in data
    context = {
        key: data[key]
        for key in ("backend", "label", "tokenizer_id", "num_prompts", "burstiness", "completed")
        if isinstance(data.get(key), str | int | float)
    }
    context["request_rate"] = rate_text if isinstance(rate_text, str | int | float) else None
    return [
        RunRecord(
            format=FORMAT,
            format_version="legacy (request_goodput:)" if legacy else None,
            file=file,
            record_id=f"{stamp}/{model}/c{concurrency or 'max'}/r{rate_text}",
            path="$",
            model=model,
            model_name=model_name,
            model_variant=variant,
            scenario="serve",
            input_tokens=lengths["input"],
            output_tokens=lengths["output"],
            concurrency=concurrency,
            request_rate=rate,
            measured_on=started,
            measurements=tuple(found),
            context=context,
        )
    ]


def _date(value: Any, problems: FileProblems) -> date | None:
    """vLLM writes the start time as `20260314-190304` (local time of the client)."""
    if value is None:
        return None
    try:
        return datetime.strptime(str(value), "%Y%m%d-%H%M%S").date()
    except ValueError:
        problems.add("$.date", "not a YYYYMMDD-HHMMSS time", value)
        return None
