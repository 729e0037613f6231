"""NUL characters (U+0000) are refused at the edge, by REST and GraphQL alike.

PostgreSQL cannot hold NUL in text: a NUL reaching a query fails inside the database as a
500 instead of telling the caller what is wrong. REST checks every parameter before any
route runs (api/rest/nul.py), GraphQL every string literal and variable before execution
(api/graphql/nul.py); both say it in the same words.
"""

from typing import Any

MESSAGE = "string values may not contain the NUL character (U+0000)"


def contains_nul(value: Any) -> bool:
    """Whether a string, or a JSON value (variables), holds a NUL anywhere, at any depth."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False
