"""Readers of the files benchmark tools publish results in, and `auto` detection by content.

Each reader turns parsed JSON into `RunRecord`s (no database); `read_runs` parses the text,
picks the reader and applies what the caller knows that the file does not say (`RunContext`).
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from api.errors import InvalidInputError, Problem
from api.services.ingest.readers.runs import guidellm, inferencex, llmperf, mlperf, vllm_bench
from api.services.ingest.readers.runs.records import (
    FORMATS,
    METRIC_UNITS,
    Measurement,
    RunRecord,
    model_key,
    name_key,
    number_repeats,
    refuse_repeated_numbers,
    software_candidates,
    split_model,
)
from api.services.unstorable import refusals, text_refusal

__all__ = [
    "FORMATS",
    "METRIC_UNITS",
    "Measurement",
    "RunContext",
    "RunRecord",
    "detect_format",
    "model_key",
    "name_key",
    "read_runs",
    "software_candidates",
    "split_model",
]

_JSON_START = re.compile(r"[\ufeff\s]*(?:[\[{]|$)")
"""Text that begins as JSON would (or is empty); anything else is taken for CSV."""
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|d[89a-f][0-9a-f]{2})", re.IGNORECASE)
_READERS: dict[str, tuple[Callable[[Any], bool], Callable[[Any, str], list[RunRecord]]]] = {
    "mlperf": (mlperf.looks_like, mlperf.read),
    "llmperf": (llmperf.looks_like, llmperf.read),
    "vllm-bench": (vllm_bench.looks_like, vllm_bench.read),
    "guidellm": (guidellm.looks_like, guidellm.read),
    "inferencex": (inferencex.looks_like, inferencex.read),
}


@dataclass(frozen=True)
class RunContext:
    """What the person importing knows and the file leaves out (vLLM bench names no device).
    A given value replaces the file's; the record's `context` notes that it came from here."""

    engine: str | None = None
    engine_version: str | None = None
    model: str | None = None
    device: str | None = None
    device_count: int | None = None
    precision: str | None = None
    submitter: str | None = None

    def given(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if value is not None}

    def check(self) -> None:
        """The given words must be storable, non-blank text (the CLI passes them unchecked)."""
        problems = [
            Problem(message, field=name)
            for name, value in self.given().items()
            if isinstance(value, str)
            and (message := text_refusal(value) or ("blank" if not value.strip() else None))
            is not None
        ]
        if problems:
            raise InvalidInputError("an option holds text that cannot be stored", problems)

    def apply(self, record: RunRecord) -> RunRecord:
        given = self.given()
        if not given:
            return record
        changes: dict[str, Any] = {}
        if self.engine is not None or self.engine_version is not None:
            # A given engine may carry its version as the files spell it (`vLLM 0.6.3`).
            candidates = (
                software_candidates(self.engine) or ((self.engine, None),)
                if self.engine is not None
                else record.engine_candidates
            )
            if not candidates:
                raise InvalidInputError(
                    "an engine version needs an engine: the file names none",
                    [Problem("give the engine too", field="engine_version")],
                )
            if self.engine_version is not None:
                candidates = ((candidates[0][0], self.engine_version), *candidates[1:])
            changes["engine"] = self.engine if self.engine is not None else record.engine
            changes["engine_candidates"] = candidates
        if self.model is not None:
            name, variant = split_model(self.model)
            changes.update(model=self.model, model_name=name, model_variant=variant)
        if self.device is not None:
            changes["device"] = self.device
        if self.device_count is not None:
            changes["device_count"] = self.device_count
        if self.precision is not None:
            changes["precision"] = self.precision.casefold()
        if self.submitter is not None:
            changes["submitter"] = self.submitter
        context = dict(record.context)
        context["given_by_importer"] = given
        return replace(record, context=context, **changes)


def detect_format(data: Any) -> str | None:
    """The format whose shape the parsed JSON has; None when none fits."""
    for name, (looks_like, _) in _READERS.items():
        if looks_like(data):
            return name
    return None


def read_runs(
    text: str, *, file: str, fmt: str = "auto", context: RunContext | None = None
) -> tuple[str, list[RunRecord]]:
    """The format read and the file's run records; every problem names the file and a JSON path."""
    if context is not None:
        context.check()
    if fmt != "auto" and fmt not in _READERS:
        raise InvalidInputError(
            f"unknown format {fmt!r}",
            [Problem(f"one of auto, {', '.join(FORMATS)}", field="format", value=fmt)],
        )
    if fmt in ("auto", "mlperf") and not _JSON_START.match(text):
        # Not JSON: MLPerf's results are also published as a table; no other format is CSV.
        records = number_repeats(mlperf.read_csv(text, file))
        refuse_repeated_numbers(records, file)
        if context is not None:
            records = [context.apply(record) for record in records]
        return "mlperf", records
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f"{file} is not JSON",
            [Problem(error.msg, location=f"{file}:{error.lineno}:{error.colno}")],
        ) from None
    except RecursionError:
        raise InvalidInputError(
            f"{file} nests too deeply", [Problem("too deeply nested", location=file)]
        ) from None
    # NUL and lone surrogates (`"\ud800"` is valid JSON) cannot be stored: refused here, by
    # JSON path, for the CLI as for REST. Parsed JSON can hold them only where the text spells
    # them as escapes (the parser refuses raw control characters), so the walk that finds
    # their paths runs only when such an escape is there.
    refused = (
        [Problem(message, location=f"{file}:{where}") for where, message in refusals(data, "$")]
        if _UNSTORABLE_ESCAPE.search(text)
        else []
    )
    if refused:
        raise InvalidInputError(f"{file} holds text that cannot be stored", refused[:50])
    name = detect_format(data) if fmt == "auto" else fmt
    if name is None:
        raise InvalidInputError(
            f"{file}: the format could not be told from the content",
            [
                Problem(
                    f"not a file of {', '.join(FORMATS)}; name it with --format",
                    location=f"{file}:$",
                )
            ],
        )
    records = number_repeats(_READERS[name][1](data, file))
    refuse_repeated_numbers(records, file)
    if context is not None:
        records = [context.apply(record) for record in records]
    return name, records
