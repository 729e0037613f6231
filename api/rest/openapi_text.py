"""The OpenAPI document says which text parameters the server refuses: NUL, on every route.

`api/rest/nul.py` refuses a NUL in any query or path parameter before a route runs. A string
parameter declared without a pattern would promise that any text is accepted, so a client
(or schemathesis, generating "valid" values) sends one and gets the 400. Every such parameter
is given the storable-text pattern when the document is built; parameters that already carry a
pattern or an enumeration exclude NUL themselves.
"""

from collections.abc import Callable
from typing import Any

from api.rest.schemas import STORABLE_TEXT

STORABLE_JSON = "StorableJson"
STORABLE_OBJECT: dict[str, Any] = {
    "type": "object",
    "propertyNames": STORABLE_TEXT,
    "additionalProperties": {"$ref": f"#/components/schemas/{STORABLE_JSON}"},
}
"""A JSON object whose keys and strings, at any depth, hold no NUL (a request body that is a
whole file, e.g. a benchmark result)."""
_STORABLE_JSON_SCHEMA: dict[str, Any] = {
    "description": "Any JSON value without NUL in its strings and keys, at any depth.",
    "anyOf": [
        {"type": "string", **STORABLE_TEXT},
        {"type": ["number", "boolean", "null"]},
        {"type": "array", "items": {"$ref": f"#/components/schemas/{STORABLE_JSON}"}},
        STORABLE_OBJECT,
    ],
}


def with_storable_text(build: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """`build` (FastAPI's `openapi`), with every free-text parameter NUL-free, and the schema
    `STORABLE_OBJECT` refers to."""

    def openapi() -> dict[str, Any]:
        document = build()
        document.setdefault("components", {}).setdefault("schemas", {})[STORABLE_JSON] = (
            _STORABLE_JSON_SCHEMA
        )
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") in ("query", "path"):
                        _storable(parameter.get("schema", {}))
        return document

    return openapi


def _storable(schema: dict[str, Any]) -> None:
    if "pattern" in schema:
        return  # it applies to every alternative that is a string
    for alternative in schema.get("anyOf", []):
        _storable(alternative)
    if schema.get("type") == "array":
        _storable(schema.get("items", {}))
    if schema.get("type") == "string" and not {"pattern", "enum", "const"} & schema.keys():
        schema.update(STORABLE_TEXT)
