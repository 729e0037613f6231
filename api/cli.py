"""`infergraph`: command-line interface. Each command calls one service function."""

import dataclasses
import importlib
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from sqlmodel import Session, col

import models as m
from api.config import get_settings
from api.db import create_db_engine, upgrade_database
from api.errors import InferGraphError
from api.services import charts, profile, survey_tables
from api.services.history import session_as_of
from api.services.ingest import IngestReport, Outcome, Progress, ProgressEvent
from api.services.stats import entity_counts, schema_revision
from models.access import TokenScope
from seed import DATA_DIR, REFERENCES_BIB
from seed.loader import seed_database

app = typer.Typer(
    help="InferGraph: a knowledge graph of LLM inference engines.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
export_app = typer.Typer(help="Export data.", no_args_is_help=True)
ingest_app = typer.Typer(help="Grow the graph from arXiv and BibTeX.", no_args_is_help=True)
suggestions_app = typer.Typer(help="Review suggested technique links.", no_args_is_help=True)
run_reviews_app = typer.Typer(
    help="Review imported benchmark runs whose engine, model or device matched nothing.",
    no_args_is_help=True,
)
papers_app = typer.Typer(
    help="Paper identity: conflicts ingests found, merges and their undo.", no_args_is_help=True
)
token_app = typer.Typer(
    help="API tokens for writes (and reads, when required).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(export_app, name="export")
app.add_typer(ingest_app, name="ingest")
app.add_typer(suggestions_app, name="suggestions")
app.add_typer(run_reviews_app, name="run-reviews")
app.add_typer(papers_app, name="papers")
app.add_typer(token_app, name="token")
sync_app = typer.Typer(help="Keep up with a newer version of a source.", no_args_is_help=True)
app.add_typer(sync_app, name="sync")


def _database() -> sa.Engine:
    return create_db_engine(get_settings().resolved_database_url)


def _engine(*, ready: bool = False) -> sa.Engine:
    """The configured database; with `ready`, upgraded to the newest schema first.

    Without `ready` (read-only commands) the database is neither created nor migrated: a
    missing SQLite file (a mistyped path made an empty database and an empty dump, exit 0), an
    unreachable server or a database without the schema is an error that says what to run.
    """
    engine = _database()
    if ready:
        upgrade_database(engine)
        return engine
    database = engine.url.database
    file_backed = engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
    if file_backed and not Path(str(database)).is_file():
        typer.echo(f"error: there is no database at {database}", err=True)
        raise typer.Exit(code=1)
    try:
        with engine.connect() as connection:
            revision = schema_revision(connection)
    except sa.exc.OperationalError as error:
        typer.echo(f"error: cannot open {engine.url.render_as_string()}: {error.orig}", err=True)
        raise typer.Exit(code=1) from None
    if revision is None:
        typer.echo(
            f"error: {engine.url.render_as_string()} has no InferGraph schema; "
            "run `infergraph seed` (or `infergraph db upgrade`) first",
            err=True,
        )
        raise typer.Exit(code=1)
    return engine


def _fail(error: InferGraphError) -> None:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(code=1)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply schema migrations up to REVISION (default: the newest)."""
    upgrade_database(_database(), revision)
    typer.echo(f"database at {revision}")


@app.command()
def seed(
    data_dir: Annotated[Path, typer.Option(help="Folder of seed data files.")] = DATA_DIR,
    bibtex: Annotated[Path, typer.Option(help="BibTeX file of the survey's references.")] = (
        REFERENCES_BIB
    ),
) -> None:
    """Validate the survey seed, then write it in one transaction (idempotent)."""
    try:
        result = seed_database(_database(), data_dir, bibtex)
    except InferGraphError as error:
        _fail(error)
        return
    total = result.total
    typer.echo(
        f"seeded: {total.inserted} inserted, {total.updated} updated, "
        f"{total.deleted} deleted, {total.unchanged} unchanged"
    )


@app.command()
def stats() -> None:
    """Print how many rows each entity has."""
    with Session(_engine()) as session:
        counts = entity_counts(session)
    width = max(len(name) for name in counts)
    for name, count in counts.items():
        typer.echo(f"{name:<{width}}  {count:>7}")


@export_app.command("table")
def export_table(
    name: Annotated[str | None, typer.Argument(help="Table to regenerate.")] = None,
    list_tables: Annotated[bool, typer.Option("--list", help="List the table names.")] = False,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="markdown, csv, or csv-excel (CSV with a byte-order mark).",
            case_sensitive=False,
        ),
    ] = "markdown",
    as_of: Annotated[
        str | None,
        typer.Option(help="The table as of a source version (its name, or a date YYYY-MM-DD)."),
    ] = None,
) -> None:
    """Regenerate one of the survey's tables from the database."""
    try:
        with session_as_of(_engine(), as_of) as session:
            if list_tables or name is None:
                for table_name in survey_tables.table_names(session):
                    typer.echo(table_name)
                return
            table = survey_tables.render_table(session, name)
    except InferGraphError as error:
        _fail(error)
        return
    if output_format.lower() == "markdown":
        sys.stdout.write(table.to_markdown())
    elif output_format.lower() in ("csv", "csv-excel"):
        sys.stdout.write(table.to_csv(bom=output_format.lower() == "csv-excel"))
    else:
        typer.echo(
            f"error: unknown format {output_format!r}; use markdown, csv or csv-excel", err=True
        )
        raise typer.Exit(code=2)


@export_app.command("chart")
def export_chart(
    name: Annotated[str, typer.Argument(help="The chart, e.g. optimization-matrix, radar.")],
    output_format: Annotated[
        str, typer.Option("--format", help="svg (the picture) or csv (its data).")
    ] = "svg",
    engine: Annotated[
        list[str] | None,
        typer.Option(help="The radar's engines; on the runs charts, only these engines."),
    ] = None,
    category: Annotated[str | None, typer.Option(help="Matrices: the columns of a group.")] = None,
    sort: Annotated[
        str | None, typer.Option(help="Matrices: name, -supported or a column's slug.")
    ] = None,
    page: Annotated[int | None, typer.Option(min=1, help="Matrices: page of engines.")] = None,
) -> None:
    """Write a chart as /api/v1/charts/NAME.svg (or .csv) draws it, to standard output."""
    if output_format not in ("svg", "csv"):
        typer.echo(f"error: unknown format {output_format!r}; use svg or csv", err=True)
        raise typer.Exit(code=2)
    where = (
        None
        if category is None and sort is None and page is None
        else charts.MatrixFilter(category or "", sort or "name", page or 1)
    )
    with Session(_engine()) as session:
        try:
            data = charts.chart(session, name, engine or (), where)
        except InferGraphError as error:
            _fail(error)
            return
    if output_format == "svg":
        sys.stdout.buffer.write(charts.render_svg(data))
        sys.stdout.flush()
    else:
        sys.stdout.write(charts.render_csv(data))


@app.command("profile")
def profile_command(
    engines: Annotated[
        list[str] | None, typer.Argument(help="Engine slugs; none: every engine.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Every score with its facts, as JSON.")
    ] = False,
) -> None:
    """The derived six-dimension profile of engines (InferGraph's formula, not the
    survey's): each score on 0 to 5, a range where facts are unknown."""
    with Session(_engine()) as session:
        try:
            found = (
                profile.profiles_by_slugs(session, engines)
                if engines
                else profile.all_profiles(session)
            )
        except InferGraphError as error:
            _fail(error)
            return
    if as_json:
        typer.echo(json.dumps([dataclasses.asdict(p) for p in found], indent=2))
        return
    typer.echo(f"Six-dimension profile, {profile.LABEL} (0 to {profile.SCALE_MAX:g})")
    for p in found:
        typer.echo(f"{p.engine_name} ({p.engine_slug})")
        for score in p.scores:
            shown = (
                f"{score.score_min:.2f}"
                if score.score_min == score.score_max
                else f"{score.score_min:.2f} to {score.score_max:.2f}"
            )
            typer.echo(f"  {score.name:<28} {shown}")


@export_app.command("papers")
def export_papers(
    filter_text: Annotated[
        str | None,
        typer.Option("--filter", help="REST filter grammar, e.g. technique:lora,year_from:2023."),
    ] = None,
    technique: Annotated[str | None, typer.Option(help="Papers cited by this technique.")] = None,
    category: Annotated[str | None, typer.Option(help="Papers of a whole category.")] = None,
    engine: Annotated[
        str | None, typer.Option(help="Papers behind an engine's supported techniques.")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="bibtex, csl-json or ris.")
    ] = "bibtex",
) -> None:
    """Write a set of papers as BibTeX, CSL-JSON or RIS (cite keys stable across runs)."""
    from api.services import exports
    from api.services.literature import PaperFilter, paper_conditions
    from api.services.vocabulary import Interface, from_text, respelled

    if output_format not in exports.PAPER_STREAMS:
        typer.echo("error: --format must be bibtex, csl-json or ris", err=True)
        raise typer.Exit(code=2)
    stream = exports.PAPER_STREAMS[output_format]
    with Session(_engine()) as session:
        try:
            if technique:
                selection = exports.technique_papers(session, technique)
            elif category:
                selection = exports.category_papers(session, category)
            elif engine:
                selection = exports.engine_papers(session, engine)
            else:
                with respelled(PaperFilter, Interface.CLI):
                    conditions = paper_conditions(
                        session, from_text(PaperFilter, filter_text, get_settings().max_list_values)
                    )
                selection = sa.select(col(m.Paper.id)).where(*conditions)
            for chunk in stream(session, selection):
                sys.stdout.write(chunk)
        except InferGraphError as error:
            _fail(error)


@export_app.command("graph")
def export_graph(
    output_format: Annotated[str, typer.Option("--format", help="jsonld or graphml.")] = "jsonld",
) -> None:
    """Write the whole graph as JSON-LD (schema.org) or GraphML, streamed."""
    from api.services import exports

    if output_format not in ("jsonld", "graphml"):
        typer.echo("error: --format must be jsonld or graphml", err=True)
        raise typer.Exit(code=2)
    with Session(_engine()) as session:
        stream = (
            exports.graph_jsonld_stream(session, get_settings().own_base_url)
            if output_format == "jsonld"
            else exports.graphml_stream(session)
        )
        for chunk in stream:
            sys.stdout.write(chunk)


@app.command()
def dump(file: Annotated[Path, typer.Argument(help="Where to write the dump (JSON).")]) -> None:
    """Write the whole database as one JSON document (docs/dump-format.md)."""
    from api.services.exports import content_hash, dump_graph

    engine = _engine()
    with file.open("w", encoding="utf-8") as handle:
        dump_graph(engine, handle)
    typer.echo(f"dumped to {file} ({content_hash(engine)})")


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A dump written by `infergraph dump`.")],
    no_verify: Annotated[
        bool,
        typer.Option(
            "--no-verify", help="Load a dump without (or with a wrong) content hash: one edited."
        ),
    ] = False,
) -> None:
    """Load a dump into an empty database; refuses a non-empty one, and one whose content
    hash is missing or wrong unless --no-verify."""
    from api.services.exports import content_hash, restore_graph

    engine = _engine(ready=True)
    if no_verify:
        typer.echo(
            "warning: --no-verify: the dump's content is not checked against its hash", err=True
        )
    try:
        with file.open("rb") as handle:
            counts = restore_graph(engine, handle, location=str(file), verify=not no_verify)
    except InferGraphError as error:
        _fail(error)
        return
    except OSError as error:
        typer.echo(f"error: cannot read {file}: {error}", err=True)
        raise typer.Exit(code=1) from error
    typer.echo(f"restored {sum(counts.values())} rows ({content_hash(engine)})")


