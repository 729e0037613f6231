"""A query parameter a route does not take is refused, naming the ones it does.

Silently ignoring `selct=title` or OpenAlex's `group-by=year` answers a different question
than the one asked, and nobody notices. The names a route takes are read from what FastAPI
itself declared for it (its parameters and those of its dependencies, by their aliases), so
the check cannot drift from the OpenAPI document.
"""

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.errors import InvalidInputError, Problem

_MAX_SHOWN = 10
"""Unknown names reported at most (a hostile query string may carry thousands)."""

_declared_names: dict[int, frozenset[str]] = {}
"""Per route (by identity): routes are built once, at start-up."""


def declared_query_names(dependant: Dependant) -> frozenset[str]:
    names = {parameter.alias for parameter in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= declared_query_names(dependency)
    return frozenset(names)


async def refuse_unknown_query_names(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    known = _declared_names.get(id(route))
    if known is None:
        known = _declared_names[id(route)] = declared_query_names(route.dependant)
    unknown = list(dict.fromkeys(name for name in request.query_params if name not in known))
    if not unknown:
        return
    valid = ", ".join(f"`{name}`" for name in sorted(known)) or "none"
    raise InvalidInputError(
        "unknown query parameter" + ("s" if len(unknown) > 1 else ""),
        [
            Problem(f"not a parameter of this route; it takes {valid}", "query", name[:100])
            for name in unknown[:_MAX_SHOWN]
        ],
    )
