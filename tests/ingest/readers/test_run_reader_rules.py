"""The rules the OpenAPI document states for result files, enforced by the readers: bounds,
required headline numbers, fields read under two names, numbers given twice, repeated runs."""

import json
from typing import Any

import pytest

from api.errors import InvalidInputError
from api.services.ingest.readers.runs import RunContext, RunRecord, read_runs

VLLM: dict[str, Any] = {
    "date": "20260314-190304",
    "model_id": "zai-org/GLM-4.7",
    "max_concurrency": 1,
    "request_throughput": 0.0275,
    "mean_ttft_ms": 166.4,
}
MLPERF_ROW: dict[str, Any] = {
    "ID": "4.1-0001",
    "Model": "llama2-70b-99",
    "Scenario": "Offline",
    "Result": 1234.5,
    "Units": "Tokens/s",
}


def _read(data: Any, context: RunContext | None = None) -> list[RunRecord]:
    return read_runs(json.dumps(data), file="f.json", context=context)[1]


def _problems(data: Any) -> list[tuple[str | None, str]]:
    with pytest.raises(InvalidInputError) as refused:
        _read(data)
    return [(p.location, p.message) for p in refused.value.problems]


def test_counts_are_bounded_by_the_integer_columns() -> None:
    assert _read({**VLLM, "max_concurrency": 2**31 - 1})[0].concurrency == 2**31 - 1
    assert _problems({**VLLM, "max_concurrency": 2**31}) == [
        ("f.json:$.max_concurrency", "larger than 2147483647: 2147483648")
    ]
    assert _problems({**VLLM, "max_concurrency": 10**400})[0][1].startswith("not a finite")
    row = {**MLPERF_ROW, "a#": 65536}
    assert _problems([row]) == [("f.json:$[0].a#", "larger than 65535: 65536")]
    assert _read([{**MLPERF_ROW, "a#": 65535, "Nodes": 32767}])[0].device_count == 65535 * 32767


def test_times_end_with_the_year_9999_and_are_numbers() -> None:
    llmperf = {
        "model": "meta-llama/Llama-2-70b-chat-hf",
        "framework": "groq",
        "num_concurrent_requests": 5,
        "results_mean_output_throughput_token_per_s": 185.0,
        "timestamp": 1_700_000_000,
    }
    assert str(_read(llmperf)[0].measured_on) == "2023-11-14"
    assert _problems({**llmperf, "timestamp": 1e12}) == [
        ("f.json:$.timestamp", "a time after the year 9999: 1000000000000.0")
    ]
    assert _problems({**llmperf, "timestamp": "1700000000"})[0][1].startswith("not a number")
    assert _problems({**llmperf, "mean_input_tokens": 1e10})[0][0] == "f.json:$.mean_input_tokens"


def test_each_format_needs_its_headline_number() -> None:
    assert _problems({**VLLM, "request_throughput": None}) == [
        ("f.json:$.request_throughput", "missing")
    ]
    row = {"model": "m", "hw": "h200", "framework": "sglang", "tput_per_gpu": None, "conc": 4}
    assert _problems([row]) == [("f.json:$[0].tput_per_gpu", "missing")]
    benchmark = {
        "id_": "b1",
        "args": {"strategy": {"type_": "synchronous"}},
        "metrics": {"request_latency": {"successful": {"mean": 1.5}}},
    }
    assert _problems({"benchmarks": [benchmark]}) == [
        ("f.json:$.benchmarks[0].metrics.requests_per_second.successful.mean", "missing")
    ]
    benchmark["metrics"] = {"requests_per_second": {"successful": {"mean": 2, "percentiles": 3}}}
    assert _problems({"benchmarks": [benchmark]})[0] == (
        "f.json:$.benchmarks[0].metrics.requests_per_second.successful.percentiles",
        "expected an object",
    )


def test_a_number_given_twice_is_refused() -> None:
    assert _problems({**VLLM, "request_goodput": 1.0, "request_goodput:": 1.0}) == [
        ("f.json:$", "request_goodput: and request_goodput both give the value request_goodput")
    ]


def test_fields_under_two_names_are_checked_under_both() -> None:
    assert _problems([{**MLPERF_ROW, "Submitter": "AMD", "Organization": {"x": 1}}]) == [
        ("f.json:$[0].Organization", "not text: \"{'x': 1}\"")
    ]


def test_power_units_are_checked_wherever_given() -> None:
    assert _problems([{**MLPERF_ROW, "Power_Units": "bananas"}]) == [
        ("f.json:$[0].Power_Units", "unknown power unit")
    ]
    assert _problems([{**MLPERF_ROW, "Power_Result": 410.0}]) == [
        ("f.json:$[0].Power_Units", "missing: Power_Result needs its unit")
    ]
    (record,) = _read([{**MLPERF_ROW, "Power_Result": 410.0, "Power_Units": "Watts"}])
    assert [(m.metric, m.value) for m in record.measurements][-1] == ("power", 410.0)


def test_every_gpu_count_of_an_inferencex_row_is_checked() -> None:
    row = {"model": "m", "hw": "h200", "framework": "sglang", "tput_per_gpu": 10.0}
    assert _problems([{**row, "num_decode_gpu": 4, "tp": "x"}]) == [
        ("f.json:$[0].tp", "not a number: 'x'")
    ]
    assert _read([{**row, "num_decode_gpu": 4, "num_prefill_gpu": 2}])[0].device_count == 6


def test_a_run_reported_twice_is_kept_twice_by_its_place() -> None:
    rows = [MLPERF_ROW, {**MLPERF_ROW, "Result": 1300.0}, {**MLPERF_ROW, "ID": "4.1-0001"}]
    records = _read(rows)
    assert [(r.record_id, r.path) for r in records] == [
        ("4.1-0001/llama2-70b-99/Offline", "$[0]"),
        ("4.1-0001/llama2-70b-99/Offline#2", "$[1]"),
        ("4.1-0001/llama2-70b-99/Offline#3", "$[2]"),
    ]
    # A literal `#2` id already in the file is not taken by the numbering.
    literal = {**MLPERF_ROW, "Scenario": "Offline#2"}
    assert [r.record_id for r in _read([MLPERF_ROW, literal, MLPERF_ROW])] == [
        "4.1-0001/llama2-70b-99/Offline",
        "4.1-0001/llama2-70b-99/Offline#2",
        "4.1-0001/llama2-70b-99/Offline#3",
    ]


def test_a_given_engine_may_carry_its_version_and_names_are_not_blank() -> None:
    (record,) = _read(VLLM, RunContext(engine="vLLM 0.6.3"))
    assert (record.engine, record.engine_candidates) == ("vLLM 0.6.3", (("vLLM", "0.6.3"),))
    (record,) = _read(VLLM, RunContext(engine="vLLM 0.6.3", engine_version="0.7.0"))
    assert record.engine_candidates == (("vLLM", "0.7.0"),)
    with pytest.raises(InvalidInputError) as refused:
        _read(VLLM, RunContext(device="   "))
    assert [(p.field, p.message) for p in refused.value.problems] == [("device", "blank")]