@export_app.command("graphql-schema")
def export_graphql_schema() -> None:
    """Print the GraphQL schema (SDL); `schema.graphql` is this output."""
    from api.graphql.schema import schema

    sys.stdout.write(schema.as_str() + "\n")


TechniqueOption = Annotated[
    list[str] | None,
    typer.Option("--technique", "-t", help="Link every ingested paper to this technique slug."),
]
ReportOption = Annotated[
    Path | None,
    typer.Option(
        "--report",
        help="Write every entry's outcome to this file: CSV if it ends in .csv, else JSON.",
    ),
]
INGEST_EXIT_CODES = (
    "Exit codes: 0 every entry was written (added, updated, merged or unchanged); "
    "1 some entries failed or met a conflict, or the input stopped being readable "
    "(the rest is kept); 2 usage: bad arguments or an input that is not what it claims, "
    "nothing written."
)


def _run_ingest(run: Callable[[Progress], IngestReport], report_file: Path | None) -> None:
    """Show a progress bar, then the summary table; exit as INGEST_EXIT_CODES says."""
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
    from rich.progress import Progress as Bar

    from api.errors import InvalidInputError

    with Bar(
        TextColumn("ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        transient=True,
        disable=not sys.stderr.isatty(),
    ) as bar:
        task = bar.add_task("ingest", total=None, failed=0)

        def progress(event: ProgressEvent) -> None:
            bar.update(task, completed=event.done, total=event.total, failed=event.failed)

        try:
            report = run(progress)
        except InvalidInputError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(code=2) from None
        except InferGraphError as error:
            _fail(error)
            return
    typer.echo(f"{report.kind} {report.locator}: {report.summary()}")
    _print_outcome_table(report)
    if report.suggestions or report.links:
        typer.echo(
            f"technique links: {report.links} made, {report.suggestions} suggested for review"
        )
    for entry in report.entries:
        if entry.outcome in (Outcome.CONFLICT, Outcome.FAILED):
            typer.echo(f"  {entry.location}: {entry.described()}", err=True)
    if report.aborted:
        # The reason it stopped follows the failures of entries.
        entry_failures = sum(1 for e in report.entries if e.outcome is Outcome.FAILED)
        for failure in report.failures[entry_failures:]:
            typer.echo(f"  stopped: {failure}", err=True)
        typer.echo(
            "  the input stopped being readable; entries before that point were kept", err=True
        )
    if report_file is not None:
        _write_report(report, report_file)
        typer.echo(f"report of {len(report.entries)} entries written to {report_file}")
    if not report.ok:
        raise typer.Exit(code=1)


def _print_outcome_table(report: IngestReport) -> None:
    counts = {outcome: 0 for outcome in Outcome}
    for entry in report.entries:
        counts[entry.outcome] += 1
    typer.echo(f"{'outcome':<10} {'entries':>7}")
    for outcome, number in counts.items():
        typer.echo(f"{outcome.value:<10} {number:>7}")


def _write_report(report: IngestReport, path: Path) -> None:
    import csv
    import json

    rows = [entry.as_dict() for entry in report.entries]
    with path.open("w", encoding="utf-8", newline="") as handle:
        if path.suffix.lower() != ".csv":
            json.dump(report.as_dict(), handle, ensure_ascii=False, indent=1)
            handle.write("\n")
            return
        columns = list(rows[0]) if rows else ["position", "location", "outcome"]
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(row | {"fields": " ".join(row.get("fields") or ())})


@ingest_app.command("arxiv", epilog=INGEST_EXIT_CODES)
def ingest_arxiv_command(
    ids: Annotated[
        list[str] | None, typer.Argument(help="arXiv ids, e.g. 2309.06180v2 or hep-th/9901001.")
    ] = None,
    query: Annotated[
        str | None,
        typer.Option(help="arXiv search, e.g. 'cat:cs.DC AND abs:\"speculative decoding\"'."),
    ] = None,
    max_results: Annotated[int, typer.Option("--max", help="Most entries a query ingests.")] = 100,
    feed: Annotated[
        Path | None, typer.Option(help="A saved arXiv Atom response to ingest.")
    ] = None,
    technique: TechniqueOption = None,
    report: ReportOption = None,
) -> None:
    """Ingest arXiv entries by id, by search query, or from a saved Atom file."""
    from api.services.ingest import ingest_arxiv

    _run_ingest(
        lambda progress: ingest_arxiv(
            _engine(ready=True),
            ids=ids or (),
            query=query,
            max_results=max_results,
            feed_file=feed,
            techniques=technique or (),
            progress=progress,
        ),
        report,
    )


@ingest_app.command("bibtex", epilog=INGEST_EXIT_CODES)
def ingest_bibtex_command(
    file: Annotated[Path, typer.Argument(help="A BibTeX file (JabRef, Zotero, Mendeley, …).")],
    technique: TechniqueOption = None,
    report: ReportOption = None,
) -> None:
    """Ingest every entry of a BibTeX file; each is written whole or not at all."""
    from api.services.ingest import ingest_bibtex

    _run_ingest(
        lambda progress: ingest_bibtex(
            _engine(ready=True), file, techniques=technique or (), progress=progress
        ),
        report,
    )


@ingest_app.command("runs")
def ingest_runs_command(
    files: Annotated[
        list[Path], typer.Argument(help="Result files: MLPerf, llmperf, vLLM bench, GuideLLM, …")
    ],
    fmt: Annotated[
        str,
        typer.Option("--format", help="mlperf, llmperf, vllm-bench, guidellm, inferencex or auto."),
    ] = "auto",
    create_missing: Annotated[
        bool,
        typer.Option(
            "--create-missing", help="Create engines, models and devices no stored name matches."
        ),
    ] = False,
    engine: Annotated[
        str | None, typer.Option(help="Engine that ran, when the file does not say.")
    ] = None,
    engine_version: Annotated[str | None, typer.Option(help="Its version.")] = None,
    model: Annotated[str | None, typer.Option(help="Model, replacing the file's.")] = None,
    device: Annotated[
        str | None, typer.Option(help="Device, e.g. 'Intel Gaudi 3', when the file does not say.")
    ] = None,
    device_count: Annotated[int | None, typer.Option(min=1, help="How many devices.")] = None,
    precision: Annotated[str | None, typer.Option(help="Weight data type, e.g. bf16.")] = None,
    submitter: Annotated[str | None, typer.Option(help="Who measured.")] = None,
) -> None:
    """Import benchmark runs from result files, all in one transaction (idempotent)."""
    from api.services.ingest.readers.runs import RunContext
    from api.services.ingest.runs import RunFile, import_runs

    context = RunContext(
        engine=engine,
        engine_version=engine_version,
        model=model,
        device=device,
        device_count=device_count,
        precision=precision,
        submitter=submitter,
    )
    try:
        limit = get_settings().max_ingest_bytes
        report = import_runs(
            _engine(ready=True),
            [RunFile.from_path(path, limit) for path in files],
            fmt=fmt,
            create_missing=create_missing,
            context=context,
        )
    except InferGraphError as error:
        _fail(error)
        return
    for item in report.files:
        typer.echo(f"{item['name']}: {item['format']}, {item['records']} records")
    typer.echo(report.summary())
    if report.held:
        typer.echo("held runs: `infergraph run-reviews list`", err=True)


@run_reviews_app.command("list")
def run_reviews_list(
    status: Annotated[str, typer.Option(help="pending, accepted, rejected or all.")] = "pending",
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
) -> None:
    """Held runs with what did not match and the suggested slugs."""
    from api.services.ingest.run_reviews import list_run_reviews
    from models.benchmarks import ReviewStatus

    wanted = None if status == "all" else ReviewStatus(status)
    with Session(_engine()) as session:
        views = list_run_reviews(session, wanted, limit=limit)
    for view in views:
        unresolved = "; ".join(
            f"{kind} {item['name']!r} → {', '.join(item['suggestions']) or 'no suggestion'}"
            for kind, item in view.unresolved.items()
        )
        typer.echo(f"{view.id:>6}  {view.status:<8} {view.identity}  ({unresolved})")


@run_reviews_app.command("accept")
def run_reviews_accept(
    review_id: int,
    engine: Annotated[str | None, typer.Option(help="Engine slug for the run's engine.")] = None,
    model: Annotated[str | None, typer.Option(help="Model slug.")] = None,
    device: Annotated[str | None, typer.Option(help="Device slug.")] = None,
    create_missing: Annotated[
        bool, typer.Option("--create-missing", help="Create what is not chosen, as named.")
    ] = False,
    note: Annotated[str | None, typer.Option(help="Why.")] = None,
) -> None:
    """Write a held run with the chosen entities; their names become aliases."""
    from api.services.ingest.run_reviews import ReviewDecision, accept_run_review

    decision = ReviewDecision(engine, model, device, create_missing, note)
    try:
        view, report = accept_run_review(_engine(ready=True), review_id, decision)
    except InferGraphError as error:
        _fail(error)
        return
    typer.echo(f"{view.id}: {view.identity} is now {view.status}; {report.summary()}")


@run_reviews_app.command("reject")
def run_reviews_reject(
    review_id: int, note: Annotated[str | None, typer.Option(help="Why.")] = None
) -> None:
    """Reject a held run: it is not written, and later imports skip it."""
    from api.services.ingest.run_reviews import reject_run_review

    try:
        view = reject_run_review(_engine(ready=True), review_id, note)
    except InferGraphError as error:
        _fail(error)
        return
    typer.echo(f"{view.id}: {view.identity} is now {view.status}")


@suggestions_app.command("list")
def suggestions_list(
    status: Annotated[
        str, typer.Option(help="suggested, accepted, rejected or all.")
    ] = "suggested",
    technique: Annotated[str | None, typer.Option(help="Only links to this technique.")] = None,
) -> None:
    """List technique links, best score first."""
    from api.services.ingest import LinkStatus, list_suggestions

    wanted = None if status == "all" else LinkStatus(status)
    with Session(_engine()) as session:
        views = list_suggestions(session, wanted, technique=technique)
    for view in views:
        typer.echo(
            f"{view.id:>6}  {view.status:<9} {view.score:.2f}  {view.technique_slug:<24} "
            f"{view.paper_key}  ({', '.join(view.matched)})"
        )


@suggestions_app.command("accept")
def suggestions_accept(
    suggestion_id: int, note: Annotated[str | None, typer.Option(help="Why.")] = None
) -> None:
    """Accept a suggested technique link."""
    _review(suggestion_id, accept=True, note=note)


@suggestions_app.command("reject")
def suggestions_reject(
    suggestion_id: int, note: Annotated[str | None, typer.Option(help="Why.")] = None
) -> None:
    """Reject a suggested technique link."""
    _review(suggestion_id, accept=False, note=note)


def _review(suggestion_id: int, *, accept: bool, note: str | None) -> None:
    from api.services.ingest import review_suggestion

    try:
        view = review_suggestion(_engine(ready=True), suggestion_id, accept=accept, note=note)
    except InferGraphError as error:
        _fail(error)
        return
    typer.echo(f"{view.id}: {view.technique_slug} ← {view.paper_key} is now {view.status}")


@papers_app.command("conflicts")
def papers_conflicts(
    status: Annotated[str, typer.Option(help="open, merged, distinct or all.")] = "open",
) -> None:
    """List paper conflicts: both papers, what they share and each field that disagrees."""
    from api.services.ingest.review import list_conflicts
    from models.ingest import ConflictStatus

    if status != "all" and status not in {s.value for s in ConflictStatus}:
        typer.echo("error: --status must be open, merged, distinct or all", err=True)
        raise typer.Exit(code=2)
    wanted = None if status == "all" else ConflictStatus(status)
    with Session(_engine()) as session:
        views = list_conflicts(session, wanted, limit=10_000)
    for view in views:
        typer.echo(view.described())
        for name, (ours, theirs) in view.fields.items():
            typer.echo(f"    {name}: {ours!r} / {theirs!r}")


@papers_app.command("merge")
def papers_merge(
    survivor: Annotated[str, typer.Argument(help="Key of the paper that stays.")],
    absorbed: Annotated[str, typer.Argument(help="Key of the paper merged into it.")],
    note: Annotated[str | None, typer.Option(help="Why.")] = None,
) -> None:
    """Merge paper ABSORBED into SURVIVOR; the absorbed key, DOI and arXiv id keep resolving."""
    from api.services.paper_merges import merge_papers

    try:
        view = merge_papers(_engine(ready=True), survivor, absorbed, note=note)
    except InferGraphError as error:
        _fail(error)
        return
    names = ", ".join(f"{kind} {value}" for kind, value in view.aliases)
    typer.echo(f"merge {view.id}: {view.absorbed_key} → {view.survivor_key} ({names})")


@papers_app.command("undo")
def papers_undo(merge_id: Annotated[int, typer.Argument(help="The merge's number.")]) -> None:
    """Undo a merge: the absorbed paper comes back as it was."""
    from api.services.paper_merges import undo_merge

    try:
        view = undo_merge(_engine(ready=True), merge_id)
    except InferGraphError as error:
        _fail(error)
        return
    typer.echo(f"merge {view.id} undone: {view.absorbed_key} is its own paper again")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option(help="Who or what holds the token.")],
    scope: Annotated[
        TokenScope, typer.Option(help="read, write (ingest, review) or admin (also tokens).")
    ] = TokenScope.WRITE,
) -> None:
    """Create a token and print it. It is stored hashed: this is the only time it is shown."""
    from api.services.tokens import create_token

    try:
        issued = create_token(_engine(ready=True), name=name, scope=scope)
    except InferGraphError as error:
        _fail(error)
        return
    typer.echo(issued.token)
    typer.echo(
        f"token {issued.view.id} ({issued.view.prefix}…, scope {scope.value}) for "
        f"{issued.view.name!r}; store it now, it cannot be shown again",
        err=True,
    )


