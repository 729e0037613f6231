"""The query/service layer shared by REST, GraphQL, the CLI and the seed loaders."""
