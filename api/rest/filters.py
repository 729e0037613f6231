"""One filter grammar for every list, after OpenAlex: `filter=key:value,key:value`.

- `key:a|b` — any of a, b;
- the same key twice (`technique:a,technique:b`) — all of them;
- values are slugs, numbers or words; commas and colons cannot appear inside a value.

Each list declares the keys it accepts; anything else is a 400 naming the offending part.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from api.errors import InvalidInputError, Problem

MAX_FILTER_LENGTH = 2_000


@dataclass
class Filter:
    groups: dict[str, list[list[str]]] = field(default_factory=dict)
    """key → one list per occurrence of the key, each list the `|`-alternatives."""

    def all_of(self, key: str) -> list[str]:
        """Values that must all hold: one per occurrence without alternatives."""
        return [group[0] for group in self.groups.get(key, []) if len(group) == 1]

    def any_of(self, key: str) -> list[str]:
        """Alternatives of the occurrences that have several (`a|b`)."""
        return [value for group in self.groups.get(key, []) if len(group) > 1 for value in group]

    def values(self, key: str) -> list[str]:
        return [value for group in self.groups.get(key, []) for value in group]

    def one(self, key: str) -> str | None:
        values = self.values(key)
        if len(values) > 1:
            raise InvalidInputError(
                f"filter {key!r} takes one value",
                [Problem("give it once, without |", field=f"filter.{key}", value="|".join(values))],
            )
        return values[0] if values else None

    def integer(self, key: str) -> int | None:
        value = self.one(key)
        if value is None:
            return None
        if not value.lstrip("-").isdigit() or len(value) > 9:
            raise InvalidInputError(
                f"filter {key!r} needs a whole number",
                [Problem("not a whole number", field=f"filter.{key}", value=value)],
            )
        return int(value)

    def boolean(self, key: str) -> bool | None:
        value = self.one(key)
        if value is None:
            return None
        if value.lower() not in ("true", "false"):
            raise InvalidInputError(
                f"filter {key!r} needs true or false",
                [Problem("use true or false", field=f"filter.{key}", value=value)],
            )
        return value.lower() == "true"

    def choice(self, key: str, allowed: Iterable[str]) -> list[str]:
        options = list(allowed)
        values = self.values(key)
        bad = [v for v in values if v not in options]
        if bad:
            raise InvalidInputError(
                f"invalid value for filter {key!r}",
                [
                    Problem(f"use one of {', '.join(options)}", field=f"filter.{key}", value=v)
                    for v in bad
                ],
            )
        return values


def parse_filter(text: str | None, allowed: Iterable[str]) -> Filter:
    keys = sorted(allowed)
    result = Filter()
    if not text:
        return result
    if len(text) > MAX_FILTER_LENGTH:
        raise InvalidInputError(
            "filter too long",
            [Problem(f"at most {MAX_FILTER_LENGTH} characters", field="filter", value=len(text))],
        )
    problems = []
    for part in text.split(","):
        key, colon, value = part.partition(":")
        key = key.strip()
        alternatives = [v.strip() for v in value.split("|")]
        if not colon or not key or not all(alternatives):
            problems.append(Problem("expected key:value", field="filter", value=part))
        elif key not in keys:
            problems.append(
                Problem(
                    f"unknown filter key; use one of {', '.join(keys)}", field="filter", value=key
                )
            )
        else:
            result.groups.setdefault(key, []).append(alternatives)
    if problems:
        raise InvalidInputError("invalid filter", problems)
    return result