@token_app.command("list")
def token_list(
    include_revoked: Annotated[bool, typer.Option("--all", help="Include revoked tokens.")] = False,
) -> None:
    """List tokens (never their secrets)."""
    from api.services.tokens import list_tokens

    with Session(_engine()) as session:
        views = list_tokens(session, include_revoked=include_revoked)
    for view in views:
        used = view.last_used_at.isoformat(timespec="seconds") if view.last_used_at else "never"
        state = "revoked" if view.revoked_at else "active"
        typer.echo(
            f"{view.id:>4}  {view.prefix}…  {view.scope.value:<5}  {state:<7}  "
            f"last used {used:<25}  {view.name}"
        )


@token_app.command("revoke")
def token_revoke(
    token: Annotated[str, typer.Argument(help="The token's id or its shown prefix (ig_…).")],
) -> None:
    """Revoke a token; requests carrying it are refused from now on."""
    from api.services.tokens import revoke_token

    try:
        view = revoke_token(_engine(ready=True), token)
    except InferGraphError as error:
        _fail(error)
        return
    typer.echo(f"token {view.id} ({view.prefix}…, {view.name!r}) revoked")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    seed_if_empty: Annotated[
        bool, typer.Option("--seed/--no-seed", help="Seed the survey into an empty database.")
    ] = True,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Server processes sharing the port (PostgreSQL recommended beyond 1); each "
            "keeps its own caches, checked against the database's data version on every read.",
        ),
    ] = 1,
) -> None:
    """Upgrade the schema, seed an empty database, and serve the HTTP API."""
    from api.startup import served_urls, start_preparing_database

    settings = get_settings()
    # The database is migrated and seeded while the app is imported (bench/cold_start.py).
    database_ready = start_preparing_database(settings.resolved_database_url, seed_if_empty)
    import uvicorn

    from api.app import create_app

    # Several workers each build their own app (uvicorn imports the factory in every one).
    app = create_app(settings) if workers == 1 else None
    # The first request runs its handler in anyio's thread pool, whose asyncio backend is
    # imported on first use (a tenth of a second of a cold start): imported now, while the
    # database is still being prepared, not after.
    importlib.import_module("anyio._backends._asyncio")
    try:
        prepared = database_ready()
    except InferGraphError as error:
        _fail(error)
        return
    host, port = host or settings.host, port or settings.port
    for line in prepared.lines():
        typer.echo(line)
    typer.echo("serving InferGraph:" if workers == 1 else f"serving InferGraph, {workers} workers:")
    for line in served_urls(host, port):
        typer.echo(f"  {line}")
    if app is not None:
        uvicorn.run(app, host=host, port=port)
    else:
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers)


