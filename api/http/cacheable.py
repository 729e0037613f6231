"""Whether a response may be kept by the response cache (api/cache): the marks the endpoints
and the cache share.

An endpoint opts in through the ASGI scope: REST GETs under /api/v1 are in from the start,
GraphQL only for a query answered without errors (the cache cannot tell a query from a
mutation by its path).

The statements a request runs have the last word. The cache keys responses on the data
version, which writes to `NOT_CONTENT` tables (tokens, ingest audit rows) leave alone, so a
response that read one of them would be served stale after such a write. While the cache
serves a request it watches its statements (`watching_reads`, fed by the engine event that
`watch_reads_on` installs): a read of such a table keeps that response out of the cache,
whichever route made it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from starlette.types import Scope

from api.data_version_schema import touches_not_content

CACHEABLE_SCOPE_KEY = "infergraph.cacheable"
"""Set in the ASGI scope: True when the response may be kept."""


def mark_cacheable(scope: Scope) -> None:
    """This request's response may be kept (if it is a 200 and its reads allow it)."""
    scope[CACHEABLE_SCOPE_KEY] = True


@dataclass
class Reads:
    """What the statements of one request have read, as far as the cache cares."""

    not_content: bool = False
    """A statement read a table whose writes do not bump the data version."""


# Holds a mutable record rather than a flag: sync routes and the GraphQL endpoint run in a
# thread pool, in a copy of this context, so a reassignment made there would not come back.
_watched: ContextVar[Reads | None] = ContextVar("infergraph_watched_reads", default=None)


@contextmanager
def watching_reads() -> Iterator[Reads]:
    """Note what the statements run inside (in this context and its copies) read."""
    reads = Reads()
    token = _watched.set(reads)
    try:
        yield reads
    finally:
        _watched.reset(token)


@contextmanager
def access_check() -> Iterator[None]:
    """Statements run inside decide whether the request may read at all, not what it
    answers: the token lookup does not keep a response out of the cache (the cache checks
    the token itself on every hit)."""
    token = _watched.set(None)
    try:
        yield
    finally:
        _watched.reset(token)


def watch_reads_on(engine: sa.Engine) -> None:
    """Let `watching_reads` see the statements run on `engine` (installed once)."""
    if not sa.event.contains(engine, "before_execute", _note_statement):
        sa.event.listen(engine, "before_execute", _note_statement)


def _note_statement(
    _connection: sa.Connection,
    statement: Any,
    _multiparams: Any,
    _params: Any,
    _execution_options: Any,
) -> None:
    reads = _watched.get()
    if (
        reads is not None
        and not reads.not_content
        and isinstance(statement, sa.ClauseElement)
        and touches_not_content(statement)
    ):
        reads.not_content = True
