"""The request-body bounds as ASGI middleware, driven message by message.

Declared lengths are refused before the body is read; missing or lying ones while it streams;
a body that has not arrived whole by the read deadline is refused with 408.
"""

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from api.http.body_limit import BodyLimit, BodySizeLimit, ReadDeadline

LIMIT = BodyLimit(100, "INFERGRAPH_MAX_BODY_BYTES")
DEADLINE = ReadDeadline(0.2, "INFERGRAPH_BODY_READ_TIMEOUT")


class EchoApp:
    """Reads the whole body and answers 200 with its length; records whether it ran."""

    def __init__(self, *, answer_unreadable: bool = False) -> None:
        self.called = False
        self.answer_unreadable = answer_unreadable

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        size, more = 0, True
        try:
            while more:
                message = await receive()
                size += len(message.get("body", b""))
                more = message.get("more_body", False)
        except Exception:
            if not self.answer_unreadable:
                raise
            # Like a framework that turns any body-reading failure into a 400 of its own.
            await send({"type": "http.response.start", "status": 400, "headers": []})
            await send({"type": "http.response.body", "body": b"unreadable"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(size).encode()})


def run(
    app: Any,
    chunks: Sequence[bytes],
    content_length: int | None,
    path: str = "/x",
    *,
    gap: float = 0.0,
    disconnect_after: float = 0.0,
) -> tuple[int, bytes]:
    """Drive `app` behind the middleware; `gap` seconds pass before each body message
    arrives, `disconnect_after` before the disconnect that follows the body."""
    return run_with_headers(app, chunks, content_length, path, gap, disconnect_after)[:2]


def run_with_headers(
    app: Any,
    chunks: Sequence[bytes],
    content_length: int | None,
    path: str = "/x",
    gap: float = 0.0,
    disconnect_after: float = 0.0,
) -> tuple[int, bytes, dict[bytes, bytes]]:
    headers = [] if content_length is None else [(b"content-length", str(content_length).encode())]
    scope = {"type": "http", "method": "POST", "path": path, "headers": headers}
    pending = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        if pending:
            await asyncio.sleep(gap)
            return pending.pop(0)
        await asyncio.sleep(disconnect_after)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    middleware = BodySizeLimit(
        app,
        default=LIMIT,
        deadline=DEADLINE,
        per_path={"/upload": BodyLimit(1000, "INFERGRAPH_MAX_INGEST_BYTES")},
    )
    asyncio.run(middleware(scope, receive, send))
    [start] = [m for m in sent if m["type"] == "http.response.start"]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, dict(start["headers"])


def test_a_body_within_the_limit_reaches_the_route() -> None:
    assert run(EchoApp(), [b"a" * 60, b"b" * 40], 100) == (200, b"100")


def test_a_declared_length_over_the_limit_is_refused_unread() -> None:
    app = EchoApp()
    status, body = run(app, [b"a" * 101], 101)
    assert status == 413
    assert not app.called
    assert json.loads(body) == {
        "error": {
            "code": "too_large",
            "message": "request body larger than 100 bytes",
            "problems": [
                {
                    "message": "at most 100 bytes (set by INFERGRAPH_MAX_BODY_BYTES)",
                    "location": "body",
                    "value": 101,
                }
            ],
        }
    }


def test_a_chunked_body_is_counted_as_it_streams() -> None:
    status, body = run(EchoApp(), [b"a" * 60, b"b" * 60, b"c" * 60], None)
    assert status == 413
    assert json.loads(body)["error"]["problems"][0]["location"] == "body"


def test_a_body_longer_than_it_declared_is_refused() -> None:
    assert run(EchoApp(), [b"a" * 50, b"b" * 60], 50)[0] == 413


def test_the_route_cannot_answer_for_an_overflowing_body() -> None:
    status, body = run(EchoApp(answer_unreadable=True), [b"a" * 80, b"b" * 80], None)
    assert status == 413
    assert b"unreadable" not in body


def test_a_route_may_have_a_larger_allowance() -> None:
    assert run(EchoApp(), [b"a" * 500], 500, path="/upload") == (200, b"500")
    status, body = run(EchoApp(), [b"a" * 1001], 1001, path="/upload")
    assert status == 413
    assert "INFERGRAPH_MAX_INGEST_BYTES" in body.decode()


class WaitsForDisconnect(EchoApp):
    """Reads the body, then waits for the client to leave before answering (as a streaming
    response's disconnect watcher does)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        size, more = 0, True
        while more:
            message = await receive()
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        assert (await receive())["type"] == "http.disconnect"
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(size).encode()})


def test_a_body_slower_than_the_deadline_is_refused_with_408_and_the_connection_closed() -> None:
    # Three bytes, 0.15 s apart: each arrives well before the next would time out on its own,
    # but the whole body takes longer than the 0.2 s deadline.
    status, body, headers = run_with_headers(EchoApp(), [b"a", b"b", b"c"], 3, gap=0.15)
    assert status == 408
    assert headers[b"connection"] == b"close"
    assert json.loads(body) == {
        "error": {
            "code": "request_timeout",
            "message": "request body not received within 0.2 s",
            "problems": [
                {
                    "message": "send the whole body within 0.2 s (set by "
                    "INFERGRAPH_BODY_READ_TIMEOUT); 1 bytes had arrived",
                    "location": "body",
                }
            ],
        }
    }


def test_a_body_that_never_comes_is_refused_at_the_deadline() -> None:
    status, body = run(EchoApp(), [b"x"], 1, gap=5.0)
    assert status == 408
    assert "0 bytes had arrived" in body.decode()


def test_the_route_cannot_answer_for_a_body_that_timed_out() -> None:
    status, body = run(EchoApp(answer_unreadable=True), [b"a", b"b"], 2, gap=0.15)
    assert status == 408
    assert b"unreadable" not in body


def test_a_body_within_the_deadline_reaches_the_route_in_chunks() -> None:
    assert run(EchoApp(), [b"a" * 30, b"b" * 30], 60, gap=0.05) == (200, b"60")


def test_waiting_for_the_disconnect_after_a_whole_body_is_not_bounded() -> None:
    # The body arrived in time; the route's later wait is not a body read.
    assert run(WaitsForDisconnect(), [b"abc"], 3, disconnect_after=0.4) == (200, b"3")
