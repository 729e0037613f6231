"""The benchmark result readers on the real samples and on variant files: values as stored,
verbatim words kept, and errors that name the file and the JSON path."""

from pathlib import Path

import pytest

from api.errors import InvalidInputError
from api.services.ingest.readers.runs import RunContext, RunRecord, detect_format, read_runs
from api.services.ingest.readers.runs.records import (
    model_key,
    software_candidates,
    split_model,
)

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "benchmarks"
VARIANTS = SAMPLES / "variants"


def _read(path: Path, fmt: str = "auto", **context: object) -> tuple[str, list[RunRecord]]:
    given = RunContext(**context) if context else None  # type: ignore[arg-type]
    return read_runs(path.read_text(encoding="utf-8"), file=path.name, fmt=fmt, context=given)


def _one(records: list[RunRecord], record_id: str) -> RunRecord:
    return next(r for r in records if r.record_id == record_id)


def _value(record: RunRecord, metric: str, statistic: str = "value") -> float:
    return next(
        m.value for m in record.measurements if m.metric == metric and m.statistic == statistic
    )


def test_mlperf_v41_summary() -> None:
    fmt, records = _read(SAMPLES / "mlperf-inference-v4.1-summary_results.json")
    assert fmt == "mlperf"
    assert len(records) == 937
    amd = _one(records, "v4.1-0001/llama2-70b-99/Offline")
    assert amd.path == "$[0]"
    assert amd.format_version == "v4.1"
    assert amd.engine == "vLLM 0.4.3+rocm614, PyTorch 2.3.0, ROCm 6.1.2"
    assert amd.engine_candidates[0] == ("vLLM", "0.4.3+rocm614")
    assert (amd.model, amd.model_name, amd.model_variant) == ("llama2-70b-99", "llama2-70b", "99")
    assert amd.device == "AMD Instinct MI300X-NPS1-SPX-192GB-750W"
    assert amd.device_count == 1
    assert (amd.scenario, amd.precision, amd.submitter) == ("Offline", "fp8", "AMD")
    (throughput,) = amd.measurements
    assert (throughput.metric, throughput.unit, throughput.value) == (
        "output_throughput",
        "tokens/s",
        3062.72,
    )
    assert (throughput.source_field, throughput.source_unit) == ("Performance_Result", "Tokens/s")

    dell = _one(records, "v4.1-0021/llama2-70b-99.9/Server")
    assert (dell.device_count, dell.model_variant, dell.precision) == (8, "99.9", "fp16")
    assert _value(dell, "output_throughput") == 29739.9
    # a# counts accelerators per node: two nodes of eight are sixteen
    assert _one(records, "v4.1-0035/llama2-70b-99/Offline").device_count == 16
    # SingleStream reports its 90th-percentile latency in ms; stored in seconds
    single = _one(records, "v4.1-0012/gptj-99/SingleStream")
    assert _value(single, "latency", "p90") == pytest.approx(4.145572039)
    assert single.measurements[0].source_value == 4145.572039
    power = _one(records, "v4.1-0049/3d-unet-99/Offline")
    assert _value(power, "power") == 4613.6193832599
    energy = _one(records, "v4.1-0068/resnet/MultiStream")
    assert _value(energy, "energy") == pytest.approx(0.0613166966727)
    cpu_only = _one(records, "v4.1-0006/3d-unet-99.9/Offline")
    assert (cpu_only.device, cpu_only.device_count) == (None, None)


def test_mlperf_renamed_fields_of_newer_rounds() -> None:
    fmt, records = _read(VARIANTS / "mlperf-v5-renamed-fields.json")
    assert fmt == "mlperf"
    interactive = _one(records, "5.0-0042/llama2-70b-99.9/Interactive")
    assert interactive.submitter == "ExampleCloud"
    assert interactive.device == "AMD Instinct MI300X-NPS1-SPX-192GB-750W"
    assert interactive.device_count == 8  # Total Accelerators is already the total
    assert interactive.precision == "fp8"  # float8
    assert interactive.context["division"] == "closed"
    assert _value(interactive, "output_throughput") == 20123.5
    server = _one(records, "5.0-0042/llama2-70b-99.9/Server")
    assert _value(server, "power") == 5210.25
    edge = _one(records, "5.0-0107/gptj-99/SingleStream")
    assert _value(edge, "latency", "p90") == pytest.approx(1.8505)
    assert _value(edge, "energy") == pytest.approx(91.234)


