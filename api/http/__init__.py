"""Plumbing at the HTTP edge that REST (api/rest) and GraphQL (api/graphql) both use.

Neither of those packages imports the other, nor the response cache (api/cache): what they
share lives here. Nothing here knows routes, schemas or services.
"""
