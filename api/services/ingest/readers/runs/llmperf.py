"""ray-project/llmperf summary JSON (`*_summary.json`, as in llmperf-leaderboard).

One object per run: one provider (`framework`), one model, one concurrency. Metrics are flat
keys `results_<metric>_<statistic>` with quantiles as `results_<metric>_quantiles_p90`;
latencies in seconds (`_s`), per-request throughput in tokens/s.
"""

import re
from typing import Any

from api.services.ingest.readers.runs.records import (
    FileProblems,
    Measurement,
    RunRecord,
    measurement,
    number,
    rounded_length,
    split_model,
    statistic_name,
    text,
    utc_day,
    whole,
)

FORMAT = "llmperf"

_METRICS = {
    "inter_token_latency_s": "itl",
    "ttft_s": "ttft",
    "end_to_end_latency_s": "e2e_latency",
    "request_output_throughput_token_per_s": "request_output_throughput",
}
_KEY = re.compile(
    r"^results_(?P<metric>" + "|".join(_METRICS) + r")_(?:quantiles_)?(?P<stat>[a-z0-9]+)$"
)


def looks_like(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and "num_concurrent_requests" in data
        and any(key.startswith("results_") for key in data)
    )


def read(data: Any, file: str) -> list[RunRecord]:
    problems = FileProblems(file, FORMAT)
    if not isinstance(data, dict):
        raise problems.fail("$", "expected an object (one llmperf summary)", type(data).__name__)

    def get(key: str, convert: Any, *, required: bool = False) -> Any:
        try:
            value = convert(data.get(key))
        except ValueError as error:
            problems.add(f"$.{key}", str(error), data.get(key))
            return None
        if required and value is None:
            problems.add(f"$.{key}", "missing")
        return value

    model = get("model", text, required=True)
    framework = get("framework", text, required=True)
    name = get("name", text)
    concurrency = get("num_concurrent_requests", whole, required=True)
    measured = get("timestamp", utc_day)
    # The requested mean lengths (550 in, 150 out); llmperf varies them by their stddev.
    input_tokens = get("mean_input_tokens", rounded_length)
    output_tokens = get("mean_output_tokens", rounded_length)
    found: list[Measurement] = []
    for key, value in data.items():
        match = _KEY.match(key)
        if not match:
            continue
        try:
            number_value = number(value)
            stat = statistic_name(match.group("stat"))
        except ValueError as error:
            problems.add(f"$.{key}", str(error), value)
            continue
        if number_value is None:
            continue
        found.append(
            measurement(
                _METRICS[match.group("metric")],
                stat,
                number_value,
                source_field=key,
                source_value=value,
                source_unit="tokens/s" if "throughput" in key else "s",
            )
        )
    throughput = get("results_mean_output_throughput_token_per_s", number, required=True)
    if throughput is not None:
        # Total output tokens over the run's duration: one value, though the key says "mean".
        found.append(
            measurement(
                "output_throughput",
                "value",
                throughput,
                source_field="results_mean_output_throughput_token_per_s",
                source_value=data["results_mean_output_throughput_token_per_s"],
                source_unit="tokens/s",
            )
        )
    per_minute = get("results_num_completed_requests_per_min", number)
    if per_minute is not None:
        found.append(
            measurement(
                "request_throughput",
                "value",
                per_minute / 60,
                source_field="results_num_completed_requests_per_min",
                source_value=data["results_num_completed_requests_per_min"],
                source_unit="requests/min",
            )
        )
    problems.raise_if_any()
    if not found:
        raise problems.fail("$", "no results_* metrics")
    model_name, variant = split_model(model)
    version = data.get("version") if isinstance(data.get("version"), str) else None
    context = {
        key: data[key]
        for key in ("name", "api", "model_size", "stddev_input_tokens", "stddev_output_tokens")
        if key in data and isinstance(data[key], str | int | float)
    }
    return [
        RunRecord(
            format=FORMAT,
            format_version=version,
            file=file,
            record_id=f"{framework}/{name or model}/c{concurrency}",
            path="$",
            engine=framework,
            engine_candidates=((framework, None),) if framework else (),
            model=model,
            model_name=model_name,
            model_variant=variant,
            scenario="concurrent",
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            concurrency=concurrency,
            submitter=framework,
            measured_on=measured,
            measurements=tuple(found),
            context=context,
        )
    ]
