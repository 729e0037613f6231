"""`infergraph`: command-line interface. Each command calls one service function."""

import sys
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from sqlmodel import Session

from api.config import get_settings
from api.db import create_db_engine, upgrade_database
from api.errors import InferGraphError
from api.services import survey_tables
from api.services.stats import entity_counts, is_seeded
from seed import DATA_DIR, REFERENCES_BIB
from seed.loader import seed_database

app = typer.Typer(
    help="InferGraph: a knowledge graph of LLM inference engines.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
export_app = typer.Typer(help="Export data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(export_app, name="export")


def _engine() -> sa.Engine:
    return create_db_engine(get_settings().resolved_database_url)


def _fail(error: InferGraphError) -> None:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(code=1)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply schema migrations up to REVISION (default: the newest)."""
    upgrade_database(_engine(), revision)
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
        result = seed_database(_engine(), data_dir, bibtex)
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
        str, typer.Option("--format", help="markdown or csv.", case_sensitive=False)
    ] = "markdown",
) -> None:
    """Regenerate one of the survey's tables from the database."""
    with Session(_engine()) as session:
        if list_tables or name is None:
            for table_name in survey_tables.table_names(session):
                typer.echo(table_name)
            return
        try:
            table = survey_tables.render_table(session, name)
        except InferGraphError as error:
            _fail(error)
            return
    if output_format.lower() == "markdown":
        sys.stdout.write(table.to_markdown())
    elif output_format.lower() == "csv":
        sys.stdout.write(table.to_csv())
    else:
        typer.echo(f"error: unknown format {output_format!r}; use markdown or csv", err=True)
        raise typer.Exit(code=2)


@export_app.command("graphql-schema")
def export_graphql_schema() -> None:
    """Print the GraphQL schema (SDL); `schema.graphql` is this output."""
    from api.graphql.schema import schema

    sys.stdout.write(schema.as_str() + "\n")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    seed_if_empty: Annotated[
        bool, typer.Option("--seed/--no-seed", help="Seed the survey into an empty database.")
    ] = True,
) -> None:
    """Upgrade the schema, seed an empty database, and serve the HTTP API."""
    import uvicorn

    from api.app import create_app

    settings = get_settings()
    engine = _engine()
    upgrade_database(engine)
    with Session(engine) as session:
        empty = not is_seeded(session)
    if seed_if_empty and empty:
        try:
            seed_database(engine)
        except InferGraphError as error:
            _fail(error)
    engine.dispose()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)
