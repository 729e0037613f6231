"""InferGraph over the Model Context Protocol, for research assistants (docs/mcp.md).

Import the modules themselves (`api.mcp.server`): this package imports nothing, so that
`api.mcp.lazy` can be had without the SDK."""
