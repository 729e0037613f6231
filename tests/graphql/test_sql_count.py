"""No N+1: the whole-graph query runs a fixed number of SQL statements, however many rows."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.graphql.conftest import run

WHOLE_GRAPH = """
query WholeGraph($first: Int!) {
  engines(first: $first) {
    nodes {
      name
      organization { name }
      featureSupport(first: 500) {
        nodes {
          status
          source { slug }
          feature {
            name
            techniques {
              name
              category { name parent { name } }
              citations(first: 500) {
                nodes {
                  label
                  paper {
                    title
                    authors(first: 500) { nodes { name } }
                  }
                }
              }
            }
          }
        }
      }
      platformSupport(first: 500) { nodes { status note platform { name } } }
      precisionSupport(first: 500) { nodes { status precision { name } } }
    }
  }
}
"""

# engines, organizations, feature facts, sources, features, members (with techniques),
# categories (twice: their own, then their parents), citations, papers, authorships (with
# authors: the compiled plan joins the link table, api/graphql/compiled.py), platform facts,
# platforms, precision facts, precisions.
EXPECTED_STATEMENTS = 15


@contextmanager
def counted(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_whole_graph_statement_count_does_not_grow_with_rows(
    unbudgeted_client: TestClient, unbudgeted_app: FastAPI
) -> None:
    engine: sa.Engine = unbudgeted_app.state.engine
    counts = {}
    sizes = {}
    for first in (1, 5, 27):
        with counted(engine) as statements:
            data = run(unbudgeted_client, WHOLE_GRAPH, {"first": first})
        counts[first] = len(statements)
        sizes[first] = sum(len(e["featureSupport"]["nodes"]) for e in data["engines"]["nodes"])
    assert sizes[1] < sizes[5] < sizes[27] == 25 * 23
    assert counts == {1: EXPECTED_STATEMENTS, 5: EXPECTED_STATEMENTS, 27: EXPECTED_STATEMENTS}
