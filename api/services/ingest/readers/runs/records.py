"""What every benchmark-result reader returns: run records with the file's own words kept
beside the normalised values, and the few rules (units, names, versions) all readers share.

No database here: matching names to stored engines, models and devices is the writer's job.
"""

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from api.errors import InvalidInputError, Problem

FORMATS = ("mlperf", "llmperf", "vllm-bench", "guidellm", "inferencex")

# One unit per kind of metric, so runs from different tools compare without conversion.
# Latencies are stored in seconds because the survey's own runs state them in seconds.
METRIC_UNITS: dict[str, str] = {
    "output_throughput": "tokens/s",
    "input_throughput": "tokens/s",
    "token_throughput": "tokens/s",
    "request_output_throughput": "tokens/s",
    "interactivity": "tokens/s",
    "request_throughput": "requests/s",
    "request_goodput": "requests/s",
    "sample_throughput": "samples/s",
    "query_throughput": "queries/s",
    "ttft": "s",
    "tpot": "s",
    "itl": "s",
    "e2e_latency": "s",
    "latency": "s",
    "power": "W",
    "energy": "J",
}

_TIME_FACTORS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0}
_ENERGY_FACTORS = {"mj": 1e-3, "millijoules": 1e-3, "j": 1.0, "joules": 1.0}
RECORD_LIMIT = 1_000_000
"""More records than any published summary holds; a bound on what one file may ask for."""
WHOLE_LIMIT = 2**31 - 1
"""The largest count, token length or concurrency read: the database's integer columns hold
no more, and no benchmark comes near it."""


@dataclass(frozen=True)
class Measurement:
    """One number of a run: normalised metric, statistic, value and unit, and what the file
    said (field, value, unit) verbatim."""

    metric: str
    statistic: str
    value: float
    unit: str
    per_device: bool
    source_field: str
    source_value: Any
    source_unit: str | None


@dataclass(frozen=True)
class RunRecord:
    """One benchmark run as a file reports it (one MLPerf result row, one llmperf summary, …)."""

    format: str
    format_version: str | None
    file: str
    record_id: str
    """The run's identity from the format's own ids (MLPerf `ID`/model/scenario, GuideLLM's
    benchmark `id_`, …): the same run in a corrected file has the same id."""
    path: str
    """JSON path of the record in its file, e.g. `$[17]` or `$.benchmarks[2]`."""
    engine: str | None = None
    """The file's words for the software, verbatim (`vLLM 0.4.3+rocm614, PyTorch 2.3.0`)."""
    engine_candidates: tuple[tuple[str, str | None], ...] = ()
    """(name, version) pairs parsed from `engine`, in the file's order."""
    model: str | None = None
    model_name: str | None = None
    """The model without its variant: `llama2-70b` of `llama2-70b-99.9`."""
    model_variant: str | None = None
    device: str | None = None
    device_count: int | None = None
    scenario: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    concurrency: int | None = None
    request_rate: float | None = None
    precision: str | None = None
    """Normalised (lower case, `float8` → `fp8`); the verbatim spelling is in `context`."""
    submitter: str | None = None
    measured_on: date | None = None
    measurements: tuple[Measurement, ...] = ()
    context: dict[str, Any] = field(default_factory=dict)
    """Further verbatim fields worth keeping (MLPerf accuracy, system name, …)."""

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["measured_on"] = self.measured_on.isoformat() if self.measured_on else None
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "RunRecord":
        values = dict(data)
        values["engine_candidates"] = tuple(
            (str(name), version) for name, version in values.get("engine_candidates") or ()
        )
        values["measurements"] = tuple(Measurement(**m) for m in values.get("measurements") or ())
        measured = values.get("measured_on")
        values["measured_on"] = date.fromisoformat(measured) if measured else None
        return cls(**values)


def number_repeats(records: list[RunRecord]) -> list[RunRecord]:
    """The records, a run the file reports again (the same id) told apart by its place:
    the second `x` becomes `x#2`. So a file that repeats a configuration imports each report,
    and importing it again still finds every run where it was."""
    used = {record.record_id for record in records}
    seen: set[str] = set()
    numbered: list[RunRecord] = []
    for record in records:
        if record.record_id not in seen:
            seen.add(record.record_id)
            numbered.append(record)
            continue
        count = 2
        while f"{record.record_id}#{count}" in used:
            count += 1
        used.add(f"{record.record_id}#{count}")
        numbered.append(replace(record, record_id=f"{record.record_id}#{count}"))
    return numbered


