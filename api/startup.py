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
from multiprocessing.connection import Connection

from sqlmodel import Session

from api.db import create_db_engine, upgrade_database
from api.errors import InferGraphError
from api.services.stats import is_seeded
from seed.loader import seed_database


def prepare_database(url: str, seed_if_empty: bool) -> None:
    """Upgrade the schema; seed the survey when asked and the database is empty."""
    engine = create_db_engine(url)
    try:
        upgrade_database(engine)
        with Session(engine) as session:
            empty = not is_seeded(session)
        if seed_if_empty and empty:
            seed_database(engine)
    finally:
        engine.dispose()


def start_preparing_database(url: str, seed_if_empty: bool) -> Callable[[], None]:
    """Begin `prepare_database`; the returned function waits for it and raises
    `InferGraphError` with the same message when it failed."""
    if sys.platform != "linux" or (os.cpu_count() or 1) < 2:
        prepare_database(url, seed_if_empty)
        return lambda: None
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(
        target=_prepare_in_child, args=(url, seed_if_empty, sending), name="prepare-database"
    )
    child.start()
    sending.close()

    def wait() -> None:
        try:
            failure: str | None = receiving.recv()
        except EOFError:
            failure = "preparing the database stopped unexpectedly"
        child.join()
        receiving.close()
        if failure is not None:
            raise InferGraphError(failure)

    return wait


def _prepare_in_child(url: str, seed_if_empty: bool, result: Connection) -> None:
    try:
        prepare_database(url, seed_if_empty)
    except InferGraphError as error:
        result.send(str(error))
    except BaseException as error:
        result.send(f"preparing the database failed: {type(error).__name__}: {error}")
        raise
    else:
        result.send(None)
    finally:
        result.close()
