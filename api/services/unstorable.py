"""Text PostgreSQL cannot store: refused at the edge by REST and GraphQL alike, and in every
file we read back (dumps, seed files).

PostgreSQL cannot hold NUL (U+0000) in text, and no UTF-8 database holds a lone surrogate
(U+D800 to U+DFFF, which JSON can spell as `"\\ud800"`). Either reaching a query failed inside
the database as a 500 — or, on SQLite, was stored and made a dump that PostgreSQL cannot
restore. REST checks every parameter and JSON body before any route runs (api/rest/nul.py),
GraphQL every string literal and variable before execution (api/graphql/nul.py), restore and
the seed every value; all say it in the same words and name where the value was.
"""

from typing import Any

MESSAGE = "string values may not contain the NUL character (U+0000)"
SURROGATE_MESSAGE = (
    "string values may not contain unpaired surrogates (U+D800 to U+DFFF): they are not text"
)


def text_refusal(text: str) -> str | None:
    """Why `text` cannot be stored, or None."""
    if "\x00" in text:
        return MESSAGE
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:
            return SURROGATE_MESSAGE
    return None


def refusals(value: Any, path: str) -> Any:
    """(where, why) of each string or key in a JSON value that cannot be stored, `where` a
    path like `variables.filter.techniques[2]`. Iterative: parsed JSON may nest as deep as
    the parser allows, deeper than a recursive walk could follow."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if (message := text_refusal(item)) is not None:
                yield where, message
        elif isinstance(item, dict):
            for key, child in reversed(item.items()):
                if (message := text_refusal(key)) is not None:
                    yield _joined(where, "<key>"), message
                stack.append((_joined(where, key), child))
        elif isinstance(item, list):
            stack.extend(
                (f"{where}[{index}]", child) for index, child in reversed(list(enumerate(item)))
            )


def _joined(path: str, key: str) -> str:
    # A key that cannot be printed is not repeated in the path that reports it.
    shown = key if text_refusal(key) is None else "<key>"
    return f"{path}.{shown}" if path else shown
