"""The planned executor answers exactly what graphql-core, the reference, answers."""

from typing import Any

import pytest
import sqlalchemy as sa
from graphql import OperationDefinitionNode, execute_sync, get_variable_values, parse
from sqlmodel import Session

from api.graphql.batch import Batch
from api.graphql.context import GraphContext
from api.graphql.executor import PlannedExecutor
from api.graphql.http import format_error
from api.graphql.schema import graphql_schema, schema
from tests.graphql.test_examples import EXAMPLES
from tests.graphql.test_sql_count import WHOLE_GRAPH

EXTRA: dict[str, tuple[str, dict[str, Any] | None]] = {
    "fragments-aliases-directives": (
        """
        query Q($withAliases: Boolean!, $skipIds: Boolean!) {
          vllm: engine(slug: "vllm") { ...E }
          again: engine(name: "vLLM") { ...E id @skip(if: $skipIds) }
          tgi: engine(slug: "tgi") {
            ... on Engine { name aliases @include(if: $withAliases) }
            papers { totalCount }
          }
        }
        fragment E on Engine {
          __typename
          name
          organization { kind name }
          featureSupport(status: SUPPORTED, first: 3) { edges { cursor node { feature { slug } } } }
        }
        """,
        {"withAliases": True, "skipIds": False},
    ),
    "abstract-types": (
        """
        query N($ids: [ID!]!) {
          nodes(ids: $ids) { __typename id ... on Engine { slug } ... on Paper { bibtexKey } }
          search(text: "attention", first: 4) {
            score node { __typename ... on Technique { name } ... on Paper { title year } }
          }
        }
        """,
        {"ids": ["RW5naW5lOjE", "UGFwZXI6MQ", "Tm9wZTox"]},
    ),
    "lookups": (
        '{ a: engine(slug: "vllm") { name } b: paper(doi: "10.1145/3600006.3613165") { title } }',
        None,
    ),
    "whole-graph": (WHOLE_GRAPH, {"first": 27}),
}


def execute_both(
    engine: sa.Engine, query: str, variables: dict[str, Any] | None
) -> tuple[Any, Any]:
    document = parse(query)
    [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    with Session(engine) as session:
        context = GraphContext(session, Batch(session), 500, 50)
        reference = execute_sync(
            graphql_schema, document, context_value=context, variable_values=variables
        )
    with Session(engine) as session:
        context = GraphContext(session, Batch(session), 500, 50)
        coerced = get_variable_values(
            graphql_schema, operation.variable_definitions or (), variables or {}
        )
        assert not isinstance(coerced, list)
        data, errors = PlannedExecutor(schema).execute(document, operation, coerced, context)
    # Compared as the HTTP layer renders errors (message and extensions from our errors).
    return (reference.data, [format_error(e) for e in reference.errors or []]), (
        data,
        [format_error(e) for e in errors],
    )


@pytest.mark.parametrize("name", [*EXAMPLES, *EXTRA])
def test_planned_execution_matches_graphql_core(seeded_engine: sa.Engine, name: str) -> None:
    query, variables = EXTRA[name] if name in EXTRA else (EXAMPLES[name], None)
    if name == "paging":
        variables = {"after": None}
    reference, planned = execute_both(seeded_engine, query, variables)
    assert planned == reference


def test_field_errors_have_the_same_paths(seeded_engine: sa.Engine) -> None:
    query = (
        '{ ok: engine(slug: "vllm") { name } '
        'bad: engines(filter: {precisions: {anyOf: ["fp7"]}}) { totalCount } }'
    )
    reference, planned = execute_both(seeded_engine, query, None)
    assert planned == reference
    assert planned[1][0]["path"] == ["bad"]
