"""The database session of one page request."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from api.db import read_session


def get_session(request: Request) -> Iterator[Session]:
    # Pages only read: a read replica may answer them (api/replica.py).
    with read_session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
