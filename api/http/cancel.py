"""Cancelling the statement a request runs in a worker thread once its client has gone.

Sync work runs in a thread pool; when the client disconnects, the thread would go on until
the query ends and only then find nobody to answer. The event loop notices the disconnect
(`until_disconnected`) and asks the database to stop: psycopg's `cancel()` (PostgreSQL's
cancel request), SQLite's `interrupt()`; both may be called from another thread. The
statement then fails like one stopped at the statement timeout.
"""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlmodel import Session
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class StatementCanceller:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection: Any = None
        self._cancelled = False

    def watch(self, session: Session) -> None:
        """From now on, `cancel()` stops the statement `session` runs. The session connects
        lazily, so the connection is learnt when its transaction begins (`_began`), in the
        thread that runs the statement; `release` forgets it before it goes back to the pool."""
        session.info[_CANCELLER_INFO_KEY] = self
        if session.in_transaction():  # begun before the watch: its connection is known now
            self.began(session.connection().connection.dbapi_connection)

    @contextmanager
    def watching(self, session: Session) -> Iterator[None]:
        """`watch` for the duration of a block."""
        self.watch(session)
        try:
            yield
        finally:
            self.release(session)

    def release(self, session: Session) -> None:
        session.info.pop(_CANCELLER_INFO_KEY, None)
        with self._lock:
            self._connection = None

    def began(self, connection: Any) -> None:
        with self._lock:
            self._connection = connection
            cancelled = self._cancelled
        if cancelled:
            _interrupt(connection)

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            connection = self._connection
            if connection is not None:
                _interrupt(connection)


_CANCELLER_INFO_KEY = "infergraph.canceller"


@event.listens_for(Session, "after_begin")
def _began(session: Session, _transaction: Any, connection: Any) -> None:
    # One listener for every session; only request sessions carry a canceller.
    canceller: StatementCanceller | None = session.info.get(_CANCELLER_INFO_KEY)
    if canceller is not None:
        canceller.began(connection.connection.dbapi_connection)


def _interrupt(connection: Any) -> None:
    if hasattr(connection, "interrupt"):
        connection.interrupt()  # sqlite3
    else:
        connection.cancel()  # psycopg


async def until_disconnected(request: Request) -> None:
    """Returns when the client has gone (call once the request body has been read)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


CANCELLER_SCOPE_KEY = "infergraph.canceller"
"""Where `CancelOnDisconnect` leaves a read's canceller for the code that opens its session."""


class CancelOnDisconnect:
    """For REST reads: watches the connection for the client's disconnect while the app runs,
    and cancels the statement the request's session is running when it comes.

    The middleware owns `receive`: it reads the messages itself and hands them to the app in
    order, so the app (a streaming response listening for the disconnect, say) still sees
    every one, and the watch never races the app for a message."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watched = (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and scope["path"].startswith(self.prefix)
        )
        if not watched:
            await self.app(scope, receive, send)
            return
        canceller = StatementCanceller()
        scope[CANCELLER_SCOPE_KEY] = canceller
        messages: asyncio.Queue[Message] = asyncio.Queue()

        async def pump() -> None:
            while True:
                message = await receive()
                await messages.put(message)
                if message["type"] == "http.disconnect":
                    canceller.cancel()
                    return

        watch = asyncio.create_task(pump())
        try:
            await self.app(scope, messages.get, send)
        finally:
            watch.cancel()


def canceller_of(request: Request) -> StatementCanceller | None:
    canceller: StatementCanceller | None = request.scope.get(CANCELLER_SCOPE_KEY)
    return canceller
