"""A statement that runs past `statement_timeout` is cancelled by the database and answered
503 `query_timeout` in the one error shape, over REST and GraphQL, on both databases (issue
13: a long filter list held a PostgreSQL backend at full CPU for minutes)."""

import asyncio
import threading
from collections.abc import Iterator, MutableMapping
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from fastapi import Request
from fastapi.testclient import TestClient
from sqlmodel import Session

import api.graphql.schema
import api.rest.search
from api.app import create_app
from api.config import Settings
from api.db import create_db_engine
from api.http.database_errors import QueryTimeoutError, database_unavailable

TIMEOUT = 0.3


def slow_sql(engine: sa.Engine) -> str:
    """A statement that would run for many seconds on its own: sleep on PostgreSQL, a
    billion-row recursive count on SQLite (which has no sleep)."""
    if engine.dialect.name == "postgresql":
        return "SELECT pg_sleep(30)"
    return (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
        "SELECT count(*) FROM c"
    )


@pytest.fixture(scope="module")
def timed_app(seeded_engine: sa.Engine) -> Any:
    url = seeded_engine.url.render_as_string(False)
    app = create_app(Settings(database_url=url, statement_timeout=TIMEOUT))

    def slow(request: Request) -> Any:
        # Test-only route: the slow statement through the app's own engine and error handling.
        with Session(request.app.state.engine) as session:
            return session.execute(sa.text(slow_sql(session.get_bind()))).scalar()  # type: ignore[arg-type]

    app.add_api_route("/test-only/slow", slow)
    return app


@pytest.fixture(scope="module")
def timed(timed_app: Any) -> Iterator[TestClient]:
    with TestClient(timed_app) as client:
        yield client


def test_the_database_cancels_a_statement_at_the_timeout(seeded_engine: sa.Engine) -> None:
    url = seeded_engine.url.render_as_string(False)
    engine = create_db_engine(url, statement_timeout=TIMEOUT)
    try:
        with pytest.raises(sa.exc.OperationalError) as caught, engine.connect() as connection:
            connection.exec_driver_sql(slow_sql(engine))
        timeout = database_unavailable(caught.value)
        assert isinstance(timeout, QueryTimeoutError)
        assert (timeout.status, timeout.code) == (503, "query_timeout")
        with engine.connect() as connection:  # the connection is usable again
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        engine.dispose()


def test_a_rest_request_past_the_timeout_is_a_503(timed: TestClient) -> None:
    response = timed.get("/test-only/slow")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    error = response.json()["error"]
    assert error["code"] == "query_timeout"
    assert error["problems"] == []
    assert timed.get("/api/v1/engines/vllm").status_code == 200


def test_a_graphql_request_past_the_timeout_is_a_503(
    timed: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow_search(session: Session, _text: str, _first: int) -> list[Any]:
        session.execute(sa.text(slow_sql(session.get_bind())))  # type: ignore[arg-type]
        return []

    monkeypatch.setattr(api.graphql.schema, "search", slow_search)
    response = timed.post("/graphql", json={"query": '{ search(text: "lora") { score } }'})
    assert response.status_code == 503
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "query_timeout"
    monkeypatch.undo()
    answer = timed.post("/graphql", json={"query": '{ engine(slug: "vllm") { name } }'})
    assert answer.json()["data"] == {"engine": {"name": "vLLM"}}


def leave_while_running(
    seeded_engine: sa.Engine,
    monkeypatch: pytest.MonkeyPatch,
    target: Any,
    request: tuple[str, str, bytes, bytes, list[tuple[bytes, bytes]]],
) -> list[MutableMapping[str, Any]]:
    """Send `request` (method, path, query string, body, headers) to an app without a
    statement timeout whose `target.search` runs a slow statement, disconnect once it runs,
    and return what the app sent. Only the disconnect can stop the statement: were it not
    cancelled, the call would fail at its 30 s bound instead of hanging for minutes."""
    url = seeded_engine.url.render_as_string(False)
    app = create_app(Settings(database_url=url, statement_timeout=0, response_cache_bytes=0))
    started = threading.Event()

    def slow_search(session: Session, _text: str, _first: int) -> list[Any]:
        started.set()
        session.execute(sa.text(slow_sql(session.get_bind())))  # type: ignore[arg-type]
        return []

    monkeypatch.setattr(target, "search", slow_search)
    method, path, query_string, body, headers = request
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        if not sent and not started.is_set():
            sent.append("body")
            return {"type": "http.request", "body": body, "more_body": False}
        while not started.is_set():
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # the statement is running now; the client goes away
        return {"type": "http.disconnect"}

    answer: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        answer.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query_string,
        "root_path": "",
        "headers": [*headers, (b"host", b"test")],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), timeout=30))
    assert started.is_set()
    return answer


def test_a_graphql_query_is_cancelled_when_the_client_leaves(
    seeded_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = orjson.dumps({"query": '{ search(text: "lora") { score } }'})
    headers = [(b"content-type", b"application/json")]
    answer = leave_while_running(
        seeded_engine, monkeypatch, api.graphql.schema, ("POST", "/graphql", b"", body, headers)
    )
    assert answer[0]["status"] == 503
    [error] = orjson.loads(answer[1]["body"])["errors"]
    assert error["extensions"]["code"] == "query_timeout"


def test_a_rest_read_is_cancelled_when_the_client_leaves(
    seeded_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = leave_while_running(
        seeded_engine, monkeypatch, api.rest.search, ("GET", "/api/v1/search", b"q=lora", b"", [])
    )
    assert answer[0]["status"] == 503
    assert orjson.loads(answer[1]["body"])["error"]["code"] == "query_timeout"
