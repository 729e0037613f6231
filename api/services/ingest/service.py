"""`ingest arxiv` and `ingest bibtex`: read a source, write it in batches, report what changed."""

import copy
import itertools
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

import models as m
from api.config import get_settings
from api.errors import InferGraphError, InvalidInputError, Problem
from api.services.ingest.bulk import insert_rows
from api.services.ingest.readers.arxiv_client import ArxivClient, normalize_ids
from api.services.ingest.readers.arxiv_feed import ArxivEntry, EntryProblem, iter_entries
from api.services.ingest.readers.bibtex import BibtexReader
from api.services.ingest.readers.identifiers import split_arxiv_id
from api.services.ingest.records import IncomingPaper, from_arxiv, from_bibtex, identity_key
from api.services.ingest.report import (
    EntryReport,
    IngestReport,
    Outcome,
    Progress,
    ProgressEvent,
)
from api.services.ingest.suggestions import TechniqueMatcher, resolve_techniques
from api.services.ingest.transactions import run_exclusive
from api.services.ingest.writer import (
    PAPER,
    EntryResult,
    RunContext,
    write_batch,
)
from models.base import SourceKind
from models.ingest import IngestKind, IngestStatus

ENTRY = m.metadata.tables["ingest_entry"]
DEFAULT_BATCH_SIZE = 500
_LOCATOR_LENGTH = 300
Item = IncomingPaper | Problem
"""What a reader yields: a record to write, or an entry that could not be read."""


