"""InferGraph over the Model Context Protocol, for research assistants (docs/mcp.md)."""

from api.mcp.passthrough import GraphQLPort
from api.mcp.server import build_server

__all__ = ["GraphQLPort", "build_server"]
