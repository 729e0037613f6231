"""NUL characters (U+0000) in string arguments are refused before execution.

The lexer already refuses a raw NUL, but `"\\u0000"` in a string literal, or a NUL in a JSON
variable, reaches the resolvers intact, and PostgreSQL cannot hold NUL in text: the query
would fail deep inside the database instead of being told what is wrong with it.
"""

from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule

MESSAGE = "string values may not contain the NUL character (U+0000)"


class NoNulInStrings(ValidationRule):
    """A validation rule: every string literal in the document must be free of NUL."""

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if "\x00" in node.value:
            self.report_error(GraphQLError(MESSAGE, node))


def contains_nul(value: Any) -> bool:
    """Whether a JSON value (variables) holds a NUL anywhere, at any depth."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False
