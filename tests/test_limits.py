"""The abuse limits against a real server (uvicorn on a free port): each abusive request is
refused with a clear 4xx, and while several are in flight, ordinary queries still get
correct answers."""

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
import uvicorn

from api.app import create_app
from api.config import Settings

GQL = "application/graphql-response+json"
ORDINARY = '{ engine(slug: "vllm") { name organization { name } } }'
ORDINARY_ANSWER = {
    "data": {"engine": {"name": "vLLM", "organization": {"name": "vLLM Team"}}},
    "extensions": {"cost": {"objects": 2, "limit": 500_000}},
}


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any


@pytest.fixture
def server(seeded_engine: sa.Engine) -> Iterator[int]:
    """A uvicorn server for the seeded database; yields its port."""
    app = create_app(Settings(database_url=seeded_engine.url.render_as_string(False)))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(500):
            if instance.started:
                break
            thread.join(0.01)
        assert instance.started, "the server did not start"
        yield sock.getsockname()[1]
    finally:
        instance.should_exit = True
        thread.join(10)
        sock.close()


def post_graphql(port: int, query: str) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        body = json.dumps({"query": query}).encode()
        headers = {"content-type": "application/json", "accept": GQL}
        connection.request("POST", "/graphql", body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, json.loads(response.read()))
    finally:
        connection.close()


def huge_query() -> str:
    return "{ __typename }" + " " * 1_000_000


def many_aliases() -> str:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(1000)) + " }"


def deep_query(levels: int = 100) -> str:
    """A valid query `levels` fields deep: engine → organization → engines → nodes → …"""
    repeats = (levels - 1) // 3
    return "{ " + "engines { nodes { organization { " * repeats + "name" + " } } }" * repeats + " }"


FRAGMENT_CYCLE = "fragment A on Query { ...B } fragment B on Query { ...A } { ...A }"


def test_a_1mb_query_is_refused_as_too_large(server: int) -> None:
    answer = post_graphql(server, huge_query())
    assert answer.status == 413
    assert "larger than" in answer.body["errors"][0]["message"]


def test_1000_aliases_are_refused_naming_the_limit(server: int) -> None:
    answer = post_graphql(server, many_aliases())
    assert answer.status == 400
    [error] = answer.body["errors"]
    assert error["extensions"] == {"code": "too_many_aliases", "limit": 50}
    assert error["message"] == "'anonymous operation' uses 1000 aliases; the limit is 50."


def test_a_100_level_query_is_refused_naming_the_limit(server: int) -> None:
    assert deep_query().count("{") == 100
    answer = post_graphql(server, deep_query())
    assert answer.status == 400
    [error] = answer.body["errors"]
    assert error["extensions"] == {"code": "query_too_deep", "limit": 20}
    assert error["message"] == "'anonymous operation' is 100 levels deep; the limit is 20."


def test_a_fragment_cycle_is_a_validation_error(server: int) -> None:
    answer = post_graphql(server, FRAGMENT_CYCLE)
    assert answer.status == 400
    assert "data" not in answer.body
    assert (
        answer.body["errors"][0]["message"] == "Cannot spread fragment 'A' within itself via 'B'."
    )


class SlowUpload:
    """A request body trickled in until told to finish, then pushed over the limit."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.finish = threading.Event()
        self.chunks_sent = 0

    def run(self) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.putrequest("POST", "/graphql")
            connection.putheader("content-type", "application/json")
            connection.putheader("transfer-encoding", "chunked")
            connection.endheaders()
            self._chunk(connection, b'{"query": "{ __typename }' + b" " * 10_000)
            # Bounded (a minute at most), and far below the limit until told to finish.
            while not self.finish.wait(0.05) and self.chunks_sent < 1_200:
                self._chunk(connection, b" " * 100)
            try:
                self._chunk(connection, b" " * 1_100_000)
                connection.send(b"0\r\n\r\n")
            except OSError:
                pass  # the server may answer and close before the last bytes are sent
            return connection.getresponse().status
        finally:
            connection.close()

    def _chunk(self, connection: http.client.HTTPConnection, data: bytes) -> None:
        connection.send(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.chunks_sent += 1


def test_the_server_keeps_serving_while_abuse_is_in_flight(server: int) -> None:
    abusive = [huge_query(), many_aliases(), deep_query(), FRAGMENT_CYCLE] * 3
    slow = SlowUpload(server)
    with ThreadPoolExecutor(max_workers=len(abusive) + 1) as pool:
        slow_status = pool.submit(slow.run)
        refusals = [pool.submit(post_graphql, server, query) for query in abusive]
        ordinary = [post_graphql(server, ORDINARY) for _ in range(10)]
        # The slow upload was still open while every ordinary query was answered.
        assert not slow_status.done()
        slow.finish.set()
        assert [answer.status for answer in (f.result() for f in refusals)] == [
            413,
            400,
            400,
            400,
        ] * 3
        assert slow_status.result() == 413
    assert [(a.status, a.body) for a in ordinary] == [(200, ORDINARY_ANSWER)] * 10
    assert post_graphql(server, ORDINARY).body == ORDINARY_ANSWER
