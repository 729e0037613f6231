"""MLPerf Inference results summaries (`summary_results.json` of mlcommons/inference_results_vX).

A list of result rows, one per system × benchmark × scenario. Rounds renamed some fields;
each field is read from the first of its known names (see docs/benchmarks.md):
v4.x `a#` (accelerators per node, times `Nodes`) vs newer `Total Accelerators` (already the
total); `Category` vs `Division`; `Performance_Result`/`Performance_Units` vs `Result`/`Units`;
`Submitter` vs `Organization`; `Accelerator` vs `Accelerator Model Name`.
"""

import csv
import io
from typing import Any

from api.services.ingest.readers.runs.records import (
    RECORD_LIMIT,
    FieldError,
    FileProblems,
    Measurement,
    RunRecord,
    energy_unit,
    joules,
    json_items,
    measurement,
    number,
    precision_name,
    seconds,
    software_candidates,
    split_model,
    text,
    whole,
)

FORMAT = "mlperf"
PER_NODE_LIMIT = 65_535
NODES_LIMIT = 32_767

_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("ID",),
    "submitter": ("Submitter", "Organization"),
    "division": ("Category", "Division"),
    "model": ("UsedModel", "Model MLC", "Model"),
    "benchmark": ("Model", "Model MLC", "UsedModel"),
    "scenario": ("Scenario",),
    "accelerator": ("Accelerator", "Accelerator Model Name"),
    "per_node": ("a#", "Accelerators per Node"),
    "total": ("Total Accelerators",),
    "nodes": ("Nodes", "Number of Nodes"),
    "software": ("Software",),
    "precision": ("weight_data_types", "Weight Data Types"),
    "result": ("Performance_Result", "Result"),
    "units": ("Performance_Units", "Units"),
    "power": ("Power_Result",),
    "power_units": ("Power_Units",),
    "version": ("version", "Version"),
}

# Units as the summaries spell them → (metric, how to convert).
_THROUGHPUT_UNITS = {
    "tokens/s": "output_throughput",
    "samples/s": "sample_throughput",
    "queries/s": "query_throughput",
}
# MLPerf's latency-bound scenarios report one percentile (the rules' "metric" of the scenario).
_LATENCY_PERCENTILE = {"SingleStream": "p90", "MultiStream": "p99"}
_CONTEXT_FIELDS = ("System", "Platform", "Accuracy", "Availability", "Suite", "Location")


def looks_like(data: Any) -> bool:
    return (
        isinstance(data, list)
        and bool(data)
        and isinstance(data[0], dict)
        and "Scenario" in data[0]
        and any(name in data[0] for name in _NAMES["result"])
    )


def read(data: Any, file: str) -> list[RunRecord]:
    """Rows of a `summary_results.json`; problems are located by JSON path (`$[17].Result`)."""
    problems = FileProblems(file, FORMAT)
    rows = [(path, f"{path}.", row) for path, row in json_items(data, "$", problems)]
    return _read(rows, file, problems)


def read_csv(text: str, file: str) -> list[RunRecord]:
    """The same results as a table (the results pages' CSV download, one header row);
    problems are located by line and column (`results.csv:3:Result`)."""
    problems = FileProblems(file, FORMAT)
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    rows: list[tuple[str, str, Any]] = []
    try:
        header = reader.fieldnames or []
        if not any(name in header for name in _NAMES["result"]) or "Scenario" not in header:
            raise problems.fail("1", "no Result / Performance_Result and Scenario columns")
        for row in reader:
            if len(rows) >= RECORD_LIMIT:
                raise problems.fail(str(reader.line_num), f"more than {RECORD_LIMIT} rows")
            if None in row:
                problems.add(str(reader.line_num), "more cells than the header has columns")
                continue
            line = str(reader.line_num)
            rows.append((line, f"{line}:", {k: v for k, v in row.items() if v not in ("", None)}))
    except csv.Error as error:
        raise problems.fail(str(reader.line_num), f"not CSV: {error}") from None
    return _read(rows, file, problems)


def _read(rows: list[tuple[str, str, Any]], file: str, problems: FileProblems) -> list[RunRecord]:
    records: list[RunRecord] = []
    for path, field_prefix, row in rows:
        if not isinstance(row, dict):
            problems.add(path, "expected an object (one result row)", type(row).__name__)
            continue
        try:
            record = _record(row, path, file)
        except FieldError as error:
            problems.add(f"{field_prefix}{error.field}", error.message, error.value)
            continue
        records.append(record)
    problems.raise_if_any()
    return records


def _get(row: dict[str, Any], key: str) -> tuple[str, Any]:
    for name in _NAMES[key]:
        if name in row:
            return name, row[name]
    return _NAMES[key][0], None


