"""`ingest runs`: benchmark result files → benchmark runs, matched to the engines, models and
devices already stored; what matches nothing waits in the run review queue.

One call is one transaction (under the ingest write lock): every file is read and checked
before anything is written, and a failure leaves the database as it was. A run's identity is
its format's own id (`RunRecord.record_id`), so importing the same file again changes nothing
and a corrected file updates its runs in place (numbers it no longer reports are removed).
The review queue of held runs is `run_reviews.py`.
"""

import difflib
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.errors import InvalidInputError, Problem
from api.services.ingest.readers.runs import (
    RunContext,
    RunRecord,
    model_key,
    name_key,
    read_runs,
)
from api.services.ingest.readers.runs.records import Measurement
from api.services.ingest.transactions import run_exclusive
from models.base import SourceKind, ValueQualifier
from models.benchmarks import ReviewStatus

KINDS = ("engine", "model", "device")
ORIGIN_RECORD_LENGTH = 300
NAME_LENGTH = 200
"""What the name columns of engines, models and devices hold."""
_FORMAT_TITLES = {
    "mlperf": "MLPerf Inference results",
    "llmperf": "llmperf summary",
    "vllm-bench": "vLLM bench serve result",
    "guidellm": "GuideLLM report",
    "inferencex": "InferenceX aggregated results",
}
_RUN_COLUMNS = (
    "engine_id",
    "model_id",
    "device_id",
    "device_count",
    "metric",
    "value",
    "unit",
    "concurrency",
    "statistic",
    "per_device",
    "engine_version",
    "model_variant",
    "scenario",
    "input_tokens",
    "output_tokens",
    "request_rate",
    "precision",
    "submitter",
    "measured_on",
    "import_format",
    "format_version",
    "origin_file",
    "origin_record",
    "origin_path",
    "verbatim",
    "source_id",
)


