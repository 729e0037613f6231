"""Reads on a real streaming replica, writes on the primary (`INFERGRAPH_READ_DATABASE_URL`).

Both clusters are private and thrown away (tests/faults/postgres_cluster.py): a primary made
by initdb, and a standby copied from it by `pg_basebackup -R` on another port. The shared
server on 5432 is not touched.
"""

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.db import create_db_engine, read_route, upgrade_database
from api.replica import RETRY_SECONDS, ReadReplica
from tests.faults.conftest import write_headers
from tests.faults.postgres_cluster import PrivateCluster, unavailable_reason

pytestmark = [pytest.mark.faults]

DATABASE = "infergraph"
_keys = itertools.count(1)


@dataclass
class Pair:
    primary: PrivateCluster
    standby: PrivateCluster
    client: TestClient
    replica: ReadReplica
    headers: dict[str, str]
    replica_statements: list[str]

    def standby_sql(self, sql: str) -> Any:
        with psycopg.connect(self.standby.url(DATABASE).replace("+psycopg", "")) as connection:
            return connection.execute(sql).fetchone()


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    if (reason := unavailable_reason()) is not None:
        pytest.skip(f"no private PostgreSQL clusters: {reason}")
    primary, standby = PrivateCluster(), PrivateCluster()
    try:
        primary.init()
        primary.start(durable_commits=True)
        with psycopg.connect(primary.url().replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {DATABASE}")
        engine = create_db_engine(primary.url(DATABASE))
        upgrade_database(engine)
        headers = write_headers(engine)
        engine.dispose()
        primary.copy_as_standby(standby)
        standby.start()
        settings = Settings(
            database_url=primary.url(DATABASE),
            read_database_url=standby.url(DATABASE),
            read_replica_wait=0.5,
            response_cache_bytes=0,  # every read reaches a database
        )
        app = create_app(settings)
        replica = read_route(app.state.engine)
        assert isinstance(replica, ReadReplica)
        statements: list[str] = []
        sa.event.listen(
            replica.replica,
            "before_cursor_execute",
            lambda _c, _cur, statement, *_rest: statements.append(statement),
        )
        with TestClient(app) as client:
            yield Pair(primary, standby, client, replica, headers, statements)
        replica.close()
    finally:
        standby.remove()
        primary.remove()


def _write_paper(pair: Pair) -> str:
    key = f"replica{next(_keys)}"
    entry = (
        f"@article{{{key},\n  title = {{Written {key}}},\n"
        "  author = {Doe, Jane},\n  year = {2024}\n}\n"
    )
    response = pair.client.post(
        "/api/v1/ingest/bibtex",
        content=entry.encode(),
        headers={**pair.headers, "content-type": "application/x-bibtex"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 1
    return key


def _read_paper(pair: Pair, key: str) -> dict[str, Any]:
    response = pair.client.get(f"/api/v1/papers/{key}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_reads_run_on_the_standby_and_writes_on_the_primary(pair: Pair) -> None:
    assert pair.standby_sql("SELECT pg_is_in_recovery()") == (True,)
    key = _write_paper(pair)  # would fail on a standby: it refuses every write
    pair.replica_statements.clear()
    before = dict(pair.replica.sent)
    assert _read_paper(pair, key)["title"] == f"Written {key}"
    graphql = pair.client.post("/graphql", json={"query": "{ papers(first: 5) { totalCount } }"})
    assert graphql.status_code == 200, graphql.text
    assert graphql.json()["data"]["papers"]["totalCount"] >= 1
    assert pair.replica.sent["replica"] == before["replica"] + 2
    assert pair.replica.sent["primary"] == before["primary"]
    # The paper was read on the standby's connections, after checking its replay position.
    assert any("pg_last_wal_replay_lsn" in s for s in pair.replica_statements)
    assert any("FROM paper" in s for s in pair.replica_statements)
    with pair.replica.replica.connect() as connection:
        assert connection.execute(sa.text("SELECT pg_is_in_recovery()")).scalar_one() is True


def test_every_read_right_after_a_write_sees_it(pair: Pair) -> None:
    before = pair.replica.sent["replica"]
    for _ in range(10):
        key = _write_paper(pair)
        assert _read_paper(pair, key)["title"] == f"Written {key}"
    # Replay on one machine takes milliseconds: the standby answered (most of) them.
    assert pair.replica.sent["replica"] > before


def test_a_standby_that_has_not_replayed_the_write_is_not_asked(pair: Pair) -> None:
    pair.standby_sql("SELECT pg_wal_replay_pause()")
    try:
        key = _write_paper(pair)
        # The premise: the standby really does not have the paper.
        assert pair.standby_sql(f"SELECT count(*) FROM paper WHERE bibtex_key = '{key}'") == (0,)
        before = dict(pair.replica.sent)
        assert _read_paper(pair, key)["title"] == f"Written {key}"
        assert pair.replica.sent["primary"] == before["primary"] + 1
        assert pair.replica.sent["replica"] == before["replica"]
    finally:
        pair.standby_sql("SELECT pg_wal_replay_resume()")
    replica_reads = pair.replica.sent["replica"]
    assert _read_paper(pair, key)["title"] == f"Written {key}"
    assert pair.replica.sent["replica"] == replica_reads + 1


def test_a_stopped_standby_sends_reads_to_the_primary(pair: Pair) -> None:
    key = _write_paper(pair)
    assert pair.client.get("/health").json()["read_replica"]["status"] == "ok"
    pair.standby.stop()
    try:
        before = pair.replica.sent["primary"]
        assert _read_paper(pair, key)["title"] == f"Written {key}"
        listed = pair.client.get("/api/v1/papers?per_page=5")
        assert listed.status_code == 200, listed.text
        count = {"query": "{ papers(first: 1) { totalCount } }"}
        graphql = pair.client.post("/graphql", json=count)
        assert graphql.status_code == 200 and "errors" not in graphql.json(), graphql.text
        assert pair.replica.sent["primary"] >= before + 3
        health = pair.client.get("/health")
        assert health.status_code == 200
        replica = health.json()["read_replica"]
        assert (replica["status"], replica["reads_go_to"]) == ("unavailable", "primary")
        assert replica["problem"].startswith("unreachable")
    finally:
        pair.standby.start()
    # Back again: after the pause between retries, reads return to the standby.
    time.sleep(RETRY_SECONDS + 0.1)
    before = pair.replica.sent["replica"]
    assert _read_paper(pair, key)["title"] == f"Written {key}"
    assert pair.replica.sent["replica"] == before + 1
    assert pair.client.get("/health").json()["read_replica"]["status"] == "ok"
