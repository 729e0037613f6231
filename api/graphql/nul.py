"""NUL characters (U+0000) in string arguments are refused before execution.

The lexer already refuses a raw NUL and lone surrogates, but `"\\u0000"` in a string literal
reaches the resolvers intact, and PostgreSQL cannot hold NUL in text: the query would fail deep
inside the database instead of being told what is wrong with it. Variables are checked by
api/graphql/http.py with api/services/unstorable.py's `refusals`.
"""

from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule

from api.services.unstorable import text_refusal


class NoNulInStrings(ValidationRule):
    """A validation rule: every string literal in the document must be free of NUL."""

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if (message := text_refusal(node.value)) is not None:
            self.report_error(GraphQLError(message, node))
