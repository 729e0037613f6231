"""NUL characters (U+0000) in string arguments are refused before execution.

The lexer already refuses a raw NUL, but `"\\u0000"` in a string literal, or a NUL in a JSON
variable (api/http/nul.py's `contains_nul`), reaches the resolvers intact, and PostgreSQL
cannot hold NUL in text: the query would fail deep inside the database instead of being told
what is wrong with it.
"""

from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule

from api.http.nul import MESSAGE, contains_nul


class NoNulInStrings(ValidationRule):
    """A validation rule: every string literal in the document must be free of NUL."""

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if contains_nul(node.value):
            self.report_error(GraphQLError(MESSAGE, node))
