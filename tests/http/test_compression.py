"""Compression of answers and downloads: the encoding the client asks for, streams kept,
one ETag per encoding, revalidation that works in each."""

import asyncio
import gzip
import json
import zlib
from collections.abc import Iterator, Sequence

import brotli
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from api.app import create_app
from api.config import Settings
from api.http.compression import (
    Compression,
    CompressionPolicy,
    EncodedCopies,
    chosen_encoding,
)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("gzip;q=1.0, br;q=0.5", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("*", "br"),
        ("*;q=0.1, br;q=0", "gzip"),
        ("identity", None),
        ("deflate", None),
        ("gzip;q=0", None),
        ("gzip;q=nonsense", None),
        ("", None),
        (None, None),
        ("GZIP", "gzip"),
    ],
)
def test_the_encoding_follows_accept_encoding(accept: str | None, expected: str | None) -> None:
    assert chosen_encoding(accept) == expected


@pytest.fixture(scope="module")
def client(seeded_engine: sa.Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=seeded_engine.url.render_as_string(False)))
    with TestClient(app) as test_client:
        yield test_client


def _raw(client: TestClient, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    with client.stream("GET", path, headers=headers) as response:
        return response.status_code, dict(response.headers), b"".join(response.iter_raw())


def test_a_json_list_is_sent_in_the_encoding_asked_for(client: TestClient) -> None:
    _, plain_headers, plain = _raw(client, "/api/v1/engines", **{"accept-encoding": "identity"})
    assert "content-encoding" not in plain_headers
    for encoding, decode in (("gzip", gzip.decompress), ("br", brotli.decompress)):
        status, headers, body = _raw(client, "/api/v1/engines", **{"accept-encoding": encoding})
        assert status == 200
        assert headers["content-encoding"] == encoding
        assert "accept-encoding" in headers["vary"].lower()
        assert int(headers["content-length"]) == len(body) < len(plain) / 3
        assert json.loads(decode(body)) == json.loads(plain)
        assert headers["etag"] == plain_headers["etag"][:-1] + f'-{encoding}"'


def test_each_encoding_revalidates_with_its_own_tag(client: TestClient) -> None:
    gzip_tag = _raw(client, "/api/v1/engines", **{"accept-encoding": "gzip"})[1]["etag"]
    status, headers, body = _raw(
        client, "/api/v1/engines", **{"accept-encoding": "gzip", "if-none-match": gzip_tag}
    )
    assert (status, headers["etag"], body) == (304, gzip_tag, b"")
    # The gzip tag names the gzip bytes: a brotli request with it gets the full answer.
    status, headers, _ = _raw(
        client, "/api/v1/engines", **{"accept-encoding": "br", "if-none-match": gzip_tag}
    )
    assert status == 200
    assert headers["etag"].endswith('-br"')
    # And the plain tag revalidates a plain request.
    plain_tag = gzip_tag.replace('-gzip"', '"')
    status, _, _ = _raw(
        client, "/api/v1/engines", **{"accept-encoding": "identity", "if-none-match": plain_tag}
    )
    assert status == 304


def test_a_small_answer_goes_out_plain_but_says_it_varies(client: TestClient) -> None:
    status, headers, body = _raw(client, "/health", **{"accept-encoding": "gzip"})
    assert status == 200
    assert "content-encoding" not in headers
    assert "accept-encoding" in headers["vary"].lower()
    assert json.loads(body)["status"] == "ok"


def test_graphql_answers_are_compressed(client: TestClient) -> None:
    query = {"query": "{ engines(first: 30) { edges { node { slug name } } } }"}
    response = client.post("/graphql", json=query, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    slugs = [edge["node"]["slug"] for edge in response.json()["data"]["engines"]["edges"]]
    assert "vllm" in slugs


def test_a_download_streams_compressed(client: TestClient) -> None:
    _, _, plain = _raw(
        client, "/api/v1/papers?format=csv&per_page=100", **{"accept-encoding": "identity"}
    )
    _, headers, body = _raw(
        client, "/api/v1/papers?format=csv&per_page=100", **{"accept-encoding": "gzip"}
    )
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == plain


def test_head_is_answered_plain(client: TestClient) -> None:
    response = client.head("/api/v1/engines", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers


def test_compression_can_be_turned_off(seeded_engine: sa.Engine) -> None:
    url = seeded_engine.url.render_as_string(False)
    with TestClient(create_app(Settings(database_url=url, compression=False))) as plain_client:
        _, headers, _ = _raw(plain_client, "/api/v1/engines", **{"accept-encoding": "gzip"})
    assert "content-encoding" not in headers


# The middleware alone, driven message by message.


def _drive(
    start_headers: list[tuple[bytes, bytes]], chunks: Sequence[bytes], accept: str = "gzip"
) -> list[Message]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": start_headers})
        for index, chunk in enumerate(chunks):
            more = index < len(chunks) - 1
            await send({"type": "http.response.body", "body": chunk, "more_body": more})

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/x",
        "headers": [(b"accept-encoding", accept.encode())],
    }
    asyncio.run(Compression(app, CompressionPolicy(min_bytes=100))(scope, receive, send))
    return sent


def test_every_chunk_of_a_stream_is_decodable_when_it_arrives() -> None:
    rows = [b"id,title\n", b"1,First paper\n" * 50, b"2,Second paper\n" * 50]
    sent = _drive([(b"content-type", b"text/csv")], rows)
    bodies = [message["body"] for message in sent if message["type"] == "http.response.body"]
    assert len(bodies) == 3
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    # Each chunk alone decodes to exactly the rows sent so far: nothing waits for the end.
    for body, row in zip(bodies, rows, strict=True):
        assert decoder.decompress(body) == row
    assert decoder.eof


def test_a_brotli_stream_decodes_chunk_by_chunk() -> None:
    rows = [b"{" + b'"a": 1, ' * 100, b'"b": 2, ' * 100, b'"c": 3}']
    sent = _drive([(b"content-type", b"application/json")], rows, accept="br")
    bodies = [message["body"] for message in sent if message["type"] == "http.response.body"]
    decoder = brotli.Decompressor()
    for body, row in zip(bodies, rows, strict=True):
        assert decoder.process(body) == row
    assert decoder.is_finished()


def test_a_whole_body_under_a_strong_tag_is_compressed_once() -> None:
    copies = EncodedCopies(10_000)
    body = b'{"rows": [' + b'"row", ' * 200 + b'"end"]}'
    calls = 0

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal calls
        calls += 1
        headers = [(b"content-type", b"application/json"), (b"etag", b'"7.abc"')]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def twice() -> list[Message]:
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        async def receive() -> Message:
            return {"type": "http.disconnect"}

        middleware = Compression(app, CompressionPolicy(min_bytes=100, copies=copies))
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/x",
            "headers": [(b"accept-encoding", b"gzip")],
        }
        for _ in range(2):
            await middleware(scope, receive, send)
        return sent

    sent = asyncio.run(twice())
    first, second = [m["body"] for m in sent if m["type"] == "http.response.body"]
    assert first is second  # the very same bytes: taken from the copies, not compressed again
    assert gzip.decompress(first) == body
    assert len(copies) == 1 and copies.bytes == len(first)


def test_the_copies_are_bounded() -> None:
    copies = EncodedCopies(1000)
    for index in range(20):
        copies.put(f'"{index}"', "gzip", b"x" * 200)
    assert copies.bytes <= 1000
    assert copies.get('"19"', "gzip") == b"x" * 200
    assert copies.get('"0"', "gzip") is None
    copies.put('"big"', "gzip", b"x" * 300)  # over a quarter of the budget: not kept
    assert copies.get('"big"', "gzip") is None


def test_event_streams_and_encoded_answers_pass_through() -> None:
    for headers in (
        [(b"content-type", b"text/event-stream")],
        [(b"content-type", b"application/json"), (b"content-encoding", b"gzip")],
        [(b"content-type", b"image/png")],
    ):
        sent = _drive(headers, [b"x" * 500, b"y" * 500])
        given = dict(headers).get(b"content-encoding")
        assert dict(sent[0]["headers"]).get(b"content-encoding") == given
        assert b"".join(m.get("body", b"") for m in sent[1:]) == b"x" * 500 + b"y" * 500
