"""How an endpoint tells the response cache (api/cache) that its response may be kept.

REST GETs under /api/v1 are cacheable unless they say otherwise; GraphQL must opt in (a query
answered without errors), because the cache cannot tell a query from a mutation by its path.
"""

from starlette.types import Scope

CACHEABLE_SCOPE_KEY = "infergraph.cacheable"
"""Set in the ASGI scope: True when the response may be kept."""


def mark_cacheable(scope: Scope) -> None:
    """This request's response may be kept (if it is a 200 and nothing else forbids it)."""
    scope[CACHEABLE_SCOPE_KEY] = True
