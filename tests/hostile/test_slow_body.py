"""Slow-body clients against a real server: each is cut off at the body-read deadline.

A client that declares a body and then sends it a byte at a time would otherwise hold its
connection, and the route waiting for the body, for as long as it likes. These clients run
against a uvicorn process on real sockets, since only there does a stalled body behave as
it does in production; the server must answer them 408 in the one error shape, close their
connections, and keep answering everyone else meanwhile.
"""

import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx2
import pytest
import sqlalchemy as sa

from tests.live_server import LiveServer, live_server

DEADLINE_SECONDS = 1
TRICKLE_INTERVAL = 0.25
GIVE_UP_AFTER = 10.0
"""A client still trickling this long after its start was never cut off: the test fails."""


@pytest.fixture(scope="module")
def server(
    seeded_engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    log = tmp_path_factory.mktemp("slow-body") / "server.log"
    env = {"INFERGRAPH_BODY_READ_TIMEOUT": str(DEADLINE_SECONDS)}
    with live_server(seeded_engine.url.render_as_string(False), log, env) as running:
        yield running


class SlowClient(threading.Thread):
    """Sends `head`, then one byte of body every `TRICKLE_INTERVAL` until the server answers
    or closes; keeps everything the server sent."""

    def __init__(self, port: int, head: bytes) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.head = head
        self.answer = b""
        self.closed_by_server = False
        self.elapsed = 0.0

    def run(self) -> None:
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.port), timeout=GIVE_UP_AFTER) as sock:
            sock.sendall(self.head)
            sock.settimeout(TRICKLE_INTERVAL)
            while time.monotonic() - started < GIVE_UP_AFTER:
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    try:
                        sock.sendall(b" ")
                    except OSError:  # the server closed while we were trickling
                        self.closed_by_server = True
                        break
                    continue
                except OSError:
                    self.closed_by_server = True
                    break
                if not chunk:
                    self.closed_by_server = True
                    break
                self.answer += chunk
        self.elapsed = time.monotonic() - started

    def status_and_error(self) -> tuple[int, dict[str, object]]:
        head, _, body = self.answer.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        if b"transfer-encoding: chunked" in head.lower():
            body = _unchunk(body)
        return status, json.loads(body)


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2 :]
    return out


def _head(path: str, framing: str) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"{framing}\r\n\r\n"
    ).encode()


DECLARED = "Content-Length: 4096"
CHUNKED = "Transfer-Encoding: chunked"


def test_slow_bodies_are_cut_off_at_the_deadline_while_others_are_served(
    server: LiveServer,
) -> None:
    clients = [
        SlowClient(server.port, _head(path, framing))
        for path in ("/graphql", "/api/v1/tokens")
        for framing in (DECLARED,) * 6 + (CHUNKED,) * 4
    ]
    for client in clients:
        client.start()
    time.sleep(TRICKLE_INTERVAL * 2)
    # Twenty stalled bodies hold no worker: a read still answers while they trickle.
    health = httpx2.get(f"{server.base_url}/health", timeout=5.0)
    assert health.status_code == 200
    for client in clients:
        client.join(GIVE_UP_AFTER + 5)

    for client in clients:
        assert client.answer, f"no answer within {client.elapsed:.1f} s:\n{server.log_tail()}"
        status, error = client.status_and_error()
        assert status == 408
        assert error["error"]["code"] == "request_timeout"  # type: ignore[index]
        assert "INFERGRAPH_BODY_READ_TIMEOUT" in error["error"]["problems"][0]["message"]  # type: ignore[index]
        assert client.closed_by_server
        assert client.elapsed < GIVE_UP_AFTER
    assert "Traceback" not in server.log_tail(200)


def test_a_whole_body_sent_in_time_is_answered_normally(server: LiveServer) -> None:
    body = json.dumps({"query": '{ engine(slug: "vllm") { name } }'}).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5.0) as sock:
        sock.sendall(_head("/graphql", f"Content-Length: {len(body)}") + body[:10])
        time.sleep(DEADLINE_SECONDS / 4)
        sock.sendall(body[10:])
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert json.loads(payload)["data"] == {"engine": {"name": "vLLM"}}