@dataclass(frozen=True)
class RunFile:
    """One file to import: its name (for provenance and messages) and its text."""

    name: str
    text: str

    @classmethod
    def from_path(cls, path: Path, max_bytes: int) -> "RunFile":
        if not path.is_file():
            raise InvalidInputError(
                f"{path} is not a file", [Problem("no such file", location=str(path))]
            )
        size = path.stat().st_size
        if size > max_bytes:
            raise InvalidInputError(
                f"{path.name} is larger than INFERGRAPH_MAX_INGEST_BYTES ({max_bytes} bytes)",
                [Problem("too large", location=path.name, value=size)],
            )
        try:
            return cls(path.name, path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as error:
            raise InvalidInputError(
                f"{path.name} is not UTF-8 text", [Problem(str(error), location=path.name)]
            ) from None


@dataclass
class RunImportReport:
    files: list[dict[str, Any]] = field(default_factory=list)
    """Per file: name, format, records."""
    records: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    held: int = 0
    """Records waiting in the review queue (new or still unresolved)."""
    rejected: int = 0
    """Records skipped because a curator rejected them before."""
    created: dict[str, list[str]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    reviews: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "records": self.records,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "held": self.held,
            "rejected": self.rejected,
            "created": self.created,
            "reviews": self.reviews,
        }

    def summary(self) -> str:
        made = ", ".join(f"{len(v)} {k}(s)" for k, v in self.created.items() if v)
        return (
            f"{self.records} records: runs {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.removed} removed; {self.held} held for review"
            + (f", {self.rejected} skipped (rejected before)" if self.rejected else "")
            + (f"; created {made}" if made else "")
        )


def import_runs(
    engine: sa.Engine,
    files: Sequence[RunFile],
    *,
    fmt: str = "auto",
    create_missing: bool = False,
    context: RunContext | None = None,
) -> RunImportReport:
    """Read every file, then write their runs in one transaction."""
    if not files:
        raise InvalidInputError("no files given", [Problem("give at least one file")])
    report = RunImportReport()
    batches: list[tuple[RunFile, str, list[RunRecord]]] = []
    for run_file in files:
        found, records = read_runs(run_file.text, file=run_file.name, fmt=fmt, context=context)
        batches.append((run_file, found, records))
        report.files.append({"name": run_file.name, "format": found, "records": len(records)})
        report.records += len(records)

    def write(connection: sa.Connection) -> RunImportReport:
        with Session(bind=connection) as session:
            writer = Writer(session, report, create_missing=create_missing)
            for run_file, found, records in batches:
                source_id = writer.source(run_file.name, found)
                writer.write(records, source_id)
            session.flush()
        return report

    return run_exclusive(engine, write)


# --- names -------------------------------------------------------------------------------


@dataclass
class _Entity:
    id: int
    slug: str
    terms: set[str]
    """Its names in key form."""
    names: set[str] = field(default_factory=set)
    """Its names as written, for suggestions."""


def _words(name: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", name.casefold()))


def _sizes(name: str) -> set[str]:
    """Parameter counts named in a model name: `70b` of `llama2-70b`, `8x7b` of Mixtral."""
    return set(re.findall(r"(?<![a-z0-9])(\d+(?:x\d+)?(?:\.\d+)?b)(?![a-z0-9])", name.casefold()))


class Names:
    """Engines, models and devices with every name they are known by, matched in key form."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.entities: dict[str, dict[int, _Entity]] = {kind: {} for kind in KINDS}
        self.index: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
        for id_, slug, name in session.exec(select(m.Engine.id, m.Engine.slug, m.Engine.name)):
            self.add("engine", int(id_ or 0), slug, (slug, name))
        for id_, alias in session.exec(select(m.EngineAlias.engine_id, m.EngineAlias.alias)):
            self.add_term("engine", id_, alias)
        for id_, slug, name in session.exec(
            select(m.LLMModel.id, m.LLMModel.slug, m.LLMModel.name)
        ):
            self.add("model", int(id_ or 0), slug, (slug, name))
        for id_, alias in session.exec(select(m.ModelAlias.model_id, m.ModelAlias.alias)):
            self.add_term("model", id_, alias)
        for id_, slug, name in session.exec(select(m.Device.id, m.Device.slug, m.Device.name)):
            self.add("device", int(id_ or 0), slug, (slug, name))
        for id_, alias in session.exec(select(m.DeviceAlias.device_id, m.DeviceAlias.alias)):
            self.add_term("device", id_, alias)

    @staticmethod
    def key(kind: str, name: str) -> str:
        return model_key(name) if kind == "model" else name_key(name)

    def add(self, kind: str, id_: int, slug: str, names: Iterable[str]) -> None:
        self.entities[kind][id_] = _Entity(id_, slug, set())
        for name in names:
            self.add_term(kind, id_, name)

    def add_term(self, kind: str, id_: int, name: str) -> None:
        key = self.key(kind, name)
        if key and id_ in self.entities[kind]:
            self.index[kind].setdefault(key, id_)
            self.entities[kind][id_].terms.add(key)
            self.entities[kind][id_].names.add(name)

    def find(self, kind: str, name: str) -> int | None:
        found = self.index[kind].get(self.key(kind, name))
        if found is None and len(name) > NAME_LENGTH:
            # Created from a longer name, it was stored cut to the column's length.
            found = self.index[kind].get(self.key(kind, name[:NAME_LENGTH]))
        return found

    def suggest(self, kind: str, names: Sequence[str], limit: int = 3) -> list[str]:
        """Slugs of the entities whose names look most like `names`, best first: every word
        of a stored name found in the file's name (`AMD MI300X` in `AMD Instinct
        MI300X-NPS1-SPX-192GB-750W`) counts most, then spelling similarity. Models of another
        size (`7b` against `70b`) are never suggested."""
        scores: dict[int, tuple[float, int]] = {}
        for name in names:
            key = self.key(kind, name)
            words = _words(name)
            if not key:
                continue
            for entity in self.entities[kind].values():
                if kind == "model" and _sizes(name) and _sizes(name) != _sizes(entity.slug):
                    continue
                best = (0.0, 0)
                for term in entity.names:
                    term_words = _words(term)
                    shared = len(term_words & words)
                    term_key = self.key(kind, term)
                    score = difflib.SequenceMatcher(None, key, term_key).ratio() * 0.8
                    shorter, longer = sorted((key, term_key), key=len)
                    if len(shorter) >= 3 and shorter in longer:
                        # `groq` of `groqcloud`, `fireworks` of `fireworks-ai`
                        score = max(score, 0.6 + 0.3 * len(shorter) / len(longer))
                    if term_words and shared == len(term_words):
                        score = max(score, 0.9)
                    best = max(best, (score, shared))
                if best > scores.get(entity.id, (0.0, 0)):
                    scores[entity.id] = best
        ranked = sorted(
            ((score, shared, -id_) for id_, (score, shared) in scores.items() if score >= 0.55),
            reverse=True,
        )
        return [self.entities[kind][-id_].slug for _, _, id_ in ranked[:limit]]

    def slug(self, kind: str, id_: int) -> str:
        return self.entities[kind][id_].slug


def _slugify(name: str, limit: int) -> str:
    slug = re.sub(r"[^a-z0-9.]+", "-", name.casefold()).strip("-.")
    return slug[:limit].strip("-.") or "unnamed"


def _bounded(text: str, limit: int) -> str:
    """`text` if it fits, else a prefix and a digest of the whole, so it stays unique."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"{text[: limit - 17]}~{digest}"


# --- writing -----------------------------------------------------------------------------


@dataclass
class Resolved:
    ids: dict[str, int | None]
    engine_version: str | None
    unresolved: dict[str, dict[str, Any]]


class Writer:
    def __init__(self, session: Session, report: RunImportReport, *, create_missing: bool):
        self.session = session
        self.report = report
        self.create_missing = create_missing
        self.names = Names(session)
        self.now = datetime.now(UTC)
        self.table = m.BenchmarkRun.__table__  # type: ignore[attr-defined]

    def source(self, file: str, fmt: str) -> int:
        slug = _bounded(f"runs-{fmt}-{_slugify(Path(file).stem, 100)}", 120)
        found = self.session.exec(select(m.Source).where(m.Source.slug == slug)).first()
        if found is not None:
            return int(found.id or 0)
        source = m.Source(
            slug=slug,
            title=f"{_FORMAT_TITLES[fmt]}: {file}"[:300],
            # No source kind names result files yet; a results summary is a table of runs.
            kind=SourceKind.TABLE,
            locator=file[:300],
            as_of=date.today(),
        )
        self.session.add(source)
        self.session.flush()
        return int(source.id or 0)

    def write(self, records: Sequence[RunRecord], source_id: int) -> None:
        identities = [_identity(r) for r in records]
        reviews = self._reviews(identities)
        existing = self._existing(records)
        inserts: list[dict[str, Any]] = []
        for record, identity in zip(records, identities, strict=True):
            review = reviews.get(identity)
            if review is not None and review.status == ReviewStatus.REJECTED:
                self.report.rejected += 1
                continue
            resolved = self.resolve(record)
            if resolved.unresolved:
                self._hold(record, identity, resolved, source_id, review)
                continue
            if review is not None:
                self.session.delete(review)
            rows = run_rows(record, resolved, source_id)
            self._write_rows(rows, existing.get(record.record_id, {}), inserts)
        self._insert(inserts)

    def write_one(self, record: RunRecord, resolved: Resolved, source_id: int) -> None:
        """The runs of one resolved record (a review accepted), compared with what is stored."""
        inserts: list[dict[str, Any]] = []
        stored = self._existing([record]).get(record.record_id, {})
        self._write_rows(run_rows(record, resolved, source_id), stored, inserts)
        self._insert(inserts)

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(sa.insert(self.table), rows)
            self.report.added += len(rows)

    def resolve(self, record: RunRecord) -> Resolved:
        ids: dict[str, int | None] = dict.fromkeys(KINDS)
        unresolved: dict[str, dict[str, Any]] = {}
        version = None
        if record.engine_candidates:
            for name, candidate_version in record.engine_candidates:
                found = self.names.find("engine", name)
                if found is not None:
                    ids["engine"], version = found, candidate_version
                    break
            else:
                name, version = record.engine_candidates[0]
                ids["engine"] = self._missing(
                    "engine", name, [n for n, _ in record.engine_candidates], unresolved
                )
        if record.model_name:
            found = self.names.find("model", record.model_name)
            if found is None and record.model:
                found = self.names.find("model", record.model)
            ids["model"] = (
                found
                if found is not None
                else self._missing(
                    "model", record.model_name, [record.model_name], unresolved, record.model
                )
            )
        if record.device:
            found = self.names.find("device", record.device)
            ids["device"] = (
                found
                if found is not None
                else self._missing("device", record.device, [record.device], unresolved)
            )
        return Resolved(ids, version, unresolved)

    def _missing(
        self,
        kind: str,
        name: str,
        names: list[str],
        unresolved: dict[str, dict[str, Any]],
        label: str | None = None,
    ) -> int | None:
        if self.create_missing:
            return self._create(kind, name)
        unresolved[kind] = {
            "name": name,
            "label": label or name,
            "suggestions": self.names.suggest(kind, names),
        }
        return None

    def _create(self, kind: str, name: str) -> int:
        """A new engine, model or device named as the file names it; nothing else is made up
        (a device's vendor is the first word of a several-word name, else `unknown`)."""
        existing_slugs = {e.slug for e in self.names.entities[kind].values()}
        base = _slugify(name, 110)
        slug, n = base, 2
        while slug in existing_slugs:
            slug, n = f"{base}-{n}", n + 1
        row: Any
        if kind == "engine":
            row = m.Engine(slug=slug, name=name[:NAME_LENGTH])
        elif kind == "model":
            row = m.LLMModel(slug=slug, name=name[:NAME_LENGTH])
        else:
            words = name.split()
            row = m.Device(
                slug=slug,
                name=name[:NAME_LENGTH],
                vendor=words[0][:100] if len(words) > 1 else "unknown",
            )
        self.session.add(row)
        self.session.flush()
        self.names.add(kind, int(row.id), slug, (slug, name))
        self.report.created[kind].append(slug)
        return int(row.id)

    def _reviews(self, identities: list[str]) -> dict[str, m.RunReview]:
        found: dict[str, m.RunReview] = {}
        for chunk in _chunks(identities, 500):
            for review in self.session.exec(
                select(m.RunReview).where(col(m.RunReview.identity).in_(chunk))
            ):
                found[review.identity] = review
        return found

    def _existing(self, records: Sequence[RunRecord]) -> dict[str, dict[str, dict[str, Any]]]:
        """Stored runs of these records: record id → slug → column values."""
        if not records:
            return {}
        fmt = records[0].format
        # Stored as `origin_record`, an id longer than the column is cut with a digest.
        stored_as = {_bounded(r.record_id, ORIGIN_RECORD_LENGTH): r.record_id for r in records}
        wanted = list(stored_as)
        columns = [self.table.c.id, self.table.c.slug, *(self.table.c[c] for c in _RUN_COLUMNS)]
        found: dict[str, dict[str, dict[str, Any]]] = {}
        for chunk in _chunks(wanted, 500):
            statement = sa.select(*columns).where(
                self.table.c.import_format == fmt, self.table.c.origin_record.in_(chunk)
            )
            for row in self.session.execute(statement).mappings():
                record_id = stored_as[row["origin_record"]]
                found.setdefault(record_id, {})[row["slug"]] = dict(row)
        return found

    def _write_rows(
        self,
        rows: list[dict[str, Any]],
        stored: dict[str, dict[str, Any]],
        inserts: list[dict[str, Any]],
    ) -> None:
        for row in rows:
            old = stored.pop(row["slug"], None)
            if old is None:
                inserts.append(row)
            elif any(_differs(old[c], row[c]) for c in _RUN_COLUMNS):
                self.session.execute(
                    sa.update(self.table)
                    .where(self.table.c.id == old["id"])
                    .values({c: row[c] for c in _RUN_COLUMNS})
                )
                self.report.updated += 1
            else:
                self.report.unchanged += 1
        if stored:
            # The corrected file no longer reports these numbers of the run.
            self.session.execute(
                sa.delete(self.table).where(
                    self.table.c.id.in_([old["id"] for old in stored.values()])
                )
            )
            self.report.removed += len(stored)

    def _hold(
        self,
        record: RunRecord,
        identity: str,
        resolved: Resolved,
        source_id: int,
        review: m.RunReview | None,
    ) -> None:
        data = record.as_json()
        if review is None:
            review = m.RunReview(
                identity=identity,
                import_format=record.format,
                origin_file=record.file[:300],
                unresolved=resolved.unresolved,
                record=data,
                source_id=source_id,
                created_at=self.now,
            )
        else:
            review.status = ReviewStatus.PENDING
            review.unresolved = resolved.unresolved
            review.record = data
            review.origin_file = record.file[:300]
            review.source_id = source_id
        self.session.add(review)
        self.session.flush()
        self.report.held += 1
        self.report.reviews.append(int(review.id or 0))


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, float) or isinstance(new, float):
        return (
            old is None
            or new is None
            or abs(float(old) - float(new)) > 1e-12 * max(1.0, abs(float(new)))
        )
    return bool(old != new)


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _identity(record: RunRecord) -> str:
    return _bounded(f"{record.format}:{record.record_id}", 330)


def run_slug(record: RunRecord, item: Measurement) -> str:
    suffix = "/per-device" if item.per_device else ""
    return _bounded(
        f"{record.format}/{record.record_id}/{item.metric}/{item.statistic}{suffix}", 200
    )


def run_rows(record: RunRecord, resolved: Resolved, source_id: int) -> list[dict[str, Any]]:
    """The benchmark_run rows of one record: one per number it reports."""
    rows = []
    for item in record.measurements:
        rows.append(
            {
                "slug": run_slug(record, item),
                "engine_id": resolved.ids["engine"],
                "model_id": resolved.ids["model"],
                "device_id": resolved.ids["device"],
                "device_count": record.device_count,
                "model_scope": None,
                "metric": item.metric,
                "value": item.value,
                "value_max": None,
                "qualifier": ValueQualifier.EXACT.value,
                "unit": item.unit,
                "concurrency": record.concurrency,
                "workload": None,
                "statistic": item.statistic,
                "per_device": item.per_device,
                "engine_version": _cut(resolved.engine_version, 100),
                "model_variant": _cut(record.model_variant, 100),
                "scenario": _cut(record.scenario, 40),
                "input_tokens": record.input_tokens,
                "output_tokens": record.output_tokens,
                "request_rate": record.request_rate,
                "precision": _cut(record.precision, 60),
                "submitter": _cut(record.submitter, 200),
                "measured_on": record.measured_on,
                "import_format": record.format,
                "format_version": _cut(record.format_version, 60),
                "origin_file": _cut(record.file, 300),
                "origin_record": _bounded(record.record_id, ORIGIN_RECORD_LENGTH),
                "origin_path": _cut(record.path, 100),
                "verbatim": {
                    "engine": record.engine,
                    "model": record.model,
                    "device": record.device,
                    "field": item.source_field,
                    "value": item.source_value,
                    "unit": item.source_unit,
                    **record.context,
                },
                "source_id": source_id,
            }
        )
    return rows


def _cut(value: str | None, limit: int) -> str | None:
    return value[:limit] if value is not None else None
