"""Optional per-client rate limits: `RateLimit` / `RateLimit-Policy` headers (IETF draft), 429
with `Retry-After` beyond the quota, by token else by address; off by default."""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.http.rate_limit import ClientRateLimit, RatePolicy
from api.services.tokens import create_token
from models.access import TokenScope

QUOTA = 3
WINDOW = 3600
"""Long enough that no test run reaches the end of a window."""


@pytest.fixture
def limited(empty_engine: sa.Engine) -> Iterator[TestClient]:
    settings = Settings(
        database_url=empty_engine.url.render_as_string(False),
        rate_limit_requests=QUOTA,
        rate_limit_window=WINDOW,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _token(client: TestClient) -> dict[str, str]:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    issued = create_token(engine, name="rate", scope=TokenScope.READ)
    return {"authorization": f"Bearer {issued.token}"}


def test_a_client_past_its_quota_gets_429(limited: TestClient) -> None:
    answers = [limited.get("/api/v1/engines") for _ in range(QUOTA + 1)]
    assert [a.status_code for a in answers] == [200] * QUOTA + [429]
    for used, answer in enumerate(answers[:QUOTA], start=1):
        assert answer.headers["RateLimit-Policy"] == f'"default";q={QUOTA};w={WINDOW}'
        remaining, reset = _parsed(answer.headers["RateLimit"])
        assert remaining == QUOTA - used
        assert 0 < reset <= WINDOW
    refused = answers[-1]
    assert refused.json() == {
        "error": {
            "code": "rate_limited",
            "message": refused.json()["error"]["message"],
            "problems": [],
        }
    }
    assert f"more than {QUOTA} requests in {WINDOW} s" in refused.json()["error"]["message"]
    retry_after = int(refused.headers["Retry-After"])
    assert 0 < retry_after <= WINDOW
    assert _parsed(refused.headers["RateLimit"]) == (0, retry_after)


def test_tokens_are_counted_apart_from_addresses(limited: TestClient) -> None:
    first, second = _token(limited), _token(limited)
    for _ in range(QUOTA):
        assert limited.get("/api/v1/engines", headers=first).status_code == 200
    assert limited.get("/api/v1/engines", headers=first).status_code == 429
    assert limited.get("/api/v1/engines", headers=second).status_code == 200
    assert limited.get("/api/v1/engines").status_code == 200  # the address has its own


def test_made_up_tokens_count_as_their_address(limited: TestClient) -> None:
    codes = [
        limited.get("/api/v1/engines", headers={"authorization": f"Bearer made-up-{n}"})
        for n in range(QUOTA + 1)
    ]
    assert [c.status_code for c in codes] == [200] * QUOTA + [429]


def test_health_is_not_limited_and_graphql_is(limited: TestClient) -> None:
    health = [limited.get("/health") for _ in range(QUOTA + 2)]
    assert [h.status_code for h in health] == [200] * (QUOTA + 2)
    assert "RateLimit" not in health[0].headers
    query = {"query": "{ engines { totalCount } }"}
    # The same read each time, so all but the first come from the response cache.
    codes = [limited.post("/graphql", json=query).status_code for _ in range(QUOTA + 1)]
    assert codes == [200] * QUOTA + [429]


def test_off_by_default(empty_engine: sa.Engine) -> None:
    url = empty_engine.url.render_as_string(False)
    with TestClient(create_app(Settings(database_url=url))) as client:
        answers = [client.get("/api/v1/engines") for _ in range(QUOTA + 2)]
    assert [a.status_code for a in answers] == [200] * (QUOTA + 2)
    assert "RateLimit" not in answers[0].headers


def test_a_window_ends_and_a_new_one_begins() -> None:
    asyncio.run(_a_window_ends_and_a_new_one_begins())


async def _a_window_ends_and_a_new_one_begins() -> None:
    now = [1000.0]
    sent: list[Any] = []

    async def ok(_scope: Any, _receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def record(message: Any) -> None:
        sent.append(message)

    async def no_token(_authorization: str) -> None:
        return None

    policy = RatePolicy(requests=1, window=10)
    limit = ClientRateLimit(ok, policy, no_token, clock=lambda: now[0])
    scope = {"type": "http", "path": "/x", "headers": [], "client": ("10.0.0.1", 1)}
    for moment in (1000.0, 1004.0, 1010.0):
        now[0] = moment
        await limit(scope, None, record)  # type: ignore[arg-type]
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert [m["status"] for m in starts] == [200, 429, 200]
    assert dict(starts[1]["headers"])[b"retry-after"] == b"6"
    assert dict(starts[2]["headers"])[b"ratelimit"] == b'"default";r=0;t=10'


def _parsed(header: str) -> tuple[int, int]:
    """`"default";r=2;t=3600` as (remaining, reset)."""
    fields = dict(part.split("=") for part in header.split(";")[1:])
    return int(fields["r"]), int(fields["t"])
