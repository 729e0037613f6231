"""InferGraph application: HTTP app, CLI and the query/service layer they share."""