def test_llmperf_summaries() -> None:
    fmt, (groq,) = _read(SAMPLES / "llmperf-leaderboard-groq_70b.json")
    assert fmt == "llmperf"
    assert groq.record_id == "groq/llama2-70b-4096_550_150_summary/c5"
    assert (groq.engine, groq.submitter, groq.format_version) == ("groq", "groq", "2023-08-31")
    assert (groq.model_name, groq.model_variant) == ("llama2-70b", "4096")
    assert (groq.input_tokens, groq.output_tokens, groq.concurrency) == (550, 150, 5)
    assert str(groq.measured_on) == "2024-01-10"
    assert _value(groq, "ttft", "p50") == 0.2218883791938424
    assert _value(groq, "itl", "std") == 0.00047732953488306034
    assert _value(groq, "output_throughput") == 441.84737788500206
    assert _value(groq, "request_throughput") == pytest.approx(176.73895115400083 / 60)
    _, (fireworks,) = _read(SAMPLES / "llmperf-leaderboard-fireworks_70b.json")
    assert fireworks.model == "accounts/fireworks/models/llama-v2-70b-chat"
    assert (fireworks.model_name, fireworks.model_variant) == ("llama-v2-70b", "chat")
    assert model_key(fireworks.model_name or "") == model_key(groq.model_name or "")
    _, (together,) = _read(VARIANTS / "llmperf-together-8b-conc1.json")
    assert (together.concurrency, together.input_tokens, together.output_tokens) == (1, 1024, 256)
    assert (together.model_name, together.model_variant) == ("Llama-3.1-8B", "Instruct")
    assert _value(together, "ttft", "p99") == 0.52


def test_vllm_bench_legacy_file_invents_nothing() -> None:
    fmt, (run,) = _read(SAMPLES / "vllm-bench-serve-glm47_conc1.json")
    assert fmt == "vllm-bench"
    assert run.format_version == "legacy (request_goodput:)"
    assert (run.engine, run.device, run.device_count, run.precision) == (None, None, None, None)
    assert run.engine_candidates == ()
    assert (run.concurrency, run.request_rate) == (1, None)
    assert run.context["request_rate"] == "inf"
    assert run.context["backend"] == "vllm"  # the client protocol, kept but not the engine
    assert str(run.measured_on) == "2026-03-14"
    assert _value(run, "ttft", "mean") == pytest.approx(0.166448666100041)
    assert _value(run, "tpot", "p99") == pytest.approx(0.05926201114514417)
    assert _value(run, "token_throughput") == 46.6727709970557
    # `request_goodput:` is null here: no goodput number
    assert not [m for m in run.measurements if m.metric == "request_goodput"]


def test_vllm_bench_with_the_importers_context() -> None:
    _, (run,) = _read(
        SAMPLES / "vllm-bench-serve-glm47_conc1.json",
        engine="vllm",
        engine_version="0.17.1rc1",
        device="Intel Gaudi 3 HL-325L",
        device_count=8,
        precision="BF16",
    )
    assert run.engine_candidates == (("vllm", "0.17.1rc1"),)
    assert (run.device, run.device_count, run.precision) == ("Intel Gaudi 3 HL-325L", 8, "bf16")
    assert run.context["given_by_importer"]["device_count"] == 8


def test_vllm_bench_newer_file() -> None:
    _, (run,) = _read(VARIANTS / "vllm-bench-newer-conc16.json")
    assert (run.concurrency, run.request_rate) == (16, 10.0)
    assert run.format_version is None
    assert _value(run, "request_goodput") == 9.1
    assert _value(run, "ttft", "p90") == pytest.approx(0.0485)
    assert _value(run, "e2e_latency", "p99") == pytest.approx(1.9014)


def test_guidellm_report() -> None:
    fmt, (bench,) = _read(SAMPLES / "guidellm-benchmarks_stripped.json")
    assert fmt == "guidellm"
    assert bench.record_id == "97ece514-8717-412f-9dba-2b42bcd9866f"
    assert bench.path == "$.benchmarks[0]"
    assert (bench.format_version, bench.scenario, bench.concurrency) == ("0.3", "synchronous", 1)
    assert (bench.input_tokens, bench.output_tokens) == (256, 128)
    assert bench.model == "example_model"
    assert _value(bench, "ttft", "mean") == pytest.approx(0.016792535781860348)
    assert _value(bench, "ttft", "p99.9") == pytest.approx(0.021281957626342773)
    # request_latency is in seconds already, unlike the *_ms metrics
    assert _value(bench, "e2e_latency", "mean") == pytest.approx(0.6444743664368339)
    assert _value(bench, "request_throughput", "mean") == 1.5481806532737452
    _, (concurrent, constant) = _read(VARIANTS / "guidellm-concurrent-and-rate.json")
    assert (concurrent.scenario, concurrent.concurrency, concurrent.request_rate) == (
        "concurrent",
        8,
        None,
    )
    assert (constant.scenario, constant.concurrency, constant.request_rate) == (
        "constant",
        None,
        5.0,
    )
    assert _value(concurrent, "ttft", "p99.9") == pytest.approx(0.402)