def ingest_arxiv(
    engine: sa.Engine,
    *,
    ids: Sequence[str] = (),
    query: str | None = None,
    max_results: int = 100,
    feed_file: Path | None = None,
    client: ArxivClient | None = None,
    techniques: Sequence[str] = (),
    progress: Progress | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> IngestReport:
    """Ingest arXiv entries named by `ids`, found by a search `query` (at most `max_results`),
    or read from a saved Atom response `feed_file`; exactly one of the three.

    Raises `InvalidInputError` (nothing written) for bad arguments, unknown techniques, an
    input that is not an Atom feed, or arXiv's error feed; `ArxivUnavailableError` when arXiv
    cannot be reached before anything was written. Without a `client`, arXiv is asked as the
    settings say (`arxiv_base_url`, `arxiv_delay`).
    """
    given = [name for name, v in (("ids", ids), ("query", query), ("feed_file", feed_file)) if v]
    if len(given) != 1:
        raise InvalidInputError(
            "give exactly one of ids, query or feed_file",
            [Problem("choose one", field="source", value=", ".join(given) or None)],
        )
    if max_results < 1:
        raise InvalidInputError(
            "max_results must be positive", [Problem("< 1", field="max_results", value=max_results)]
        )
    if feed_file is not None:
        _check_file(feed_file)
        with feed_file.open("rb") as stream:
            items = _arxiv_items(iter_entries(stream, feed_file.name))
            return _ingest(
                engine,
                IngestKind.ARXIV,
                feed_file.name,
                items,
                None,
                techniques,
                progress,
                batch_size,
            )
    arxiv = client or ArxivClient.from_settings(get_settings())
    if ids:
        wanted = normalize_ids(ids)
        items = _fetched_ids(arxiv, wanted)
        locator = "id_list=" + ",".join(wanted)
        return _ingest(
            engine, IngestKind.ARXIV, locator, items, len(wanted), techniques, progress, batch_size
        )
    assert query is not None
    pages = arxiv.iter_pages(search_query=query, max_results=max_results)
    items = _arxiv_items(
        itertools.chain.from_iterable(itertools.chain(p.entries, p.problems) for p in pages)
    )
    locator = f"search_query={query}"
    return _ingest(
        engine, IngestKind.ARXIV, locator, items, max_results, techniques, progress, batch_size
    )


def ingest_bibtex(
    engine: sa.Engine,
    source: Path | str,
    *,
    file_name: str | None = None,
    techniques: Sequence[str] = (),
    progress: Progress | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> IngestReport:
    """Ingest a BibTeX file (a path, or its text with `file_name` for messages).

    Raises `InvalidInputError` (nothing written) when the text is not BibTeX at all.
    Entries that cannot be read, including duplicate keys, are failures with their line.
    """
    name = file_name or (source.name if isinstance(source, Path) else "input.bib")
    if isinstance(source, Path):
        _check_file(source)
    reader = BibtexReader(source, name)
    # One pass over the text for its @strings and crossref parents; it also rejects text
    # that is not UTF-8 or holds NUL bytes before anything is written.
    reader.prepare()
    items = _bibtex_items(reader)
    return _ingest(
        engine,
        IngestKind.BIBTEX,
        name,
        items,
        reader.entry_blocks,
        techniques,
        progress,
        batch_size,
    )


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise InvalidInputError(
            f"{path} is not a readable file", [Problem("no such file", location=str(path))]
        )


def _bibtex_items(reader: BibtexReader) -> Iterator[Item]:
    """Records and failures in file order. Failures before the first block that reads as
    BibTeX are held back: if none ever does, the file is rejected and nothing is written."""
    held: list[Problem] = []
    for item in reader:
        if reader.bibtex_blocks == 0 and isinstance(item, Problem):
            held.append(item)
            continue
        yield from held
        held.clear()
        yield item if isinstance(item, Problem) else from_bibtex(item, reader.file)
    if reader.bibtex_blocks == 0:
        problems = held or [
            Problem("no @entry, @string, @preamble or @comment in it", location=f"{reader.file}:1")
        ]
        message = f"{reader.file} is not a BibTeX file; nothing was written"
        raise InvalidInputError(message, problems)
    yield from held


def _arxiv_items(items: Iterable[ArxivEntry | EntryProblem]) -> Iterator[Item]:
    for item in items:
        if isinstance(item, ArxivEntry):
            yield from_arxiv(item)
        else:
            message = "; ".join(
                f"{p.field}: {p.message}" if p.field else p.message for p in item.problems
            )
            location = item.entry_id or (item.problems[0].location if item.problems else None)
            yield Problem(message, location=location)


def _fetched_ids(client: ArxivClient, wanted: Sequence[str]) -> Iterator[Item]:
    """The entries for `wanted`, then a failure for each id arXiv did not return."""
    result = client.fetch_ids(wanted)
    yield from _arxiv_items((*result.entries, *result.problems))
    returned = {entry.arxiv_id for entry in result.entries}
    for raw in wanted:
        parsed = split_arxiv_id(raw)
        if parsed is not None and parsed[0] not in returned:
            yield Problem("arXiv returned no entry for this id", location=raw)


def _ingest(
    engine: sa.Engine,
    kind: IngestKind,
    locator: str,
    items: Iterator[Item],
    total: int | None,
    techniques: Sequence[str],
    progress: Progress | None,
    batch_size: int,
) -> IngestReport:
    with Session(engine) as session:
        explicit = resolve_techniques(session, techniques)
        matcher = TechniqueMatcher.load(session)
    # Reading the first item checks that the input is what it claims before anything is written.
    first = list(itertools.islice(items, 1))
    context = _start_run(engine, kind, locator[:_LOCATOR_LENGTH], tuple(explicit.values()), matcher)
    report = IngestReport(run_id=context.run_id, kind=kind.value, locator=locator)
    try:
        for batch in _batches(itertools.chain(first, items), batch_size):
            _write(engine, batch, context, report)
            if progress is not None:
                progress(ProgressEvent(report.handled, total, report.failed))
    except InferGraphError as error:
        report.aborted = True
        report.failures.extend(error.problems or [Problem(error.message, location=locator)])
    finally:
        _finish_run(engine, report)
    return report


def _batches(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def _write(engine: sa.Engine, batch: list[Item], context: RunContext, report: IngestReport) -> None:
    first = len(report.entries)
    records = [item for item in batch if isinstance(item, IncomingPaper)]
    problems = [item for item in batch if isinstance(item, Problem)]

    def write(
        connection: sa.Connection,
    ) -> tuple[list[EntryResult], list[tuple[EntryReport, int | None]]]:
        results = write_batch(connection, records, context) if records else []
        entries = _entry_reports(batch, results, first)
        _store_entries(connection, context.run_id, entries)
        # The run's counts are written in the batch's own transaction, so a process killed
        # later leaves a run row that says what it committed (it said added=0). On a copy:
        # a transaction run again after a lock timeout must not count twice.
        so_far = copy.copy(report)
        so_far.failures = [*report.failures, *problems]
        _tally(so_far, results)
        heartbeat = {"heartbeat_at": datetime.now(UTC)}
        connection.execute(_run_update(report.run_id, _counts(so_far) | heartbeat))
        return results, entries

    results, entries = run_exclusive(engine, write)
    report.failures.extend(problems)
    _tally(report, results)
    report.entries.extend(entry for entry, _ in entries)


def _entry_reports(
    batch: list[Item], results: list[EntryResult], first: int
) -> list[tuple[EntryReport, int | None]]:
    """Every item of the batch in input order with its paper's id: records with their result,
    and reader failures."""
    pending = iter(results)
    entries: list[tuple[EntryReport, int | None]] = []
    for position, item in enumerate(batch, start=first):
        if isinstance(item, Problem):
            key = None if item.value is None else str(item.value)
            failed = EntryReport(
                position, item.location or "", Outcome.FAILED, entry_key=key, message=item.message
            )
            entries.append((failed, None))
            continue
        result = next(pending)
        entry = EntryReport(
            position,
            item.location,
            result.outcome,
            entry_key=item.cite_key,
            paper_key=result.paper_key,
            fields=tuple(result.fields),
            evidence=result.evidence,
            message=result.message,
            conflict_id=result.conflict_id,
        )
        entries.append((entry, result.paper_id))
    return entries


def _store_entries(
    connection: sa.Connection, run_id: int, entries: list[tuple[EntryReport, int | None]]
) -> None:
    rows = [
        {
            "run_id": run_id,
            "position": entry.position,
            "location": entry.location[:_LOCATOR_LENGTH],
            "entry_key": entry.entry_key[:_LOCATOR_LENGTH] if entry.entry_key else None,
            "outcome": entry.outcome.value,
            "paper_id": paper_id,
            "paper_key": entry.paper_key,
            "fields": list(entry.fields),
            "evidence": entry.evidence,
            "message": entry.message,
            "conflict_id": entry.conflict_id,
        }
        for entry, paper_id in entries
    ]
    insert_rows(connection, ENTRY, rows)


def _tally(report: IngestReport, results: list[EntryResult]) -> None:
    for result in results:
        if result.problem is not None:
            report.failures.append(result.problem)
        report.count(result.outcome)
        report.suggestions += result.suggestions
        report.links += result.links
    assert all(r.outcome is not Outcome.FAILED or r.problem for r in results)


def _counts(report: IngestReport) -> dict[str, object]:
    return {
        "added": report.added,
        "updated": report.updated,
        "merged": report.merged,
        "unchanged": report.unchanged,
        "failed": report.failed,
        "failures": [problem.as_dict() for problem in report.failures],
    }


def _run_update(run_id: int, values: dict[str, object]) -> sa.Update:
    table = m.metadata.tables["ingest_run"]
    return sa.update(table).where(table.c.id == run_id).values(values)


def _start_run(
    engine: sa.Engine,
    kind: IngestKind,
    locator: str,
    explicit: tuple[int, ...],
    matcher: TechniqueMatcher,
) -> RunContext:
    return run_exclusive(engine, lambda c: open_run(c, kind, locator, explicit, matcher))


def open_run(
    connection: sa.Connection,
    kind: IngestKind,
    locator: str,
    explicit: tuple[int, ...],
    matcher: TechniqueMatcher,
) -> RunContext:
    """A `running` ingest run (and the source its papers cite) in the caller's transaction."""
    now = datetime.now(UTC)
    slug = f"ingest-{kind.value}-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
    title = f"{'arXiv' if kind is IngestKind.ARXIV else 'BibTeX'} ingest: {locator}"
    _backfill_identity_keys(connection)
    _abort_stale_runs(connection, now)
    source_kind = SourceKind.ARXIV if kind is IngestKind.ARXIV else SourceKind.BIBTEX
    source_id = _insert(
        connection,
        "source",
        slug=slug,
        title=title[:300],
        kind=source_kind.value,
        locator=locator,
        as_of=date.today(),
    )
    run_id = _insert(
        connection,
        "ingest_run",
        kind=kind.value,
        locator=locator,
        status=IngestStatus.RUNNING.value,
        started_at=now,
        heartbeat_at=now,
        source_id=source_id,
        failures=[],
        added=0,
        updated=0,
        merged=0,
        unchanged=0,
        failed=0,
    )
    return RunContext(run_id, source_id, explicit, matcher, now)


def ingest_records(
    connection: sa.Connection,
    kind: IngestKind,
    locator: str,
    records: Sequence[IncomingPaper],
    matcher: TechniqueMatcher,
) -> list[EntryResult]:
    """Write `records` as one finished ingest run inside the caller's transaction, matched
    to the stored papers by the same evidence as every ingest (the survey sync's new
    references). The caller commits, or rolls back the run with everything else."""
    context = open_run(connection, kind, locator[:_LOCATOR_LENGTH], (), matcher)
    report = IngestReport(run_id=context.run_id, kind=kind.value, locator=locator)
    results = write_batch(connection, records, context) if records else []
    _store_entries(connection, context.run_id, _entry_reports(list(records), results, 0))
    _tally(report, results)
    values = {"status": IngestStatus.FINISHED.value, "finished_at": datetime.now(UTC)}
    connection.execute(_run_update(context.run_id, _counts(report) | values))
    return results


def _abort_stale_runs(connection: sa.Connection, now: datetime) -> None:
    """Runs still `running` with no batch committed for `ingest_stale_seconds` were left by a
    process that died (a live one commits a batch every few seconds): they become `aborted`,
    keeping the counts of what they committed."""
    stale_after = timedelta(seconds=get_settings().ingest_stale_seconds)
    table = m.metadata.tables["ingest_run"]
    stale = connection.execute(
        sa.select(table.c.id, table.c.failures).where(
            table.c.status == IngestStatus.RUNNING.value,
            sa.func.coalesce(table.c.heartbeat_at, table.c.started_at) < now - stale_after,
        )
    ).all()
    for run_id, failures in stale:
        problem = Problem(
            f"the process stopped: no batch committed for {stale_after}; "
            "the papers it committed are kept",
            location="ingest",
        )
        values = {
            "status": IngestStatus.ABORTED.value,
            "finished_at": now,
            "failures": [*(failures or []), problem.as_dict()],
        }
        connection.execute(_run_update(run_id, values))


def _insert(connection: sa.Connection, table_name: str, **values: object) -> int:
    table = m.metadata.tables[table_name]
    key = connection.execute(sa.insert(table).values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def _backfill_identity_keys(connection: sa.Connection) -> None:
    """Papers written before the title key existed (or by an older seed) get it here."""
    rows = connection.execute(
        sa.select(PAPER.c.id, PAPER.c.title).where(
            PAPER.c.identity_key.is_(None), PAPER.c.title.is_not(None)
        )
    )
    for paper_id, title in rows.all():
        key = identity_key(title)
        if key is not None:
            connection.execute(
                sa.update(PAPER).where(PAPER.c.id == paper_id).values(identity_key=key)
            )


def _finish_run(engine: sa.Engine, report: IngestReport) -> None:
    status = IngestStatus.ABORTED if report.aborted else IngestStatus.FINISHED
    values = {"status": status.value, "finished_at": datetime.now(UTC), **_counts(report)}
    run_exclusive(engine, lambda c: c.execute(_run_update(report.run_id, values)))