@app.command("mcp")
def mcp_stdio() -> None:
    """Serve the read-only MCP server on stdin/stdout, for research assistants (docs/mcp.md).

    The database must hold the schema (`infergraph seed`); when reads require a token, set
    INFERGRAPH_MCP_TOKEN."""
    # Imported here: the GraphQL schema and the SDK are only needed by this command.
    from api.app import mcp_server

    mcp_server(_engine(), get_settings()).run("stdio")


@sync_app.command("survey")
def sync_survey_command(
    file: Annotated[Path, typer.Argument(help="A README in the survey list's format.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
    apply: Annotated[
        bool, typer.Option("--apply", help="Write the changes not held for review.")
    ] = False,
    skip_unparsed: Annotated[
        bool, typer.Option("--skip-unparsed", help="Apply even if some lines were not understood.")
    ] = False,
    accept: Annotated[
        list[str] | None,
        typer.Option("--accept", help="Also write this held change (its id; repeatable)."),
    ] = None,
    reject: Annotated[
        list[str] | None,
        typer.Option(
            "--reject", help="Reject this held change: kept out of later plans (repeatable)."
        ),
    ] = None,
    by: Annotated[
        str, typer.Option("--by", help="Who decides --accept and --reject, for the record.")
    ] = "cli",
    source_version: Annotated[
        str | None,
        typer.Option(help="The source version written into (default: --source-date)."),
    ] = None,
    source_date: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"], help="The README's date (default: the version's name, or today)."
        ),
    ] = None,
) -> None:
    """Plan (and with --apply, write) the differences between FILE and the graph's survey facts.

    Changes that need judgement (a paper moving between engines, a row or column that
    disappeared or was renamed) are held until accepted (--accept) or rejected (--reject,
    remembered by later syncs); both take effect with --apply. Exit 1 when nothing could be
    written; see docs/sync.md."""
    import json

    from api.services.survey_sync import read_readme_file, sync_survey

    try:
        text = read_readme_file(file)
        with Session(_engine(ready=apply)) as session:
            result = sync_survey(
                session,
                text,
                file=str(file),
                apply=apply,
                skip_unparsed=skip_unparsed,
                accept=accept or (),
                reject=reject or (),
                reviewer=by,
                source_version=source_version,
                source_date=source_date.date() if source_date else None,
            )
    except InferGraphError as error:
        _fail(error)
        return
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    for line in result.lines():
        typer.echo(line)


@sync_app.command("reviews")
def sync_reviews_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print them as JSON.")] = False,
) -> None:
    """List the accepted and rejected held changes of survey syncs, newest first."""
    import json

    from api.services.survey_sync import list_reviews

    with Session(_engine()) as session:
        found = list_reviews(session)
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo("no decisions yet")
    for review in found:
        typer.echo(
            f"{review['decision']}  {review['change_id']}  by {review['decided_by']}"
            f" at {review['decided_at']}"
        )
