"""The REST filter grammar of a list as one regular expression, for its OpenAPI document.

`vocabulary.from_text` reads `key:value,key:value`. The pattern written here admits a part of
that language the parser accepts in full: each key at most once, in declaration order, its
values spelled canonically (enum values as declared, `true`/`false`, whole numbers inside the
key's range without leading zeros, slugs, text without surrounding blanks and within its
length). A client generating filters from the document (schemathesis does) thus never writes
one the server refuses; the parser still reads every other spelling it always read.

A slug that matches the pattern may name no row: the filter then matches nothing for it (see
`vocabulary.unmatched_unknown`), so such a filter is still accepted.
"""

from typing import Any

from api.services.vocabulary import Choice, Flag, Key, Slugs, Support, Text, Whole, keys
from models.base import SupportStatus

MORE_VALUES = "{0,@more-values@}"
"""Stands for "up to `INFERGRAPH_MAX_LIST_VALUES` - 1 more alternatives"; the setting is known
only when the document is built (`api/rest/openapi_limits.py` writes the number in)."""

SLUG = "[a-z0-9][a-z0-9.-]{0,119}"
# Python's `str.strip` (which the parser applies to every value) removes these; a value that
# starts or ends with one would not be read as written.
_BLANK = "\\x00-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
_SPECIAL = set(".^$*+?()[]{}|\\/")


def filter_pattern(filter_class: type[Any], without: tuple[str, ...] = ()) -> str:
    """The anchored pattern of `filter_class`'s REST filters (the empty filter included),
    leaving out the REST keys `without` (a route that takes them apart from the filter)."""
    items = [
        f"{_escaped(k.rest)}:{_value(k)}"
        for k in keys(filter_class).values()
        if k.rest not in without
    ]
    if any(isinstance(k.kind, Support) for k in keys(filter_class).values()):
        items.append("status:" + _alternatives([s.value for s in SupportStatus]))
    # Each key optional, in declaration order, each after a comma but the first, which may
    # come after one too: the parser skips empty parts, so `,year_to:2020` reads as
    # `year_to:2020`. Linear in the number of keys (a pattern per possible first key grew
    # quadratically, past what some regex compilers take).
    first, *rest = items
    return f"^(?:{first})?" + "".join(f"(?:,{item})?" for item in rest) + "$"


def with_list_bound(pattern: str, max_values: int) -> str:
    return pattern.replace(MORE_VALUES, f"{{0,{max_values - 1}}}")


def _value(declared: Key) -> str:
    kind = declared.kind
    if isinstance(kind, Choice):
        one = _alternatives([member.value for member in kind.enum])
        return _many(one) if kind.many else one
    if isinstance(kind, Slugs):
        return _many(SLUG) if kind.many else SLUG
    if isinstance(kind, Support):
        return _many(SLUG)
    if isinstance(kind, Flag):
        return "(?:true|false)"
    if isinstance(kind, Whole):
        return whole_pattern(kind.minimum, kind.maximum)
    if isinstance(kind, Text):
        edge = f"[^,|{_BLANK}]"
        return f"{edge}(?:[^,|\\x00]{{0,{kind.max_length - 2}}}{edge})?"
    raise TypeError(f"no pattern for {kind!r}")


def _many(one: str) -> str:
    return f"{one}(?:\\|{one}){MORE_VALUES}"


def _alternatives(values: list[str]) -> str:
    return "(?:" + "|".join(_escaped(value) for value in values) + ")"


def _escaped(text: str) -> str:
    # Only the characters special outside a class, so the result reads alike in ECMA, Python
    # and Rust regular expressions.
    return "".join(f"\\{c}" if c in _SPECIAL else c for c in text)


def whole_pattern(low: int, high: int) -> str:
    """Whole numbers from `low` to `high`, written without leading zeros (`-0` excluded)."""
    parts = []
    if low < 0:
        parts.append("-" + _natural(max(1, -high) if high < 0 else 1, -low))
    if high >= 0:
        parts.append(_natural(max(low, 0), high))
    return "(?:" + "|".join(parts) + ")"


def _natural(low: int, high: int) -> str:
    """Decimal numbers from `low` to `high` (both >= 0), by runs of equal length."""
    runs = []
    start = low
    while start <= high:
        end = min(high, 10 ** len(str(start)) - 1)
        runs.append(_same_length(str(start), str(end)))
        start = end + 1
    return "(?:" + "|".join(runs) + ")"


def _same_length(low: str, high: str) -> str:
    """Numbers from `low` to `high`, spelled with the same number of digits."""
    if low == high:
        return low
    if len(low) == 1:
        return f"[{low}-{high}]"
    if low[0] == high[0]:
        return low[0] + "(?:" + _same_length(low[1:], high[1:]) + ")"
    rest = len(low) - 1
    parts = []
    first, last = int(low[0]), int(high[0])
    if low[1:] == "0" * rest:
        lower_first = first
    else:
        parts.append(low[0] + "(?:" + _same_length(low[1:], "9" * rest) + ")")
        lower_first = first + 1
    upper_last = last if high[1:] == "9" * rest else last - 1
    if lower_first <= upper_last:
        parts.append(f"[{lower_first}-{upper_last}][0-9]{{{rest}}}")
    if upper_last < last:
        parts.append(high[0] + "(?:" + _same_length("0" * rest, high[1:]) + ")")
    return "(?:" + "|".join(parts) + ")"