def refuse_repeated_numbers(records: list[RunRecord], file: str) -> None:
    """A record may report each metric and statistic once: two fields for one number (vLLM's
    `request_goodput` beside its old spelling `request_goodput:`, llmperf's `_p50` beside
    `_quantiles_p50`) leave no way to tell which is meant."""
    problems: list[Problem] = []
    for record in records:
        fields: dict[tuple[str, str, bool], str] = {}
        for item in record.measurements:
            key = (item.metric, item.statistic, item.per_device)
            if key in fields:
                problems.append(
                    Problem(
                        f"{item.source_field} and {fields[key]} both give the "
                        f"{item.statistic} {item.metric}",
                        location=f"{file}:{record.path}",
                    )
                )
            fields.setdefault(key, item.source_field)
    if problems:
        raise InvalidInputError(f"{file} reports a number twice", problems[:50])


class FileProblems:
    """Problems found in one file, each naming the file and the JSON path; raised together."""

    def __init__(self, file: str, fmt: str) -> None:
        self.file = file
        self.format = fmt
        self.problems: list[Problem] = []

    def add(self, path: str, message: str, value: Any = None) -> None:
        if len(self.problems) < 50:
            self.problems.append(
                Problem(message, location=f"{self.file}:{path}", value=_shown(value))
            )

    def raise_if_any(self) -> None:
        if self.problems:
            raise InvalidInputError(
                f"{self.file} is not a readable {self.format} file "
                f"({len(self.problems)} problem(s))",
                self.problems,
            )

    def fail(self, path: str, message: str, value: Any = None) -> InvalidInputError:
        self.add(path, message, value)
        return InvalidInputError(f"{self.file} is not a readable {self.format} file", self.problems)


