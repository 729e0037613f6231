"""What clients see of the cache: ETags, 304, identical bytes, what is and is not kept."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from api.services.tokens import create_token, revoke_token
from models.access import TokenScope
from tests.cache.conftest import Served, serve
from tests.databases import fresh_database

ENGINES_QUERY = "query ($n: Int) { engines(first: $n) { edges { node { slug name } } } }"
READS = [
    "/api/v1/papers?per_page=100",
    "/api/v1/engines/vllm",
    "/api/v1/papers?format=bibtex",
    "/api/v1/graph?format=graphml",
    "/graphql?query=%7B%20engines(first%3A%203)%20%7B%20edges%20%7B%20node%20%7B%20slug%20%7D%20%7D%20%7D%20%7D",
]


@pytest.mark.parametrize("path", READS)
def test_a_hit_is_byte_for_byte_the_response_the_application_gave(
    served: Served, path: str
) -> None:
    _, uncached = serve(served.engine, response_cache_bytes=0)
    expected = uncached.get(path)
    assert expected.status_code == 200 and "etag" not in expected.headers
    served.store.clear()
    miss = served.reader.get(path)
    entries = len(served.store)
    hit = served.reader.get(path)
    assert len(served.store) == entries >= 1
    assert miss.content == hit.content == expected.content
    assert hit.headers == miss.headers
    assert hit.headers["content-type"] == expected.headers["content-type"]
    assert hit.headers["cache-control"] == "public, no-cache"
    assert hit.headers["etag"].startswith('"')


def test_if_none_match_round_trip(served: Served) -> None:
    path = "/api/v1/papers?per_page=100"
    first = served.reader.get(path)
    etag = first.headers["etag"]
    again = served.reader.get(path, headers={"if-none-match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    assert served.reader.get(path, headers={"if-none-match": f'"x", W/{etag}'}).status_code == 304
    assert served.reader.get(path, headers={"if-none-match": '"x"'}).status_code == 200
    # Validated even when the entry is gone: the ETag names the data version.
    served.store.clear()
    assert served.reader.get(path, headers={"if-none-match": etag}).status_code == 304
    # A write retires it.
    with served.other.begin() as connection:
        connection.execute(sa.text("UPDATE paper SET year = year WHERE id = 1"))
    changed = served.reader.get(path, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag and changed.content == first.content


def test_graphql_queries_are_cached_by_query_variables_and_media_type(served: Served) -> None:
    served.store.clear()
    post = served.reader.post("/graphql", json={"query": ENGINES_QUERY, "variables": {"n": 2}})
    reordered = served.reader.post(
        "/graphql",
        content=b'{"variables": {"n": 2}, "query": "%s"}' % ENGINES_QUERY.encode(),
        headers={"content-type": "application/json"},
    )
    assert post.headers["etag"] == reordered.headers["etag"]
    assert post.content == reordered.content
    assert len(served.store) == 1
    other_n = served.graphql(ENGINES_QUERY, n=3)
    spec = served.reader.post(
        "/graphql",
        json={"query": ENGINES_QUERY, "variables": {"n": 2}},
        headers={"accept": "application/graphql-response+json"},
    )
    assert spec.headers["content-type"].startswith("application/graphql-response+json")
    assert len({post.headers["etag"], other_n.headers["etag"], spec.headers["etag"]}) == 3
    assert len(served.store) == 3


def test_errors_are_never_kept(served: Served) -> None:
    served.store.clear()
    for _ in range(2):
        assert served.reader.get("/api/v1/engines/no-such-engine").status_code == 404
        assert served.reader.get("/api/v1/papers?per_page=0").status_code == 400
        invalid = served.reader.post("/graphql", json={"query": "{ noSuchField }"})
        assert invalid.status_code == 200 and "errors" in invalid.json()
        bad_variable = served.graphql(ENGINES_QUERY, n="two")
        assert "errors" in bad_variable.json()
        for response in (invalid, bad_variable):
            assert "etag" not in response.headers
    assert len(served.store) == 0


def test_requests_with_credentials_and_token_routes_pass_by(served: Served) -> None:
    served.store.clear()
    with_token = served.reader.get("/api/v1/engines", headers=served.write_headers)
    assert with_token.status_code == 200 and "etag" not in with_token.headers
    # Token listings are not content (no version bump on create/revoke): never cached.
    assert served.reader.get("/api/v1/tokens").status_code == 401
    assert len(served.store) == 0


def test_writes_are_not_answered_from_the_cache(served: Served) -> None:
    text = "@article{cachewrite2025, title = {Write Twice}, author = {A, B}, year = {2025}}\n"
    first = served.ingest_bibtex(text)
    second = served.ingest_bibtex(text)
    assert (first["added"], second["added"], second["unchanged"]) == (1, 0, 1)
    assert first["run_id"] != second["run_id"]


def test_the_store_stays_within_its_budget(
    tmp_path: Path, backend: str, seeded_template: sa.Engine
) -> None:
    with fresh_database(backend, tmp_path, template=seeded_template) as engine:
        budget = 40_000
        app, client = serve(engine, response_cache_bytes=budget)
        with client:
            _, uncached = serve(engine, response_cache_bytes=0)
            for per_page in range(1, 30):
                path = f"/api/v1/papers?per_page={per_page}"
                assert client.get(path).content == uncached.get(path).content
                assert app.state.response_store.bytes <= budget
            assert 0 < len(app.state.response_store) < 29
            # Larger than a quarter of the budget: served whole, streamed, never kept.
            export = client.get("/api/v1/papers?format=bibtex")
            assert export.content == uncached.get("/api/v1/papers?format=bibtex").content
            assert len(export.content) > budget // 4 and "etag" not in export.headers


def test_a_zero_budget_turns_the_cache_off(served: Served) -> None:
    app, client = serve(served.engine, response_cache_bytes=0)
    assert app.state.response_store is None
    assert "etag" not in client.get("/api/v1/engines").headers


def test_with_read_tokens_a_hit_still_needs_a_valid_token(served: Served) -> None:
    app, client = serve(served.engine, read_requires_token=True)
    issued = create_token(served.engine, name="reader", scope=TokenScope.READ)
    auth = {"authorization": f"Bearer {issued.token}"}
    with client:
        first = client.get("/api/v1/engines", headers=auth)
        assert first.status_code == 200
        assert first.headers["cache-control"] == "private, no-cache"
        assert "Authorization" in first.headers["vary"]
        assert len(app.state.response_store) == 1
        assert client.get("/api/v1/engines").status_code == 401
        wrong = {"authorization": "Bearer nope"}
        assert client.get("/api/v1/engines", headers=wrong).status_code == 401
        assert client.get("/api/v1/engines", headers=auth).content == first.content
        revoke_token(served.engine, str(issued.view.id))
        assert client.get("/api/v1/engines", headers=auth).status_code == 401
        assert (
            client.get(
                "/api/v1/engines", headers={**auth, "if-none-match": first.headers["etag"]}
            ).status_code
            == 401
        )
