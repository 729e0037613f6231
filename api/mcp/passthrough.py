"""The GraphQL passthrough: any read the schema allows, within the limits of `/graphql`.

This package may not import `api.graphql` (interfaces are independent), so the application
hands the server a `GraphQLPort`: a function that runs one request the way `/graphql` runs a
GET (queries only, the same document, token, depth, alias and page-size limits) and the SDL."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from pydantic import Field

from api.mcp.access import READ_ONLY, Reader

RunGraphQL = Callable[[str, dict[str, Any] | None, str | None], dict[str, Any]]
"""(query, variables, operation name) → the GraphQL response body (`data`, `errors`); raises
`InferGraphError` for a request refused before execution (a document over the size limit)."""


@dataclass(frozen=True)
class GraphQLPort:
    run: RunGraphQL
    sdl: str
    """The schema in SDL, as `schema.graphql` holds it."""


def register(server: MCPServer, reader: Reader, graphql: GraphQLPort) -> None:
    @server.tool(name="graphql", annotations=READ_ONLY)
    def graphql_query(
        ctx: Context,
        query: Annotated[
            str,
            Field(
                min_length=1,
                description="A GraphQL query document (read the `infergraph://graphql/schema` "
                'resource for the schema), e.g. `{ engine(slug: "vllm") { name } }`.',
            ),
        ],
        variables: Annotated[
            dict[str, Any] | None, Field(description="Values of the document's variables.")
        ] = None,
        operation_name: Annotated[
            str | None, Field(max_length=200, description="Which operation to run.")
        ] = None,
    ) -> dict[str, Any]:
        """Run a GraphQL query against InferGraph, bounded like `/graphql` (document size,
        tokens, depth, aliases, page size). Answers `{data, errors}` as GraphQL does; field
        errors carry the same `extensions` (code, problems) as REST errors."""
        with reader.checked(ctx):
            return graphql.run(query, variables, operation_name)