def _text(row: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    name, value = _get(row, key)
    try:
        result = text(value)
    except ValueError as error:
        raise FieldError(name, str(error), value) from None
    if required and result is None:
        raise FieldError(name, "missing")
    return result


def _number(row: dict[str, Any], key: str, convert: Any = number) -> Any:
    name, value = _get(row, key)
    try:
        return convert(value)
    except ValueError as error:
        raise FieldError(name, str(error), value) from None


_TEXT_KEYS = ("submitter", "division", "model", "accelerator", "software", "precision", "version")


def _check_every_name(row: dict[str, Any]) -> None:
    """A field given under two of its names is read from the first, but both must be valid:
    a bad value is never passed over unseen."""
    for key in _TEXT_KEYS:
        for name in _NAMES[key]:
            try:
                text(row.get(name))
            except ValueError as error:
                raise FieldError(name, str(error), row.get(name)) from None


def _record(row: dict[str, Any], path: str, file: str) -> RunRecord:
    _check_every_name(row)
    result_id = _text(row, "id", required=True)
    benchmark = _text(row, "benchmark", required=True)
    scenario = _text(row, "scenario", required=True)
    model = _text(row, "model") or benchmark
    assert result_id and benchmark and scenario and model
    name, variant = split_model(model)
    software = _text(row, "software")
    total = _number(row, "total", whole)
    if total is None:
        # Bounded so that their product fits the device count's integer column.
        per_node = _number(row, "per_node", lambda value: whole(value, PER_NODE_LIMIT))
        nodes = _number(row, "nodes", lambda value: whole(value, NODES_LIMIT)) or 1
        total = per_node * nodes if per_node is not None else None
    raw_precision = _text(row, "precision")
    version = _text(row, "version")
    context = {
        "division": _text(row, "division"),
        **{key.lower(): _plain(row.get(key)) for key in _CONTEXT_FIELDS if row.get(key)},
        "software": software,
        "weight_data_types": raw_precision,
    }
    if "a#" in row:
        context["accelerators_per_node"] = row.get("a#")
    if "Nodes" in row:
        context["nodes"] = row.get("Nodes")
    return RunRecord(
        format=FORMAT,
        format_version=version,
        file=file,
        record_id=f"{result_id}/{benchmark}/{scenario}",
        path=path,
        engine=software,
        engine_candidates=software_candidates(software),
        model=model,
        model_name=name,
        model_variant=variant,
        device=_text(row, "accelerator"),
        device_count=total,
        scenario=scenario,
        precision=precision_name(raw_precision),
        submitter=_text(row, "submitter"),
        measurements=tuple(_measurements(row, scenario)),
        context={key: value for key, value in context.items() if value is not None},
    )


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) else str(value)


def _measurements(row: dict[str, Any], scenario: str) -> list[Measurement]:
    found: list[Measurement] = []
    field, raw = _get(row, "result")
    value = _number(row, "result")
    units_field, units = _get(row, "units")
    if value is None:
        raise FieldError(field, "missing or not a number", raw)
    if not isinstance(units, str) or not units.strip():
        raise FieldError(units_field, "missing", units)
    spelled = units.strip().casefold()
    if spelled in _THROUGHPUT_UNITS:
        found.append(
            measurement(
                _THROUGHPUT_UNITS[spelled],
                "value",
                value,
                source_field=field,
                source_value=raw,
                source_unit=units,
            )
        )
    elif spelled.startswith("latency"):
        unit = spelled.removeprefix("latency").strip(" ()")
        if unit not in ("ns", "us", "ms", "s"):
            raise FieldError(units_field, "unknown latency unit", units)
        found.append(
            measurement(
                "latency",
                _LATENCY_PERCENTILE.get(scenario, "value"),
                seconds(value, unit),
                source_field=field,
                source_value=raw,
                source_unit=units,
            )
        )
    else:
        raise FieldError(units_field, "unknown performance unit", units)
    power = _number(row, "power")
    _, power_units = _get(row, "power_units")
    # The unit is checked wherever it is given, and a power result must have one.
    known_unit = isinstance(power_units, str) and (
        power_units.strip().casefold() in ("watts", "w") or energy_unit(power_units.strip())
    )
    if power_units is not None and not known_unit:
        raise FieldError("Power_Units", "unknown power unit", power_units)
    if power is not None:
        if power_units is None:
            raise FieldError("Power_Units", "missing: Power_Result needs its unit")
        power_field, power_raw = _get(row, "power")
        spelled_power = str(power_units).strip()
        if spelled_power.casefold() in ("watts", "w"):
            found.append(
                measurement(
                    "power",
                    "value",
                    power,
                    source_field=power_field,
                    source_value=power_raw,
                    source_unit=spelled_power,
                )
            )
        else:
            found.append(
                measurement(
                    "energy",
                    "value",
                    joules(power, spelled_power),
                    source_field=power_field,
                    source_value=power_raw,
                    source_unit=spelled_power,
                )
            )
    return found
