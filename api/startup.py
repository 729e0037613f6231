"""Getting the database ready for `infergraph serve` while the web app is being imported.

A cold start spends most of its time in two independent pieces of work: migrating and
seeding the database (~1.5 s on SQLite) and importing the app (the GraphQL schema, FastAPI
and its models, ~1.2 s). On Linux the database work runs in a forked child (which inherits
every module already imported, so it starts at once) on the second core while the parent
imports the app; `serve` waits for the child before it accepts a request, so the first query
sees the seeded data. Elsewhere, or on a single core, it runs inline as before.
"""

import multiprocessing
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from sqlmodel import Session

from api.db import create_db_engine, upgrade_database
from api.errors import InferGraphError
from api.services.stats import entity_counts, is_seeded, schema_revision
from seed.loader import seed_database


@dataclass(frozen=True)
class Preparation:
    """What `prepare_database` did, for `serve` to say (sent from the child, so plain data)."""

    database: str
    revision_before: str | None
    revision_after: str | None
    seeded_rows: int | None = None
    """Rows the seed inserted, or None when it did not run."""
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        if self.revision_before == self.revision_after:
            schema = f"schema up to date ({self.revision_after})"
        else:
            was = self.revision_before or "an empty database"
            schema = f"migrated the schema from {was} to {self.revision_after}"
        graph = ", ".join(
            f"{self.counts.get(name, 0)} {name}" for name in ("engines", "techniques", "papers")
        )
        if self.seeded_rows is not None:
            content = f"seeded the survey: {self.seeded_rows} rows inserted ({graph})"
        elif self.counts.get("sources", 0):
            content = f"found an existing graph: {graph}"
        else:
            content = "the database is empty (not seeded: --no-seed)"
        return [f"database: {self.database}", schema, content]


def prepare_database(url: str, seed_if_empty: bool) -> Preparation:
    """Upgrade the schema; seed the survey when asked and the database is empty."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            before = schema_revision(connection)
        upgrade_database(engine)
        with Session(engine) as session:
            empty = not is_seeded(session)
        seeded = None
        if seed_if_empty and empty:
            result = seed_database(engine)
            seeded = result.total.inserted
        with Session(engine) as session:
            after = schema_revision(session.connection())
            counts = entity_counts(session)
        return Preparation(
            engine.url.render_as_string(hide_password=True), before, after, seeded, counts
        )
    finally:
        engine.dispose()


def served_urls(host: str, port: int) -> list[str]:
    """Where `serve` can be reached, for people and programs, one `what  URL` line each."""
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port}"
    return [
        f"pages          {base}/",
        f"GraphiQL       {base}/graphql",
        f"REST docs      {base}/docs  (reference {base}/redoc)",
        f"REST API       {base}/api/v1/",
        f"MCP            {base}/mcp",
        f"health         {base}/health",
    ]


def start_preparing_database(url: str, seed_if_empty: bool) -> Callable[[], Preparation]:
    """Begin `prepare_database`; the returned function waits for it and returns what it did,
    or raises `InferGraphError` with the same message when it failed."""
    if sys.platform != "linux" or (os.cpu_count() or 1) < 2:
        done = prepare_database(url, seed_if_empty)
        return lambda: done
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(
        target=_prepare_in_child, args=(url, seed_if_empty, sending), name="prepare-database"
    )
    child.start()
    sending.close()

    def wait() -> Preparation:
        try:
            outcome: str | Preparation = receiving.recv()
        except EOFError:
            outcome = "preparing the database stopped unexpectedly"
        child.join()
        receiving.close()
        if isinstance(outcome, str):
            raise InferGraphError(outcome)
        return outcome

    return wait


def _prepare_in_child(url: str, seed_if_empty: bool, result: Connection) -> None:
    try:
        done = prepare_database(url, seed_if_empty)
    except InferGraphError as error:
        result.send(str(error))
    except BaseException as error:
        result.send(f"preparing the database failed: {type(error).__name__}: {error}")
        raise
    else:
        result.send(done)
    finally:
        result.close()
