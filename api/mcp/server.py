"""The InferGraph MCP server: read-only tools and resources over the service layer."""

from typing import Any

import sqlalchemy as sa
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult
from pydantic import ValidationError

from api.config import Settings
from api.mcp import catalog, charts, facts, passthrough, resources
from api.mcp.access import Reader
from api.mcp.errors import invalid_arguments, refuse_unstorable
from api.mcp.passthrough import GraphQLPort

INSTRUCTIONS = """InferGraph is a knowledge graph of LLM inference engines, the optimization
techniques they implement, the papers behind them, the hardware they run on, prices and
benchmark runs, first built from the survey by Park et al. (arXiv 2505.01658). Support facts
are tri-state: supported, not_supported, unknown (the survey's `-`). Every fact names the
source it was read from; quote `sources` when you cite. Start with `search`, then follow
slugs and keys into the other tools."""


class InferGraphMCP(MCPServer[Any]):
    """Arguments that fail the input schema (or hold NUL) are a protocol error with the
    problem details of every other InferGraph error, not a free-text tool result."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        refuse_unstorable(arguments)
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as error:
            if isinstance(error.__cause__, ValidationError):
                raise invalid_arguments(error.__cause__.errors()) from error
            raise


def build_server(engine: sa.Engine, settings: Settings, graphql: GraphQLPort) -> InferGraphMCP:
    server = InferGraphMCP(
        "infergraph", instructions=INSTRUCTIONS, version="0.1.0", log_level="WARNING"
    )
    reader = Reader(engine, settings)
    catalog.register(server, reader)
    facts.register(server, reader)
    charts.register(server, reader)
    passthrough.register(server, reader, graphql)
    resources.register(server, reader, graphql)
    return server
