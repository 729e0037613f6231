"""The GraphQL API: schema, per-request batching, limits and the GraphQL-over-HTTP endpoint."""
