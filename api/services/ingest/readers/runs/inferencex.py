"""InferenceX aggregated results (SemiAnalysisAI/InferenceX `utils/process_result.py` rows,
gathered into one list by `utils/collect_results.py`; a single `agg_*.json` object is read too).

Each row is one configuration: `hw` (the runner, e.g. `h200`, `mi300x`), `framework`,
`precision`, `model`, `isl`/`osl`, `conc`, parallelism (`tp`, `ep`, `dp_attention`; since
late 2025 `prefill_*`/`decode_*` and `num_prefill_gpu`/`num_decode_gpu` for disaggregated
runs). Throughputs are tokens/s **per GPU** (`tput_per_gpu`, `output_tput_per_gpu`,
`input_tput_per_gpu`; `*_tps` are deployment totals). Latencies drop vLLM's `_ms` suffix and
are in **seconds** (`median_ttft`, `p99_tpot`, …); `*_intvty` is 1 / TPOT, tokens/s per user.
"""

import re
from typing import Any

from api.services.ingest.readers.runs.records import (
    FileProblems,
    Measurement,
    RunRecord,
    json_items,
    measurement,
    number,
    split_model,
    statistic_name,
    text,
    whole,
)

FORMAT = "inferencex"
GPU_LIMIT = 1_000_000
"""The most GPUs one side (prefill or decode) of a deployment is read with."""

_IDENTITY = (
    "infmax_model_prefix",
    "model",
    "hw",
    "framework",
    "precision",
    "isl",
    "osl",
    "conc",
    "tp",
    "ep",
    "dp_attention",
    "mtp",
    "spec_decoding",
    "disagg",
    "prefill_tp",
    "prefill_ep",
    "prefill_num_workers",
    "decode_tp",
    "decode_ep",
    "decode_num_workers",
    "image",
)
_PER_GPU = {
    "tput_per_gpu": "token_throughput",
    "output_tput_per_gpu": "output_throughput",
    "input_tput_per_gpu": "input_throughput",
}
_TOTALS = {
    "total_tput_tps": "token_throughput",
    "output_tput_tps": "output_throughput",
    "input_tput_tps": "input_throughput",
}
_LATENCY = re.compile(
    r"^(?P<stat>mean|median|std|p\d+(?:\.\d+)?)_(?P<metric>ttft|tpot|itl|e2el|intvty)$"
)
_LATENCY_METRICS = {
    "ttft": "ttft",
    "tpot": "tpot",
    "itl": "itl",
    "e2el": "e2e_latency",
    "intvty": "interactivity",
}
_IMAGE_VERSION = re.compile(r":v?(\d+(?:\.\d+)+[\w.+\-]*)$")


def looks_like(data: Any) -> bool:
    row = data[0] if isinstance(data, list) and data else data
    return isinstance(row, dict) and "hw" in row and "tput_per_gpu" in row


def read(data: Any, file: str) -> list[RunRecord]:
    problems = FileProblems(file, FORMAT)
    rows = list(json_items(data, "$", problems)) if isinstance(data, list) else [("$", data)]
    records: list[RunRecord] = []
    for path, row in rows:
        if not isinstance(row, dict):
            problems.add(path, "expected an object (one configuration)", type(row).__name__)
            continue
        record = _record(row, path, file, problems)
        if record is None:
            continue
        records.append(record)
    problems.raise_if_any()
    return records


def _record(row: dict[str, Any], path: str, file: str, problems: FileProblems) -> RunRecord | None:
    before = len(problems.problems)

    def get(key: str, convert: Any, *, required: bool = False) -> Any:
        try:
            value = convert(row.get(key))
        except ValueError as error:
            problems.add(f"{path}.{key}", str(error), row.get(key))
            return None
        if required and value is None:
            problems.add(f"{path}.{key}", "missing")
        return value

    model = get("model", text, required=True)
    hw = get("hw", text, required=True)
    framework = get("framework", text, required=True)
    concurrency = get("conc", whole)
    get("tput_per_gpu", number, required=True)  # the number every row reports
    multinode = "num_decode_gpu" in row or "prefill_tp" in row

    def gpus_of(value: Any) -> int | None:
        return whole(value, GPU_LIMIT)

    # All three are checked; which gives the GPU count depends on the kind of deployment.
    tensor_parallel = get("tp", whole)
    prefill = get("num_prefill_gpu", gpus_of) or 0
    decode = get("num_decode_gpu", gpus_of) or 0
    gpus = ((prefill + decode) or None) if multinode else tensor_parallel
    found: list[Measurement] = []
    for key, value in row.items():
        metric = _PER_GPU.get(key) or _TOTALS.get(key)
        match = _LATENCY.match(key) if metric is None else None
        if metric is None and match is None:
            continue
        amount = get(key, number)
        if amount is None:
            continue
        if match:
            metric = _LATENCY_METRICS[match.group("metric")]
            unit = "tokens/s" if metric == "interactivity" else "s"
            found.append(
                measurement(
                    metric,
                    statistic_name(match.group("stat")),
                    amount,
                    source_field=key,
                    source_value=value,
                    source_unit=unit,
                )
            )
        else:
            assert metric is not None
            found.append(
                measurement(
                    metric,
                    "value",
                    amount,
                    source_field=key,
                    source_value=value,
                    source_unit="tokens/s/gpu" if key in _PER_GPU else "tokens/s",
                    per_device=key in _PER_GPU,
                )
            )
    if len(problems.problems) > before:
        return None
    if not found:
        problems.add(path, "no throughput or latency metrics")
        return None
    assert model and hw and framework
    image = row.get("image") if isinstance(row.get("image"), str) else None
    version_match = _IMAGE_VERSION.search(image) if image else None
    model_name, variant = split_model(model)
    identity = "/".join(f"{key}={row[key]}" for key in _IDENTITY if row.get(key) is not None)
    precision = row.get("precision") if isinstance(row.get("precision"), str) else None
    return RunRecord(
        format=FORMAT,
        format_version="v2" if multinode else "v1",
        file=file,
        record_id=identity,
        path=path,
        engine=framework,
        engine_candidates=((framework, version_match.group(1) if version_match else None),),
        model=model,
        model_name=model_name,
        model_variant=variant,
        device=hw,
        device_count=gpus,
        scenario="disaggregated" if row.get("disagg") in (True, "true") else "serve",
        input_tokens=get("isl", whole),
        output_tokens=get("osl", whole),
        concurrency=concurrency,
        precision=precision.casefold() if precision else None,
        measured_on=None,
        measurements=tuple(found),
        context={
            key: row[key]
            for key in ("image", "tp", "ep", "dp_attention", "infmax_model_prefix", "date")
            if isinstance(row.get(key), str | int | float)
        },
    )
