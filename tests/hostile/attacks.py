"""What the hostile walks send. Each list is the one place to add an attack of its kind:
every route (or the GraphQL endpoint) gets it on the next run.

Cost-bomb queries belong in `GRAPHQL_DOCUMENTS`; nothing else needs to change for them to run.
Slow-body clients need real sockets and live in `test_slow_body.py`.
"""

from typing import Any

QUERY_VALUES = [
    "",
    " ",
    "x" * 1000,
    "-1",
    "0",
    "9" * 40,
    "²",
    "1e999",
    "NaN",
    "' OR 1=1 --",
    "%",
    "a,b,c:d|e",
    ":",
    "{}",
    "null",
    "\u202e\u0301",
]
"""Values for every query parameter of every GET route."""

RAW_QUERY_STRINGS = ["%ED%A0%80=1", "x=%ED%A0%80", "x=%FF%FE", "x=%00", "%=%", "&&&=&"]
"""Query strings sent as raw bytes: invalid UTF-8 (a surrogate's bytes), NUL, bare `%`."""

JSON_BODIES: list[bytes] = [
    b"",
    b"{",
    b"[]",
    b"null",
    b'"text"',
    b"{}",
    b'{"ids": ["2401.00001"], "max_results": 1e999}',
    b'{"ids": [' + b"[" * 5000 + b"]" * 5000 + b"]}",
    b'{"name": 12345678901234567890123456789, "scope": "admin"}',
    b'{"name": "x", "scope": "root"}',
    b'{"note": ' + b'"' + b"n" * 100_000 + b'"}',
    b'{"ids": ["\\ud800"], "query": "\\u0000"}',
]
"""Bodies for every write route taking JSON."""

GRAPHQL_DOCUMENTS: list[tuple[str, dict[str, Any] | None]] = [
    ("", None),
    ("{", None),
    ("{ engines { nodes { slug } } " * 50, None),
    ("query ($n: Int) { engines(first: $n) { totalCount } }", {"n": 2**70}),
    ("query ($n: Int) { engines(first: $n) { totalCount } }", {"n": -1}),
    ('{ engines(after: "W3t9LDFd") { totalCount } }', None),
    ("{ papers(filter: {yearFrom: 99999999999}) { totalCount } }", None),
    ("{ engines(first: 2147483647) { totalCount } }", None),
    ("query ($f: EngineFilterInput) { engines(filter: $f) { totalCount } }", {"f": [1, 2]}),
    ('{ node(id: "") { id } }', None),
    ('{ node(id: "RW5naW5lOjk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5") { id } }', None),
    ("{ __schema { types { fields { type { ofType { ofType { name } } } } } } }", None),
]
"""GraphQL documents (and variables) sent to /graphql."""
