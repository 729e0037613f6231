"""Every kind of write is visible to the very next read, however warm the cache was."""

import io
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from api.services.exports import dump_graph, restore_graph
from api.services.ingest import ingest_bibtex
from seed.loader import seed_database
from tests.cache.conftest import Served, bibtex_entry, serve
from tests.ingest.arxiv_server import (
    CannedResponse,
    FakeArxiv,
    arxiv_settings_fixture,  # noqa: F401 - provides the `arxiv_settings` fixture
    fake_arxiv_fixture,  # noqa: F401 - provides the `fake_arxiv` fixture
)

PAPER_QUERY = "query ($key: String) { paper(bibtexKey: $key) { title } }"
ENGINE_QUERY = '{ engine(slug: "vllm") { name } }'


def warm(served: Served, read: Callable[[], Any]) -> Any:
    """Read twice; the second read must be a hit (same ETag, nothing new stored)."""
    first = read()
    entries = len(served.store)
    second = read()
    assert second.headers["etag"] == first.headers["etag"]
    assert second.content == first.content
    assert len(served.store) == entries
    return second


def paper_reads(served: Served, key: str) -> dict[str, Callable[[], Any]]:
    return {
        "graphql": lambda: served.graphql(PAPER_QUERY, key=key),
        "rest list": lambda: served.reader.get("/api/v1/papers", params={"per_page": 500}),
        "export": lambda: served.reader.get("/api/v1/papers", params={"format": "bibtex"}),
    }


def assert_paper_visible(served: Served, key: str, title: str, visible: bool) -> None:
    reads = paper_reads(served, key)
    graphql = reads["graphql"]().json()["data"]["paper"]
    assert graphql == ({"title": title} if visible else None)
    keys = {p["key"] for p in reads["rest list"]().json()["results"]}
    assert (key in keys) is visible
    assert (f"{{{key}," in reads["export"]().text) is visible


def test_a_rest_bibtex_ingest_is_seen_by_the_next_graphql_rest_and_export_read(
    served: Served,
) -> None:
    key, title = "cacheRest2025", "Invalidation by Upload"
    for read in paper_reads(served, key).values():
        warm(served, read)
    assert_paper_visible(served, key, title, visible=False)
    served.ingest_bibtex(bibtex_entry(key, title))
    assert_paper_visible(served, key, title, visible=True)


@pytest.mark.usefixtures("arxiv_settings")
def test_an_arxiv_ingest_is_seen_by_the_next_read(served: Served, fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.queue(CannedResponse.feed("query_ids.xml"))
    by_arxiv = '{ paper(arxivId: "hep-th/9901001") { arxivId } }'
    before = warm(served, lambda: served.reader.post("/graphql", json={"query": by_arxiv}))
    assert before.json() == {
        "data": {"paper": None},
        "extensions": {"cost": {"objects": 1, "limit": 500_000}},
    }
    # Ingested through another app on the same database, pointed at the stand-in: the
    # cached reads of the first must see it all the same.
    _, writer = serve(served.engine, arxiv_base_url=fake_arxiv.base_url, arxiv_delay=0)
    with writer:
        response = writer.post(
            "/api/v1/ingest/arxiv", json={"ids": ["hep-th/9901001"]}, headers=served.write_headers
        )
    assert response.status_code == 200 and response.json()["added"] >= 1
    after = served.reader.post("/graphql", json={"query": by_arxiv}).json()
    assert after == {
        "data": {"paper": {"arxivId": "hep-th/9901001"}},
        "extensions": {"cost": {"objects": 1, "limit": 500_000}},
    }


def test_accepting_and_rejecting_suggestions_are_seen_by_the_next_read(served: Served) -> None:
    served.ingest_bibtex(
        bibtex_entry("cacheSuggest2025a", "PagedAttention Everywhere", "We use PagedAttention.")
        + bibtex_entry("cacheSuggest2025b", "More PagedAttention", "Again PagedAttention.")
    )

    def listed(status: str) -> set[str]:
        response = served.reader.get("/api/v1/suggestions", params={"status": status})
        return {s["paper"] for s in response.json() if s["paper"].startswith("cacheSuggest")}

    suggested = warm(served, lambda: served.reader.get("/api/v1/suggestions")).json()
    ids = {s["paper"]: s["id"] for s in suggested if s["paper"].startswith("cacheSuggest")}
    assert set(ids) == {"cacheSuggest2025a", "cacheSuggest2025b"}
    for status in ("accepted", "rejected"):
        warm(served, partial(served.reader.get, "/api/v1/suggestions", params={"status": status}))
    for key, verb in (("cacheSuggest2025a", "accept"), ("cacheSuggest2025b", "reject")):
        response = served.reader.post(
            f"/api/v1/suggestions/{ids[key]}/{verb}", headers=served.write_headers
        )
        assert response.status_code == 200
    assert listed("suggested") == set()
    assert listed("accepted") == {"cacheSuggest2025a"}
    assert listed("rejected") == {"cacheSuggest2025b"}


def test_writes_by_another_process_are_seen_by_the_next_read(served: Served) -> None:
    key, title = "cacheOther2025", "Written Elsewhere"
    for read in paper_reads(served, key).values():
        warm(served, read)
    ingest_bibtex(served.other, bibtex_entry(key, title), file_name="cli.bib")
    assert_paper_visible(served, key, title, visible=True)
    engine_read = partial(served.reader.post, "/graphql", json={"query": ENGINE_QUERY})
    warm(served, engine_read)
    with served.other.begin() as connection:  # psql, say
        connection.execute(sa.text("UPDATE engine SET name = 'vLLM (edited)' WHERE slug = 'vllm'"))
    assert engine_read().json()["data"]["engine"]["name"] == "vLLM (edited)"
    assert served.reader.get("/api/v1/engines/vllm").json()["name"] == "vLLM (edited)"


def test_a_seed_run_elsewhere_is_seen_by_the_next_read(served: Served) -> None:
    with served.other.begin() as connection:
        connection.execute(sa.text("UPDATE engine SET name = 'Drifted' WHERE slug = 'vllm'"))
    rest = warm(served, lambda: served.reader.get("/api/v1/engines/vllm"))
    assert rest.json()["name"] == "Drifted"
    result = seed_database(served.other)
    assert result.total.updated >= 1
    assert served.reader.get("/api/v1/engines/vllm").json()["name"] == "vLLM"
    graphql = served.reader.post("/graphql", json={"query": ENGINE_QUERY}).json()
    assert graphql["data"]["engine"]["name"] == "vLLM"


def test_a_restore_into_the_served_database_is_seen_by_the_next_read(
    served: Served, empty_engine: sa.Engine, tmp_path: Path
) -> None:
    dump = io.StringIO()
    dump_graph(served.engine, dump)
    app, client = serve(empty_engine)
    with client:
        empty = warm_on(app, client, "/api/v1/papers?per_page=500")
        assert empty.json()["results"] == []
        restore_graph(empty_engine, io.StringIO(dump.getvalue()))
        restored = client.get("/api/v1/papers?per_page=500").json()["results"]
        assert len(restored) == len(
            served.reader.get("/api/v1/papers?per_page=500").json()["results"]
        )


def warm_on(app: Any, client: Any, path: str) -> Any:
    first = client.get(path)
    second = client.get(path)
    assert second.headers["etag"] == first.headers["etag"] and len(app.state.response_store) == 1
    return second