class FieldError(Exception):
    """A bad field of one record; the reader adds the record's path and collects it."""

    def __init__(self, field: str, message: str, value: Any = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.value = value


def _shown(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


# --- values ------------------------------------------------------------------------------


def number(value: Any) -> float | None:
    """A finite number from a JSON number or a numeric string (llmperf writes some as text);
    None for null, empty text and non-finite values ("inf" request rates)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            result = float(value)
        except OverflowError:  # an integer with hundreds of digits
            raise ValueError(f"not a finite number: {_shown(value)!r}") from None
    elif isinstance(value, str) and value.strip():
        try:
            result = float(value.strip())
        except ValueError:
            raise ValueError(f"not a number: {value!r}") from None
    else:
        if isinstance(value, str):
            return None
        raise ValueError(f"not a number: {value!r}")
    return result if math.isfinite(result) else None


def whole(value: Any, limit: int = WHOLE_LIMIT) -> int | None:
    """A positive whole number up to `limit` (counts, token lengths, concurrency); 8.0 is 8."""
    result = number(value)
    if result is None:
        return None
    if result != int(result) or result < 1:
        raise ValueError(f"not a positive whole number: {_shown(value)!r}")
    if result > limit:
        raise ValueError(f"larger than {limit}: {_shown(value)!r}")
    return int(result)


LATEST_TIMESTAMP = 253402300799
"""The last second of the year 9999 (UTC): the latest time a date can hold."""


def utc_day(value: Any) -> date | None:
    """The UTC day of a time in seconds since 1970 (llmperf's `timestamp`, GuideLLM's
    `start_time`); None when absent, zero or negative (no time recorded). Both tools write
    a JSON number, so text is refused here."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ValueError(f"not a number of seconds: {_shown(value)!r}")
    seconds_since_epoch = number(value)
    if seconds_since_epoch is None or seconds_since_epoch <= 0:
        return None
    if seconds_since_epoch > LATEST_TIMESTAMP:
        raise ValueError(f"a time after the year 9999: {_shown(value)!r}")
    return datetime.fromtimestamp(seconds_since_epoch, UTC).date()


def rounded_length(value: Any) -> int | None:
    """A mean token length rounded to a whole number (llmperf's `mean_input_tokens`); None
    when absent or not above zero."""
    mean = number(value)
    if mean is None or mean <= 0:
        return None
    if mean > WHOLE_LIMIT:
        raise ValueError(f"larger than {WHOLE_LIMIT}: {_shown(value)!r}")
    return round(mean)


def text(value: Any, limit: int = 300) -> str | None:
    """Stripped text, None when empty; numbers become text; longer than `limit` is refused."""
    if value is None:
        return None
    if isinstance(value, bool | dict | list):
        raise ValueError(f"not text: {_shown(value)!r}")
    result = " ".join(str(value).split())
    if len(result) > limit:
        raise ValueError(f"longer than {limit} characters")
    return result or None


def seconds(value: float, unit: str) -> float:
    """A duration in `unit` (ns, us, ms, s) as seconds."""
    return value * _TIME_FACTORS[unit]


def joules(value: float, unit: str) -> float:
    return value * _ENERGY_FACTORS[unit.casefold()]


def energy_unit(unit: str) -> bool:
    return unit.casefold() in _ENERGY_FACTORS


def measurement(
    metric: str,
    statistic: str,
    value: float,
    *,
    source_field: str,
    source_value: Any,
    source_unit: str | None,
    per_device: bool = False,
) -> Measurement:
    return Measurement(
        metric=metric,
        statistic=statistic,
        value=value,
        unit=METRIC_UNITS[metric],
        per_device=per_device,
        source_field=source_field,
        source_value=source_value,
        source_unit=source_unit,
    )


_PERCENTILE = re.compile(r"^p(\d+(?:\.\d+)?)$")


def statistic_name(raw: str) -> str:
    """`mean`, `median`, `std`, `min`, `max` or `pNN`: stddev/std_dev are `std`, avg is `mean`."""
    name = raw.casefold()
    aliases = {"avg": "mean", "average": "mean", "stddev": "std", "std_dev": "std"}
    name = aliases.get(name, name)
    if name in {"mean", "median", "std", "min", "max"}:
        return name
    match = _PERCENTILE.match(name)
    if match:
        return f"p{match.group(1)}"
    raise ValueError(f"unknown statistic {raw!r}")


# --- names -------------------------------------------------------------------------------

_VERSION = re.compile(r"^(?P<name>.*?)[\s_-]+v?(?P<version>\d+(?:\.[\w+\-]+)*(?:[+\-][\w.]+)?)$")


def software_candidates(software: str | None) -> tuple[tuple[str, str | None], ...]:
    """(name, version) pairs of a free-text software field, in order:
    `vLLM 0.4.3+rocm614, PyTorch 2.3.0` → (vLLM, 0.4.3+rocm614), (PyTorch, 2.3.0)."""
    if not software:
        return ()
    found: list[tuple[str, str | None]] = []
    for part in re.split(r"[,;]", software):
        part = " ".join(part.split())
        if not part:
            continue
        match = _VERSION.match(part)
        if match and match.group("name"):
            found.append((match.group("name"), match.group("version")))
        else:
            found.append((part, None))
    return tuple(found)


def name_key(name: str) -> str:
    """The form names are matched in: case-folded letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


_ACCURACY_TARGET = re.compile(r"^99(?:\.9)?$")
_CONTEXT_LENGTH = re.compile(r"^\d{4,6}$")
_VARIANT_WORDS = {"chat", "hf", "instruct", "it", "base", "interactive", "preview"}


def split_model(label: str) -> tuple[str, str | None]:
    """A model label as (name, variant): `llama2-70b-99.9` → (`llama2-70b`, `99.9`),
    `meta-llama/Llama-2-70b-chat-hf` → (`Llama-2-70b`, `chat-hf`), `llama2-70b-4096` →
    (`llama2-70b`, `4096`). Variants are MLPerf accuracy targets (99, 99.9: percent of the
    reference accuracy), context lengths, and chat/instruct/hf suffixes."""
    name = label.strip().rstrip("/").rsplit("/", 1)[-1]
    parts = re.split(r"([-_])", name)
    tokens = parts[::2]
    variant: list[str] = []
    while len(tokens) > 1:
        last = tokens[-1]
        variant_like = _ACCURACY_TARGET.match(last) or _CONTEXT_LENGTH.match(last)
        if variant_like or last.casefold() in _VARIANT_WORDS:
            variant.insert(0, last)
        else:
            break
        tokens.pop()
    base = "".join(
        token + (parts[2 * i + 1] if 2 * i + 1 < len(parts) else "")
        for i, token in enumerate(tokens)
    ).rstrip("-_")
    return base, "-".join(variant) or None


def model_key(name: str) -> str:
    """`Llama-2-70b`, `llama2-70b` and `llama-v2-70b` all become `llama270b`."""
    tokens = [t for t in re.split(r"[^0-9a-z.]+", name.casefold()) if t]
    tokens = [t[1:] if re.fullmatch(r"v\d+(?:\.\d+)?", t) else t for t in tokens]
    return name_key("".join(tokens))


_PRECISIONS = {"float8": "fp8", "float16": "fp16", "bfloat16": "bf16", "float32": "fp32"}


def precision_name(raw: str | None) -> str | None:
    """Lower case, `float8` spelt `fp8`; lists (`int8, fp16`) keep their order."""
    if not raw:
        return None
    parts = [p.strip().casefold() for p in re.split(r"[,/]", raw) if p.strip()]
    return ", ".join(_PRECISIONS.get(p, p) for p in parts) or None


def json_items(data: Any, path: str, problems: FileProblems) -> Iterator[tuple[str, Any]]:
    """(path, item) of a JSON list, bounded in length."""
    if not isinstance(data, list):
        raise problems.fail(path, "expected a list", type(data).__name__)
    if len(data) > RECORD_LIMIT:
        raise problems.fail(path, f"more than {RECORD_LIMIT} records", len(data))
    for index, item in enumerate(data):
        yield f"{path}[{index}]", item
