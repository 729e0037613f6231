"""The request-body limit as ASGI middleware, driven message by message.

Declared lengths are refused before the body is read; missing or lying ones while it streams.
"""

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from api.http.body_limit import BodyLimit, BodySizeLimit

LIMIT = BodyLimit(100, "INFERGRAPH_MAX_BODY_BYTES")


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
    app: Any, chunks: Sequence[bytes], content_length: int | None, path: str = "/x"
) -> tuple[int, bytes]:
    headers = [] if content_length is None else [(b"content-length", str(content_length).encode())]
    scope = {"type": "http", "method": "POST", "path": path, "headers": headers}
    pending = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    middleware = BodySizeLimit(
        app, default=LIMIT, per_path={"/upload": BodyLimit(1000, "INFERGRAPH_MAX_INGEST_BYTES")}
    )
    asyncio.run(middleware(scope, receive, send))
    [start] = [m for m in sent if m["type"] == "http.response.start"]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body


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
