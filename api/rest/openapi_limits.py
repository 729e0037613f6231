"""The OpenAPI document states the limits this server was started with.

Page sizes are bounded by a setting (`INFERGRAPH_MAX_PAGE_SIZE`), so the routes, declared once
at import, cannot carry the bound; the document is completed with it when it is first built.
A client (or schemathesis) reading the document then knows exactly which sizes are accepted.
"""

from collections.abc import Callable
from typing import Any

PAGE_SIZE_PARAMETERS = frozenset({"per_page", "limit"})
"""Query parameters that are page sizes, on every route that has them."""


def with_page_size_bounds(
    build: Callable[[], dict[str, Any]], maximum: int
) -> Callable[[], dict[str, Any]]:
    """`build` (FastAPI's `openapi`), with every page-size parameter typed as an integer from
    1 to `maximum`."""
    cached: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not cached:
            document = build()
            for operations in document.get("paths", {}).values():
                for operation in operations.values():
                    for parameter in operation.get("parameters", []):
                        if (
                            parameter.get("in") == "query"
                            and parameter["name"] in PAGE_SIZE_PARAMETERS
                        ):
                            _bound(parameter, maximum)
            cached.update(document)
        return cached

    return openapi


def _bound(parameter: dict[str, Any], maximum: int) -> None:
    schema = parameter.get("schema", {})
    default = schema.get("default")
    bounded: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": maximum}
    if isinstance(default, int):
        bounded["default"] = min(default, maximum)
    for kept in ("description", "title"):
        if kept in schema:
            bounded[kept] = schema[kept]
    parameter["schema"] = bounded