def test_inferencex_aggregated_rows() -> None:
    fmt, (h200, mi300x, disagg) = _read(VARIANTS / "inferencex-agg.json")
    assert fmt == "inferencex"
    assert (h200.device, h200.device_count, h200.engine_candidates) == (
        "h200",
        8,
        (("sglang", "0.5.2-cu126"),),
    )
    assert (h200.input_tokens, h200.output_tokens, h200.concurrency) == (1024, 1024, 64)
    per_gpu = next(m for m in h200.measurements if m.metric == "output_throughput")
    assert (per_gpu.value, per_gpu.per_device, per_gpu.source_unit) == (
        760.25,
        True,
        "tokens/s/gpu",
    )
    assert _value(h200, "ttft", "median") == 0.412  # already seconds
    assert _value(h200, "interactivity", "median") == 32.15
    assert mi300x.record_id != h200.record_id
    assert (disagg.format_version, disagg.scenario, disagg.device_count) == (
        "v2",
        "disaggregated",
        12,
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("mlperf-inference-v4.1-summary_results.json", "mlperf"),
        ("llmperf-leaderboard-groq_70b.json", "llmperf"),
        ("vllm-bench-serve-glm47_conc1.json", "vllm-bench"),
        ("guidellm-benchmarks_stripped.json", "guidellm"),
        ("variants/inferencex-agg.json", "inferencex"),
        ("variants/mlperf-v5-renamed-fields.json", "mlperf"),
    ],
)
def test_auto_detection(name: str, expected: str) -> None:
    import json

    assert detect_format(json.loads((SAMPLES / name).read_text())) == expected


def test_malformed_mlperf_names_every_bad_path() -> None:
    with pytest.raises(InvalidInputError) as caught:
        _read(VARIANTS / "mlperf-malformed.json")
    where = {p.location: p.message for p in caught.value.problems}
    assert where["mlperf-malformed.json:$[1].Performance_Result"] == "not a number: 'fast'"
    assert "mlperf-malformed.json:$[2].a#" in where  # 2.5 accelerators
    assert "mlperf-malformed.json:$[0]" not in where


def test_truncated_json_names_line_and_column() -> None:
    with pytest.raises(InvalidInputError) as caught:
        _read(VARIANTS / "vllm-truncated.json")
    assert caught.value.problems[0].location == "vllm-truncated.json:1:73"


def test_unknown_content_asks_for_a_format() -> None:
    with pytest.raises(InvalidInputError) as caught:
        _read(VARIANTS / "unknown-format.json")
    assert caught.value.problems[0].location == "unknown-format.json:$"
    with pytest.raises(InvalidInputError) as forced:
        _read(VARIANTS / "unknown-format.json", fmt="llmperf")
    assert {p.location for p in forced.value.problems} >= {"unknown-format.json:$.model"}


def test_a_format_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        _read(SAMPLES / "llmperf-leaderboard-groq_70b.json", fmt="mlperf")
    assert caught.value.problems[0].location == "llmperf-leaderboard-groq_70b.json:$"


@pytest.mark.parametrize(
    ("label", "name", "variant"),
    [
        ("llama2-70b-99.9", "llama2-70b", "99.9"),
        ("gptj-99", "gptj", "99"),
        ("mixtral-8x7b", "mixtral-8x7b", None),
        ("meta-llama/Llama-2-70b-chat-hf", "Llama-2-70b", "chat-hf"),
        ("llama2-70b-4096", "llama2-70b", "4096"),
        ("zai-org/GLM-4.7", "GLM-4.7", None),
    ],
)
def test_model_names_and_variants(label: str, name: str, variant: str | None) -> None:
    assert split_model(label) == (name, variant)


def test_the_three_spellings_of_llama_2_70b_are_one_model() -> None:
    keys = {
        model_key(split_model(label)[0])
        for label in ("llama2-70b-99.9", "llama2-70b-4096", "meta-llama/Llama-2-70b-chat-hf")
    }
    assert keys == {"llama270b"}


def test_software_fields() -> None:
    assert software_candidates("vLLM 0.4.3+rocm614, PyTorch 2.3.0, ROCm 6.1.2") == (
        ("vLLM", "0.4.3+rocm614"),
        ("PyTorch", "2.3.0"),
        ("ROCm", "6.1.2"),
    )
    assert software_candidates("deepsparse v1.5.2") == (("deepsparse", "1.5.2"),)
    assert software_candidates("PyTorch") == (("PyTorch", None),)
    assert software_candidates(None) == ()


def test_unstorable_text_is_refused_by_path() -> None:
    text = '{"model_id": "a\\u0000b", "request_throughput": 1, "mean_ttft_ms": 2, "x": ["\\ud800"]}'
    with pytest.raises(InvalidInputError) as caught:
        read_runs(text, file="nul.json")
    assert [p.location for p in caught.value.problems] == ["nul.json:$.model_id", "nul.json:$.x[0]"]


def test_mlperf_results_as_csv() -> None:
    fmt, (offline, interactive) = _read(VARIANTS / "mlperf-results.csv")
    assert fmt == "mlperf"
    assert offline.record_id == "5.1-0007/llama2-70b-99/Offline"
    assert offline.path == "2"  # the CSV line
    assert (offline.device, offline.device_count, offline.submitter) == (
        "NVIDIA H200-SXM-141GB",
        8,
        "ExampleCloud",
    )
    assert offline.engine_candidates[0] == ("TensorRT", "10.11")
    assert _value(offline, "output_throughput") == 34012.5
    assert interactive.scenario == "Interactive"


def test_malformed_csv_names_line_and_column() -> None:
    with pytest.raises(InvalidInputError) as caught:
        _read(VARIANTS / "mlperf-results-malformed.csv")
    assert [p.location for p in caught.value.problems] == ["mlperf-results-malformed.csv:3:Result"]
