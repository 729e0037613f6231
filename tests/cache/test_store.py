"""The store, keys and ETag matching, without a server."""

from typing import Any

import pytest

from api.cache.middleware import etag_matches, make_etag, request_key
from api.cache.store import ENTRY_OVERHEAD_BYTES, CachedResponse, ResponseStore
from api.cache.version import DataVersion

V1 = DataVersion("e1", 1)
V2 = DataVersion("e1", 2)


def _entry(body_bytes: int) -> CachedResponse:
    return CachedResponse([], b"x" * body_bytes, b'"tag"')


def test_least_recently_used_entries_go_first_and_bytes_stay_bounded() -> None:
    entry_size = 1000 + ENTRY_OVERHEAD_BYTES
    store = ResponseStore(max_bytes=4 * entry_size)
    for key in "abcd":
        assert store.put(V1, key, _entry(1000))
    assert store.get(V1, "a") is not None  # a is now the most recently used
    store.put(V1, "e", _entry(1000))
    assert [k for k in "abcde" if store.get(V1, k) is not None] == ["a", "c", "d", "e"]
    assert store.bytes == 4 * entry_size <= store.max_bytes


def test_an_entry_larger_than_a_quarter_of_the_budget_is_not_kept() -> None:
    store = ResponseStore(max_bytes=10_000)
    assert not store.put(V1, "big", _entry(2_600))
    assert store.put(V1, "fits", _entry(2_000))
    assert len(store) == 1


def test_a_newer_version_drops_everything_and_an_older_one_is_never_kept() -> None:
    store = ResponseStore(max_bytes=100_000)
    store.put(V1, "a", _entry(10))
    assert store.get(V2, "a") is None
    assert (len(store), store.bytes) == (0, 0)
    # A request that read version 1 before the write finishes after one that read version 2.
    assert not store.put(V1, "a", _entry(10))
    assert store.get(V1, "a") is None
    assert store.put(V2, "a", _entry(10))


def test_another_database_epoch_starts_afresh_even_with_a_lower_counter() -> None:
    store = ResponseStore(max_bytes=100_000)
    store.put(DataVersion("old", 500), "a", _entry(10))
    rebuilt = DataVersion("new", 3)
    assert store.get(rebuilt, "a") is None
    assert store.put(rebuilt, "a", _entry(10))


def test_etags_name_the_version_and_match_as_if_none_match_requires() -> None:
    etag = make_etag(V1, ("GET", "/api/v1/papers"))
    assert etag.startswith(b'"e1.1.') and etag.endswith(b'"')
    assert make_etag(V2, ("GET", "/api/v1/papers")) != etag
    assert make_etag(V1, ("GET", "/api/v1/engines")) != etag
    text = etag.decode()
    assert etag_matches(text, etag, exists=True)
    assert etag_matches(f'"other", W/{text}', etag, exists=True)
    assert etag_matches("*", etag, exists=True)
    assert not etag_matches("*", etag, exists=False)
    assert not etag_matches('"other"', etag, exists=True)


def _scope(method: str, path: str, query: bytes = b"", **headers: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "scheme": "http",
        "query_string": query,
        "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }


def test_rest_keys_keep_the_query_string_as_sent() -> None:
    one = request_key(_scope("GET", "/api/v1/papers", b"a=1&b=2"), b"")
    assert one == request_key(_scope("GET", "/api/v1/papers", b"a=1&b=2"), b"")
    # `next` links repeat the query string in its order: another order is another response.
    assert one != request_key(_scope("GET", "/api/v1/papers", b"b=2&a=1"), b"")
    assert one != request_key(_scope("GET", "/api/v1/papers", b"a=1&b=2", accept="text/csv"), b"")
    assert one != request_key(_scope("GET", "/api/v1/papers", b"a=1&b=2", host="elsewhere"), b"")


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (
            b'{"query": "{a}", "variables": {"x": 1, "y": 2}}',
            b'{"variables":{"y":2,"x":1},"query":"{a}"}',
            True,
        ),
        # The application validates each field: any difference is another key.
        (b'{"query": "{a}"}', b'{"query": "{a}", "variables": null, "operationName": null}', False),
        (b'{"query": "{a}"}', b'{"query": "{a}", "extensions": "string"}', False),
        (b'{"query": "{a}", "variables": {}}', b'{"query": "{a}", "variables": "{}"}', False),
        (
            b'{"query": "{a}", "variables": {"x": 1}}',
            b'{"query": "{a}", "variables": {"x": 2}}',
            False,
        ),
        (
            b'{"query": "{a}", "operationName": "A"}',
            b'{"query": "{a}", "operationName": "B"}',
            False,
        ),
    ],
)
def test_graphql_keys_are_the_parsed_request(first: bytes, second: bytes, same: bool) -> None:
    scope = _scope("POST", "/graphql", content_type="application/json")
    assert (request_key(scope, first) == request_key(scope, second)) is same


def test_unparsable_graphql_bodies_are_not_keyed() -> None:
    scope = _scope("POST", "/graphql", content_type="application/json")
    assert request_key(scope, b"{not json") is None
    assert request_key(scope, b"[1, 2]") is None
