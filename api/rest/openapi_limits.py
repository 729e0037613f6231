"""The OpenAPI document states the limits this server was started with.

Page sizes are bounded by a setting (`INFERGRAPH_MAX_PAGE_SIZE`), so the routes, declared once
at import, cannot carry the bound; the document is completed with it when it is first built.
A client (or schemathesis) reading the document then knows exactly which sizes are accepted.
"""

from collections.abc import Callable
from typing import Any

from api.services.filter_pattern import MORE_VALUES, with_list_bound

PAGE_SIZE_PARAMETERS = frozenset({"per_page", "limit"})
"""Query parameters that are page sizes, on every route that has them."""
LIST_VALUES_BOUND = "x-at-most-max-list-values"
LIST_VALUES: dict[str, Any] = {LIST_VALUES_BOUND: True}
"""`json_schema_extra` of a repeated query parameter bounded by `INFERGRAPH_MAX_LIST_VALUES`:
the document gives it that many items at most."""


def with_page_size_bounds(
    build: Callable[[], dict[str, Any]], maximum: int, max_list_values: int
) -> Callable[[], dict[str, Any]]:
    """`build` (FastAPI's `openapi`), with every page-size parameter typed as an integer from
    1 to `maximum`, and every list marked with `LIST_VALUES` at most `max_list_values` long."""
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
                        _bound_list(parameter.get("schema", {}), max_list_values)
                        _bound_filter(parameter.get("schema", {}), max_list_values)
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


def _bound_list(schema: dict[str, Any], max_list_values: int) -> None:
    for alternative in schema.get("anyOf", []):
        _bound_list(alternative, max_list_values)
    if schema.pop(LIST_VALUES_BOUND, False):
        schema["maxItems"] = min(schema.get("maxItems", max_list_values), max_list_values)


def _bound_filter(schema: dict[str, Any], max_list_values: int) -> None:
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and MORE_VALUES in pattern:
        schema["pattern"] = with_list_bound(pattern, max_list_values)
