"""JSON Schemas of the benchmark result files `POST /ingest/runs` reads, one per format.

A client writes its upload from these, and schemathesis checks them both ways: a body they
call valid must be imported (2xx), one they call invalid refused with the error shape. So
each schema states what its reader in `api/services/ingest/readers/runs/` requires, the
fields `--format auto` tells the formats apart by, and the types and bounds it enforces on
the fields it reads; every other key may hold any NUL-free JSON (`StorableJson`), as real
files carry much the readers leave alone.
"""

from typing import Any

from api.rest.openapi_text import STORABLE_JSON
from api.rest.schemas import STORABLE_TEXT
from api.services.ingest.readers.runs.inferencex import GPU_LIMIT
from api.services.ingest.readers.runs.mlperf import NODES_LIMIT, PER_NODE_LIMIT
from api.services.ingest.readers.runs.records import LATEST_TIMESTAMP, WHOLE_LIMIT

JsonSchema = dict[str, Any]

_ANY: JsonSchema = {"$ref": f"#/components/schemas/{STORABLE_JSON}"}
_NO_NUL = "[^\\u0000]*"
# Python's whitespace (what `str.split` and `str.strip` drop), spelt out: regex engines
# disagree on `\\s` (ECMA's leaves out U+0085 and U+001C-U+001F, Rust's U+001C-U+001F).
WHITESPACE = (
    "\\t-\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
_FILLED = f"^{_NO_NUL}[^{WHITESPACE}\\u0000]{_NO_NUL}$"
FILLED_PATTERN = _FILLED
"""Storable text that is not blank: the names an importer gives."""
"""Storable text that is not blank: the names an importer gives."""
# Numeric text as the readers take it (llmperf writes some numbers as strings). Bounded in
# digits so that every such text is a finite number.
_DECIMAL = "[+-]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][+-]?[0-9]{1,2})?"

TEXT: JsonSchema = {
    "description": "Text (a number is read as its digits); blank is the same as absent.",
    "anyOf": [
        {"type": "string", "maxLength": 300, "pattern": f"^{_NO_NUL}$"},
        {"type": ["number", "null"]},
    ],
}
FILLED_TEXT: JsonSchema = {
    "description": "Text that is not blank (a number is read as its digits).",
    "anyOf": [{"type": "string", "maxLength": 300, "pattern": _FILLED}, {"type": "number"}],
}
NUMBER: JsonSchema = {
    "description": "A number, or numeric text; null, blank text, `inf` and booleans count as "
    "no value.",
    "anyOf": [
        {"type": ["number", "boolean", "null"]},
        {"type": "string", "pattern": f"^ *(?:{_DECIMAL}|[+-]?(?:inf|nan))? *$"},
    ],
}
A_NUMBER: JsonSchema = {
    "description": "A number, or numeric text.",
    "anyOf": [{"type": "number"}, {"type": "string", "pattern": f"^ *{_DECIMAL} *$"}],
}


def _positive_whole(limit: int) -> str:
    # Digits of a whole number from 1 to `limit` (short of its length, to stay under it).
    return f"^ *0{{0,5}}[1-9][0-9]{{0,{len(str(limit)) - 2}}} *$"


def whole_schema(limit: int = WHOLE_LIMIT, *, needed: bool = False) -> JsonSchema:
    """A whole number from 1 to `limit`, or its digits; unless `needed`, null, blank text and
    booleans too (the readers take them for no value)."""
    number: JsonSchema = {"type": "integer", "minimum": 1, "maximum": limit}
    if needed:
        return {
            "description": f"A whole number from 1 to {limit} (or its digits).",
            "anyOf": [number, {"type": "string", "pattern": _positive_whole(limit)}],
        }
    return {
        "description": f"A whole number from 1 to {limit} (or its digits); null, blank text "
        "and booleans count as no value.",
        "anyOf": [
            number,
            {"type": ["boolean", "null"]},
            {"type": "string", "pattern": f"^ *$|{_positive_whole(limit)}"},
        ],
    }


WHOLE = whole_schema()
A_WHOLE = whole_schema(needed=True)
TIMESTAMP: JsonSchema = {
    "description": "Seconds since 1970 (UTC); 0 or less, or absent, means undated.",
    "anyOf": [{"type": "number", "maximum": LATEST_TIMESTAMP}, {"type": "null"}],
}


def _object(
    required: list[str],
    properties: dict[str, JsonSchema],
    patterns: JsonSchema | None = None,
    **rest: Any,
) -> JsonSchema:
    schema: JsonSchema = {
        "type": "object",
        "required": required,
        "properties": properties,
        "propertyNames": STORABLE_TEXT,
        "additionalProperties": _ANY,
        **rest,
    }
    if patterns:
        schema["patternProperties"] = patterns
    return schema


# --- vllm bench serve --save-result -----------------------------------------------------

_VLLM_LATENCY = "^(?:mean|median|std|p[0-9]+(?:\\.[0-9]+)?)_(?:ttft|tpot|itl|e2el)_ms$"
# vLLM writes the four statistics of each latency; a file is told apart by its
# `request_throughput` and one of them.
_VLLM_STATISTICS = ("mean", "median", "std", "p99")
_VLLM_METRICS = ("ttft", "tpot", "itl", "e2el")
_DAY = (
    "(?:(?:0[13578]|1[02])(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)(?:0[1-9]|[12][0-9]|30)"
    "|02(?:0[1-9]|1[0-9]|2[0-8]))"
)
VLLM_BENCH: JsonSchema = _object(
    ["model_id", "request_throughput"],
    {
        "model_id": FILLED_TEXT,
        "date": {
            "description": "When the client started, YYYYMMDD-HHMMSS (29 February is read "
            "too, in leap years).",
            "type": ["string", "null"],
            "pattern": f"^[0-9]{{3}}[1-9]{_DAY}-(?:[01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$",
        },
        "max_concurrency": WHOLE,
        "request_rate": NUMBER,
        "request_throughput": A_NUMBER,
        **{
            key: NUMBER
            for key in (
                "request_goodput",
                "request_goodput:",
                "output_throughput",
                "total_token_throughput",
            )
        },
        **{
            f"{prefix}_{side}_len": WHOLE
            for prefix in ("random", "sonnet")
            for side in ("input", "output")
        },
        "input_len": WHOLE,
        "output_len": WHOLE,
    },
    {_VLLM_LATENCY: NUMBER},
    title="vllm bench serve --save-result",
    # Old versions spelt it `request_goodput:`; both at once give the number twice.
    allOf=[{"not": {"required": ["request_goodput", "request_goodput:"]}}],
    anyOf=[
        {"required": [f"{stat}_{metric}_ms"]}
        for stat in _VLLM_STATISTICS
        for metric in _VLLM_METRICS
    ],
)

# --- llmperf summary -------------------------------------------------------------------

# Each statistic in one spelling: llmperf's own (`_mean`, `_quantiles_p90`). The reader also
# takes `avg`, `stddev` and `_p90`, but a number given twice (`_p90` and `_quantiles_p90`) is
# refused, so the document names only the one spelling.
_LLMPERF_KEY = (
    "^results_(?:inter_token_latency_s|ttft_s|end_to_end_latency_s|"
    "request_output_throughput_token_per_s)_(?:mean|median|std|min|max|quantiles_p[0-9]+)$"
)
LLMPERF: JsonSchema = _object(
    ["model", "framework", "num_concurrent_requests", "results_mean_output_throughput_token_per_s"],
    {
        "model": FILLED_TEXT,
        "framework": {**FILLED_TEXT, "description": "The provider: read as the engine."},
        "name": TEXT,
        "num_concurrent_requests": A_WHOLE,
        "timestamp": TIMESTAMP,
        "mean_input_tokens": {**NUMBER, "description": "Rounded; up to " + str(WHOLE_LIMIT)},
        "mean_output_tokens": {**NUMBER, "description": "Rounded; up to " + str(WHOLE_LIMIT)},
        "results_mean_output_throughput_token_per_s": A_NUMBER,
        "results_num_completed_requests_per_min": NUMBER,
    },
    {_LLMPERF_KEY: NUMBER},
    title="llmperf summary",
)

# --- GuideLLM report ----------------------------------------------------------------------

_GUIDELLM_METRICS = (
    "requests_per_second",
    "request_latency",
    "time_to_first_token_ms",
    "time_per_output_token_ms",
    "inter_token_latency_ms",
    "output_tokens_per_second",
    "tokens_per_second",
)
_GUIDELLM_PERCENTILES = ("p001", "p01", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "p99")
_DISTRIBUTION: JsonSchema = {
    "type": "object",
    "description": "The distribution over the successful requests.",
    "properties": {
        **{key: NUMBER for key in ("mean", "median", "std_dev", "min", "max")},
        "percentiles": {
            "type": ["object", "null"],
            "properties": {key: NUMBER for key in (*_GUIDELLM_PERCENTILES, "p999")},
            "additionalProperties": False,
        },
    },
    "propertyNames": STORABLE_TEXT,
    "additionalProperties": _ANY,
}
_GUIDELLM_BENCHMARK: JsonSchema = _object(
    ["id_", "args", "metrics"],
    {
        "id_": {"type": "string", "maxLength": 300, "pattern": _FILLED},
        "args": _object(
            ["strategy"],
            {
                "strategy": _object(
                    ["type_"],
                    {
                        "type_": {
                            "type": "string",
                            "pattern": f"^{_NO_NUL}$",
                            "description": "synchronous, throughput, concurrent, constant, "
                            "poisson, …",
                        },
                        "streams": WHOLE,
                        "rate": NUMBER,
                    },
                )
            },
        ),
        "worker": {
            "anyOf": [
                _object([], {"backend_model": TEXT}),
                {"type": ["array", "string", "number", "boolean", "null"], "items": _ANY},
            ]
        },
        "start_time": TIMESTAMP,
        "metrics": _object(
            ["requests_per_second"],
            {
                name: {
                    "anyOf": [
                        _object([], {"successful": {"anyOf": [_DISTRIBUTION, {"type": "null"}]}}),
                        {"type": "null"},
                    ]
                }
                for name in _GUIDELLM_METRICS
            }
            | {
                "requests_per_second": _object(
                    ["successful"],
                    {
                        "successful": {
                            **_DISTRIBUTION,
                            "required": ["mean"],
                            "properties": {**_DISTRIBUTION["properties"], "mean": A_NUMBER},
                        }
                    },
                )
            },
        ),
    },
)
GUIDELLM: JsonSchema = _object(
    ["benchmarks"],
    {"benchmarks": {"type": "array", "minItems": 1, "items": _GUIDELLM_BENCHMARK}},
    title="GuideLLM benchmarks report",
)

# --- InferenceX aggregated results --------------------------------------------------------

_INFERENCEX_LATENCY = "^(?:mean|median|std|p[0-9]+(?:\\.[0-9]+)?)_(?:ttft|tpot|itl|e2el|intvty)$"
_INFERENCEX_ROW: JsonSchema = _object(
    ["model", "hw", "framework", "tput_per_gpu"],
    {
        "model": FILLED_TEXT,
        "hw": {**FILLED_TEXT, "description": "The runner's GPU, e.g. `h200`: read as the device."},
        "framework": {**FILLED_TEXT, "description": "Read as the engine."},
        "tput_per_gpu": A_NUMBER,
        **{
            key: NUMBER
            for key in (
                "output_tput_per_gpu",
                "input_tput_per_gpu",
                "total_tput_tps",
                "output_tput_tps",
                "input_tput_tps",
            )
        },
        **{key: WHOLE for key in ("conc", "isl", "osl")},
        "tp": WHOLE,
        **{key: whole_schema(GPU_LIMIT) for key in ("num_prefill_gpu", "num_decode_gpu")},
    },
    {_INFERENCEX_LATENCY: NUMBER},
)
INFERENCEX: JsonSchema = {
    "title": "InferenceX aggregated results",
    "anyOf": [
        {"type": "array", "minItems": 1, "items": _INFERENCEX_ROW},
        _INFERENCEX_ROW,
    ],
}

# --- MLPerf Inference summary --------------------------------------------------------------

_MLPERF_UNITS = (
    "Tokens/s",
    "Samples/s",
    "Queries/s",
    "Latency (ns)",
    "Latency (us)",
    "Latency (ms)",
    "Latency (s)",
)


def _mlperf_row(result: str, units: str) -> JsonSchema:
    """A result row whose number and unit are named `result` and `units` (rounds differ)."""
    return _object(
        ["ID", "Scenario", result, units],
        {
            "ID": FILLED_TEXT,
            "Model": {**TEXT, "description": "The benchmark, e.g. `llama2-70b-99.9`."},
            "Model MLC": {**TEXT, "description": "The benchmark (later rounds)."},
            "UsedModel": TEXT,
            "Scenario": {**FILLED_TEXT, "description": "Offline, Server, SingleStream, …"},
            result: A_NUMBER,
            units: {"enum": list(_MLPERF_UNITS), "description": "Case does not matter."},
            **{
                key: TEXT
                for key in (
                    "Submitter",
                    "Organization",
                    "Category",
                    "Division",
                    "Accelerator",
                    "Accelerator Model Name",
                    "Software",
                    "weight_data_types",
                    "Weight Data Types",
                    "version",
                    "Version",
                )
            },
            "Power_Result": NUMBER,
            "Power_Units": {
                "enum": ["Watts", "W", "mJ", "millijoules", "J", "joules", None],
                "description": "Needed with `Power_Result`; case does not matter.",
            },
            "Total Accelerators": WHOLE,
            "a#": whole_schema(PER_NODE_LIMIT),
            "Nodes": whole_schema(NODES_LIMIT),
        },
        # The benchmark is the first of these present, and must not be blank.
        anyOf=[
            {"required": ["Model"], "properties": {"Model": FILLED_TEXT}},
            {
                "required": ["Model MLC"],
                "not": {"required": ["Model"]},
                "properties": {"Model MLC": FILLED_TEXT},
            },
            {
                "required": ["UsedModel"],
                "not": {"anyOf": [{"required": ["Model"]}, {"required": ["Model MLC"]}]},
                "properties": {"UsedModel": FILLED_TEXT},
            },
        ],
        # A power result needs its unit.
        **{
            "if": {"required": ["Power_Result"], "properties": {"Power_Result": A_NUMBER}},
            "then": {
                "required": ["Power_Units"],
                "properties": {"Power_Units": {"type": "string"}},
            },
        },
        description="One result row: its number and unit are `Performance_Result` and "
        "`Performance_Units` (v4.x) or `Result` and `Units` (later rounds). Later rounds' other "
        "names (`Organization`, `Model MLC`, …) are read too: docs/benchmarks.md.",
    )


MLPERF: JsonSchema = {
    "title": "MLPerf Inference summary_results.json",
    "type": "array",
    "minItems": 1,
    "items": {
        "anyOf": [
            _mlperf_row("Result", "Units"),
            _mlperf_row("Performance_Result", "Performance_Units"),
        ]
    },
}

RESULT_FILE: JsonSchema = {
    "description": "One result file; `format=auto` tells the format by these required fields.",
    "anyOf": [MLPERF, LLMPERF, VLLM_BENCH, GUIDELLM, INFERENCEX],
}

# The CSV table: the five columns every row must fill, in the results pages' order; names
# and scenarios in letters, digits and `.-_/` so that no cell needs CSV quoting.
_EOL = "\\r?\\n"
_CELL = "[A-Za-z0-9][A-Za-z0-9._/-]{0,79}"
_CSV_ROW = (
    f"{_CELL},{_CELL},{_CELL},{_DECIMAL},"
    "(?:[Tt]okens/s|[Ss]amples/s|[Qq]ueries/s|[Ll]atency \\((?:ns|us|ms|s)\\))"
)
MLPERF_CSV: JsonSchema = {
    "title": "MLPerf Inference results table (CSV)",
    "description": "A header row `ID,Model,Scenario,Result,Units` and one row per result.",
    "type": "string",
    "pattern": f"^ID,Model,Scenario,Result,Units{_EOL}(?:{_CSV_ROW}{_EOL})*{_CSV_ROW}(?:{_EOL})?$",
}
