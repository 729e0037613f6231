"""Compiled plans answer what graphql-core answers: same JSON, same key order, same errors.

Each document runs over HTTP's code path (`GraphQLEndpoint.run`, which keeps compiled plans
per document) twice — the second time from the cached plans — and once through graphql-core,
and the encoded bodies must be equal byte for byte, so field order is checked too.
"""

import sys
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from api.graphql.compiled import NotCoveredError, PlanRun
from api.graphql.executor import PlannedExecutor
from api.graphql.http import JSON, GraphQLEndpoint, GraphQLParams
from api.graphql.limits import Limits
from api.graphql.schema import graphql_schema, schema
from tests.graphql.test_examples import EXAMPLES
from tests.graphql.test_executor import EXTRA
from tests.graphql.test_sql_count import counted

UNBUDGETED = Limits(max_cost=sys.maxsize)

FEATURES = """
query F($first: Int, $withStatus: Boolean!, $noName: Boolean!, $after: String) {
  engines(first: 3) {
    __typename
    nodes {
      __typename
      id
      title: name
      name @skip(if: $noName)
      ...Org
      featureSupport(first: $first, after: $after) {
        kinds: __typename
        first: nodes { status @include(if: $withStatus) feature { slug } }
        again: nodes { ... on FeatureSupport { id } }
      }
    }
  }
}
fragment Org on Engine { organization { name kind } }
"""


def endpoints(engine: sa.Engine) -> tuple[GraphQLEndpoint, GraphQLEndpoint]:
    """(with the planned executor and its compiled plans, graphql-core only)."""
    planned = GraphQLEndpoint(graphql_schema, engine, UNBUDGETED, PlannedExecutor(schema))
    return planned, GraphQLEndpoint(graphql_schema, engine, UNBUDGETED)


def bodies(
    engine: sa.Engine, query: str, variables: dict[str, Any] | None = None
) -> tuple[bytes, bytes, bytes]:
    """The encoded answers: compiled (first run), compiled (cached plans), graphql-core."""
    planned, reference = endpoints(engine)
    params = GraphQLParams(query, None, variables)
    answers = [endpoint.run(params, "POST", JSON) for endpoint in (planned, planned, reference)]
    assert {status for status, _ in answers} == {200}
    first, again, expected = (orjson.dumps(body) for _, body in answers)
    return first, again, expected


def documents() -> dict[str, tuple[str, dict[str, Any] | None]]:
    found: dict[str, tuple[str, dict[str, Any] | None]] = {
        name: (query, None) for name, query in EXAMPLES.items()
    }
    found["paging"] = (EXAMPLES["paging"], {"after": None})
    return {**found, **EXTRA}


@pytest.mark.parametrize("name", list(documents()))
def test_every_documented_example_matches_graphql_core(seeded_engine: sa.Engine, name: str) -> None:
    query, variables = documents()[name]
    first, again, expected = bodies(seeded_engine, query, variables)
    assert first == expected
    assert again == expected


def test_the_whole_graph_is_answered_by_a_compiled_plan(seeded_engine: sa.Engine) -> None:
    """Only a compiled plan joins the authors to their link rows; the executor loads both."""
    planned, _ = endpoints(seeded_engine)
    params = GraphQLParams(EXTRA["whole-graph"][0], None, {"first": 27})
    with counted(seeded_engine) as statements:
        status, body = planned.run(params, "POST", JSON)
    assert status == 200 and "errors" not in body
    joined = [s for s in statements if "FROM paper_author JOIN author" in s]
    assert len(joined) == 1
    # Only the columns the document reads (and the keys that link the levels) are fetched.
    [citations] = [s for s in statements if "FROM technique_citation" in s]
    selected = citations.split(" FROM ")[0]
    assert "technique_citation.label" in selected and "technique_citation.url" not in selected


@pytest.mark.parametrize(
    "variables",
    [
        {"first": 2, "withStatus": True, "noName": False},
        {"first": 4, "withStatus": False, "noName": True},
        {"first": 0, "withStatus": True, "noName": True},
    ],
)
def test_aliases_fragments_and_directives(
    seeded_engine: sa.Engine, variables: dict[str, Any]
) -> None:
    first, again, expected = bodies(seeded_engine, FEATURES, variables)
    assert first == expected and again == expected
    engines = orjson.loads(first)["data"]["engines"]["nodes"]
    assert list(engines[0])[:3] == ["__typename", "id", "title"]
    assert all(("name" in e) is not variables["noName"] for e in engines)
    facts = engines[0]["featureSupport"]["first"]
    assert len(facts) == variables["first"]
    assert all(("status" in f) is variables["withStatus"] for f in facts)


def test_directive_values_compile_their_own_plans(seeded_engine: sa.Engine) -> None:
    """One document, one endpoint: the plan cached for one `@skip` value is not reused."""
    planned, reference = endpoints(seeded_engine)
    for no_name in (False, True, False):
        params = GraphQLParams(FEATURES, None, {"first": 1, "withStatus": True, "noName": no_name})
        ours, expected = planned.run(params, "POST", JSON), reference.run(params, "POST", JSON)
        assert orjson.dumps(ours) == orjson.dumps(expected)
        assert ("name" in ours[1]["data"]["engines"]["nodes"][0]) is not no_name


