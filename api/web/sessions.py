"""The database session of one page request: the graph now, or as of a source version."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from api.db import read_session
from api.services.history import latest_version, resolve_as_of, session_as_of
from api.web.rendering import AS_OF, PageVersion, page_version_of, single


def page_version(request: Request) -> None:
    """Every page's first dependency: `?as_of=` in REST's grammar, with REST's errors
    (malformed 400, no such version 404, as pages), remembered for the banner and the links.
    A page that reads nothing keeps it in its links all the same."""
    as_of = single(request.query_params, AS_OF, max_length=100)
    if as_of is None:
        return
    with read_session(request.app.state.engine) as session:
        version, newest = resolve_as_of(session, as_of), latest_version(session)
    request.state.page_version = PageVersion(
        asked=as_of,
        name=version.name,
        released_on=version.released_on.isoformat(),
        current=newest is not None and newest.id == version.id,
    )


def get_session(request: Request) -> Iterator[Session]:
    engine = request.app.state.engine
    version = page_version_of(request)
    if version is None:
        # Pages only read: a read replica may answer them (api/replica.py).
        with read_session(engine) as session:
            yield session
        return
    # By the version's name: the one the banner names, whatever a date meant.
    with session_as_of(engine, version.name) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