@pytest.mark.parametrize(
    "variables",
    [
        {"first": 501, "withStatus": True, "noName": False},  # over the page size limit
        {"first": -1, "withStatus": True, "noName": False},
        {"first": 2, "withStatus": True, "noName": False, "after": "not-a-cursor"},
    ],
)
def test_refused_arguments_are_field_errors_as_graphql_core_reports_them(
    seeded_engine: sa.Engine, variables: dict[str, Any]
) -> None:
    first, again, expected = bodies(seeded_engine, FEATURES, variables)
    assert first == expected and again == expected
    body = orjson.loads(first)
    assert body["errors"][0]["path"] == ["engines", "nodes", 0, "featureSupport"]
    assert body["errors"][0]["extensions"]["classification"] == "BAD_REQUEST"
    # `featureSupport`, `nodes` and `engines` are non-null: the null reaches `data`.
    assert body["data"] is None


def test_a_page_after_a_cursor(seeded_engine: sa.Engine) -> None:
    """The cursor comes from `pageInfo` (the executor's); the next page from a plan."""
    _, reference = endpoints(seeded_engine)
    cursor_query = (
        '{ engine(slug: "vllm") { featureSupport(first: 3) { pageInfo { endCursor } } } }'
    )
    status, body = reference.run(GraphQLParams(cursor_query, None, None), "POST", JSON)
    assert status == 200
    cursor = body["data"]["engine"]["featureSupport"]["pageInfo"]["endCursor"]
    query = """query ($after: String) {
      engine(slug: "vllm") { featureSupport(first: 2, after: $after) { nodes { id } } }
    }"""
    first, again, expected = bodies(seeded_engine, query, {"after": cursor})
    assert first == expected and again == expected
    from_start = bodies(seeded_engine, query, {"after": None})[0]
    page = orjson.loads(first)["data"]["engine"]["featureSupport"]["nodes"]
    start = orjson.loads(from_start)["data"]["engine"]["featureSupport"]["nodes"]
    assert len(page) == 2 and not {n["id"] for n in page} & {n["id"] for n in start}


def test_a_status_filter_keeps_the_facts_with_that_status(seeded_engine: sa.Engine) -> None:
    query = """query ($status: SupportStatus) {
      engines(first: 100) {
        nodes { featureSupport(status: $status, first: 500) { nodes { status } } }
      }
    }"""
    counts = {}
    for status in ("SUPPORTED", "UNKNOWN", None):
        first, again, expected = bodies(seeded_engine, query, {"status": status})
        assert first == expected and again == expected
        engines = orjson.loads(first)["data"]["engines"]["nodes"]
        found = [f["status"] for e in engines for f in e["featureSupport"]["nodes"]]
        assert status is None or set(found) == {status}
        counts[status] = len(found)
    assert 0 < counts["SUPPORTED"] < counts[None] and 0 < counts["UNKNOWN"] < counts[None]


def test_nulls_of_nullable_relations(seeded_engine: sa.Engine) -> None:
    """Root categories have no parent; the plan answers null where the schema allows it."""
    query = """{ techniques(first: 200) { nodes { slug category { slug parent { slug } } } } }"""
    first, again, expected = bodies(seeded_engine, query)
    assert first == expected and again == expected
    nodes = orjson.loads(first)["data"]["techniques"]["nodes"]
    parents = {n["category"]["parent"] is None for n in nodes}
    assert parents == {True, False}


def test_a_null_where_the_schema_promises_a_value_is_left_to_the_executor(
    seeded_engine: sa.Engine,
) -> None:
    """Such a row makes the plan give up (the executor then reports the error with its path)."""
    planned, _ = endpoints(seeded_engine)
    params = GraphQLParams('{ engine(slug: "vllm") { name } }', None, None)
    assert planned.run(params, "POST", JSON)[1]["data"] == {"engine": {"name": "vLLM"}}
    executor = planned.planned
    assert executor is not None
    [plan] = [
        p
        for plans in executor.cached_plans((params.query, None))
        for p in plans
        if p is not None and p.type_name == "Engine"
    ]
    run = PlanRun(SimpleNamespace(), None, lambda resolver, raw: raw)  # type: ignore[arg-type]
    assert run.answer(plan, [SimpleNamespace(id=1, name="vLLM")]) == [{"name": "vLLM"}]
    with pytest.raises(NotCoveredError, match=r"non-null Engine\.name"):
        run.answer(plan, [SimpleNamespace(id=2, name=None)])


def test_a_database_failure_in_a_plan_is_a_field_error_not_a_retry(
    seeded_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Field by field on the same (failed) transaction would only fail again."""
    calls: list[int] = []

    def failing(self: PlanRun, step: Any, keys: list[Any]) -> dict[Any, Any]:
        calls.append(len(keys))
        raise sa.exc.OperationalError("SELECT", {}, Exception("connection lost"))

    monkeypatch.setattr(PlanRun, "_fetch", failing)
    planned, _ = endpoints(seeded_engine)
    query = "{ engines(first: 2) { nodes { name organization { name } } } }"
    status, body = planned.run(GraphQLParams(query, None, None), "POST", JSON)
    assert status == 200 and len(calls) == 1
    assert body["data"] is None  # `nodes` and `engines` are non-null
    [error] = body["errors"]
    assert error["path"] == ["engines", "nodes"]
    assert error["extensions"]["code"] == "internal_error"
