"""Filter vocabularies: every list's filter keys, declared once, spelled per interface.

A list's filter is a frozen dataclass in its domain module (`EngineFilter`, `PaperFilter`,
`RunFilter`, …). Each of its fields is declared with `key(...)`: what kind of value it takes
(slugs of a table, an enum, a flag, a whole number, free text, a support condition), how the
REST filter grammar spells it (`technique`), how GraphQL spells it (`techniques`), and what it
means. From that one declaration come:

- the REST/CLI parser of `filter=key:value,key:value` (`from_text`) and the OpenAPI text;
- the GraphQL input types (`api/graphql/inputs.py`) and their conversion back to the dataclass;
- validation: enum values, numbers, and every slug checked against its table with "did you
  mean" suggestions (`check_slugs`), the same on every list;
- error messages that name the field as the caller spelled it (`respelled`).

Services raise problems with canonical field names (`filter.<dataclass field>`); the interface
that called them rewrites those to its own spelling on the way out.
"""

import dataclasses
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from sqlmodel import Session, SQLModel

from api.errors import InvalidInputError, Problem
from api.services.lookup import ids_by_slug
from models.base import SupportStatus

MAX_FILTER_LENGTH = 2_000
FIELD_PREFIX = "filter."


class Interface(StrEnum):
    REST = "rest"
    GRAPHQL = "graphql"
    CLI = "cli"


# --- kinds of value --------------------------------------------------------------------


@dataclass(frozen=True)
class Slugs:
    """Slugs of `model`'s rows; every one must exist. `many`: a tuple (any of), else one."""

    model: type[SQLModel]
    label: str
    many: bool = False


@dataclass(frozen=True)
class Choice:
    """Members of an enum, by value."""

    enum: type[Enum]
    many: bool = False


@dataclass(frozen=True)
class Flag:
    """True or false."""


@dataclass(frozen=True)
class Whole:
    """A whole number within [minimum, maximum]."""

    minimum: int = -(10**9)
    maximum: int = 10**9


@dataclass(frozen=True)
class Text:
    """Free text (a substring, or a full-text query)."""

    max_length: int = 500


@dataclass(frozen=True)
class Support:
    """Engines whose facts have a status for all of / any of some targets.

    REST spells it as the key repeated (all of) or with `|` (any of), and the list's shared
    `status` key; GraphQL as `{allOf, anyOf, status}`. `model` is None for techniques, which
    resolve through matrix columns (checked by the engines service)."""

    model: type[SQLModel] | None
    label: str


Kind = Slugs | Choice | Flag | Whole | Text | Support


@dataclass(frozen=True)
class SupportCondition:
    """Engines whose facts have `status` for all of / any of the targets."""

    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    status: SupportStatus = SupportStatus.SUPPORTED

    @property
    def targets(self) -> list[str]:
        return list(dict.fromkeys([*self.all_of, *self.any_of]))


@dataclass(frozen=True)
class Key:
    kind: Kind
    rest: str
    graphql: str
    description: str

    def spelling(self, interface: Interface) -> str:
        if interface == Interface.GRAPHQL:
            return camel(self.graphql)
        return self.rest


def key(
    kind: Kind, *, description: str, rest: str, graphql: str | None = None, default: Any = None
) -> Any:
    """A filter dataclass field: its kind, spellings and meaning (see the module docstring)."""
    declared = Key(kind, rest, graphql or rest, description)
    if isinstance(kind, Slugs | Choice) and kind.many:
        return dataclasses.field(default=(), metadata={"key": declared})
    return dataclasses.field(default=default, metadata={"key": declared})


def keys(filter_class: type[Any]) -> dict[str, Key]:
    """Dataclass field name → its declared key, in declaration order."""
    return {
        f.name: f.metadata["key"] for f in dataclasses.fields(filter_class) if "key" in f.metadata
    }


def describe(filter_class: type[Any]) -> str:
    """The REST filter keys of a list, for OpenAPI and `--help`."""
    parts = [f"`{k.rest}` ({k.description.rstrip('.')})" for k in keys(filter_class).values()]
    if any(isinstance(k.kind, Support) for k in keys(filter_class).values()):
        parts.append(
            "`status` (supported | not_supported | unknown; applies to "
            + ", ".join(f"`{k.rest}`" for k in keys(filter_class).values() if _is_support(k))
            + ")"
        )
    return "Filter keys: " + "; ".join(parts) + "."


def _is_support(declared: Key) -> bool:
    return isinstance(declared.kind, Support)


# --- the REST / CLI grammar --------------------------------------------------------------


@dataclass
class _Occurrences:
    groups: dict[str, list[list[str]]] = dataclasses.field(default_factory=dict)
    """REST key → one list per occurrence of the key, each list the `|`-alternatives."""

    def values(self, name: str) -> list[str]:
        return [value for group in self.groups.get(name, []) for value in group]


def from_text(filter_class: type[Any], text: str | None, max_values: int) -> Any:
    """Parse `key:value,key:value` (`key:a|b` any of; a key twice, all of) into `filter_class`,
    each list deduplicated and at most `max_values` long (`bounded`).

    Problems name fields in the REST spelling (`filter.technique`); a CLI caller passes the
    same text, so the same spelling serves it."""
    declared = {k.rest: (name, k) for name, k in keys(filter_class).items()}
    allowed = sorted(declared) + (["status"] if _has_support(filter_class) else [])
    occurrences = _split(text, allowed)
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    status = _status(occurrences, problems) if _has_support(filter_class) else None
    for rest_name, (name, k) in declared.items():
        if rest_name not in occurrences.groups:
            continue
        try:
            values[name] = _rest_value(k, occurrences, status)
        except InvalidInputError as error:
            problems += error.problems
    if problems:
        raise InvalidInputError("invalid filter", problems)
    return bounded(filter_class(**values), max_values)


def _has_support(filter_class: type[Any]) -> bool:
    return any(_is_support(k) for k in keys(filter_class).values())


def _split(text: str | None, allowed: Sequence[str]) -> _Occurrences:
    result = _Occurrences()
    if not text:
        return result
    if len(text) > MAX_FILTER_LENGTH:
        raise InvalidInputError(
            "filter too long",
            [Problem(f"at most {MAX_FILTER_LENGTH} characters", field="filter", value=len(text))],
        )
    problems = []
    for part in text.split(","):
        if not part.strip():
            continue  # `a:b,,c:d` and a leading or trailing comma name nothing
        name, colon, value = part.partition(":")
        name = name.strip()
        alternatives = [v.strip() for v in value.split("|")]
        if not colon or not name or not all(alternatives):
            problems.append(Problem("expected key:value", field="filter", value=part))
        elif name not in allowed:
            problems.append(
                Problem(
                    f"unknown filter key; use one of {', '.join(allowed)}",
                    field="filter",
                    value=name,
                )
            )
        else:
            result.groups.setdefault(name, []).append(alternatives)
    if problems:
        raise InvalidInputError("invalid filter", problems)
    return result


def _status(occurrences: _Occurrences, problems: list[Problem]) -> SupportStatus:
    given = occurrences.values("status")
    try:
        choices = _choices(Choice(SupportStatus), given, "filter.status")
    except InvalidInputError as error:
        problems += error.problems
        return SupportStatus.SUPPORTED
    if len(choices) > 1:
        problems.append(_one_value("status", given))
    return SupportStatus(choices[0]) if choices else SupportStatus.SUPPORTED


def _rest_value(declared: Key, occurrences: _Occurrences, status: SupportStatus | None) -> Any:
    name = declared.rest
    field = FIELD_PREFIX + name
    given = occurrences.values(name)
    kind = declared.kind
    if isinstance(kind, Support):
        groups = occurrences.groups[name]
        return SupportCondition(
            all_of=tuple(g[0] for g in groups if len(g) == 1),
            any_of=tuple(v for g in groups if len(g) > 1 for v in g),
            status=status or SupportStatus.SUPPORTED,
        )
    many = isinstance(kind, Slugs | Choice) and kind.many
    if not many and len(given) > 1:
        raise InvalidInputError(f"filter {name!r} takes one value", [_one_value(name, given)])
    if isinstance(kind, Choice):
        chosen = _choices(kind, given, field)
        return tuple(chosen) if many else chosen[0]
    if isinstance(kind, Slugs):
        return tuple(given) if many else given[0]
    return parse_scalar(kind, given[0], field)


def _one_value(name: str, given: list[str]) -> Problem:
    return Problem("give it once, without |", field=FIELD_PREFIX + name, value="|".join(given))


def _choices(kind: Choice, given: Sequence[str], field: str) -> list[Any]:
    options = [member.value for member in kind.enum]
    bad = [v for v in given if v not in options]
    if bad:
        raise InvalidInputError(
            f"invalid value for {field}",
            [Problem(f"use one of {', '.join(options)}", field=field, value=v) for v in bad],
        )
    return [kind.enum(v) for v in given]


_WHOLE = re.compile(r"-?[0-9]{1,10}")


def parse_scalar(kind: Kind, value: str, field: str) -> Any:
    """A flag, a whole number or text from its text form (ASCII digits only: `²` is no number)."""
    if isinstance(kind, Flag):
        if value.lower() not in ("true", "false"):
            raise InvalidInputError(
                f"{field} needs true or false",
                [Problem("use true or false", field=field, value=value)],
            )
        return value.lower() == "true"
    if isinstance(kind, Whole):
        if not _WHOLE.fullmatch(value):
            raise InvalidInputError(
                f"{field} needs a whole number",
                [Problem("not a whole number", field=field, value=value[:50])],
            )
        return check_whole(kind, int(value), field)
    if isinstance(kind, Text):
        return check_text(kind, value, field)
    raise TypeError(f"no text form for {kind!r}")


def check_whole(kind: Whole, value: int, field: str) -> int:
    if not kind.minimum <= value <= kind.maximum:
        raise InvalidInputError(
            f"{field} out of range",
            [Problem(f"from {kind.minimum} to {kind.maximum}", field=field, value=value)],
        )
    return value


def check_text(kind: Text, value: str, field: str) -> str:
    if len(value) > kind.max_length:
        raise InvalidInputError(
            f"{field} too long",
            [Problem(f"at most {kind.max_length} characters", field=field, value=len(value))],
        )
    return value


# --- validation shared by every list ---------------------------------------------------


def bounded(f: Any, max_values: int, prefix: str = FIELD_PREFIX) -> Any:
    """`f` with every list value deduplicated (first occurrence kept), or a bad input naming
    each list longer than `max_values` after that.

    The one place list lengths are capped, whichever interface built the filter: one
    `EXISTS` per slug and one "did you mean" per unknown slug make work grow with the list,
    so a long list could hold a database backend for minutes."""
    changes: dict[str, Any] = {}
    problems: list[Problem] = []
    for name in keys(type(f)):
        value = getattr(f, name)
        if isinstance(value, SupportCondition):
            all_of, any_of = tuple(dict.fromkeys(value.all_of)), tuple(dict.fromkeys(value.any_of))
            changes[name] = SupportCondition(all_of, any_of, value.status)
            lengths = {f"{name}.allOf": len(all_of), f"{name}.anyOf": len(any_of)}
        elif isinstance(value, tuple):
            changes[name] = tuple(dict.fromkeys(value))
            lengths = {name: len(changes[name])}
        else:
            continue
        problems += [
            Problem(f"at most {max_values} distinct values", field=prefix + field, value=length)
            for field, length in lengths.items()
            if length > max_values
        ]
    if problems:
        raise InvalidInputError("too many values in a list", problems)
    return dataclasses.replace(f, **changes)


def check_slugs(session: Session, f: Any) -> dict[str, dict[str, int]]:
    """Resolve every slug the filter names to its row id, or fail with "did you mean".

    Returns field name → slug → id for the `Slugs` and `Support` (with a model) fields that
    are set. All unknown slugs of all fields are reported together."""
    resolved: dict[str, dict[str, int]] = {}
    problems: list[Problem] = []
    for name, declared in keys(type(f)).items():
        value = getattr(f, name)
        kind = declared.kind
        slugs: list[str]
        if isinstance(kind, Slugs) and value:
            slugs = list(value) if kind.many else [value]
        elif isinstance(kind, Support) and kind.model is not None and value is not None:
            slugs = value.targets
        else:
            continue
        model = kind.model
        assert model is not None
        try:
            resolved[name] = ids_by_slug(session, model, slugs, kind.label, FIELD_PREFIX + name)
        except InvalidInputError as error:
            problems += error.problems
    if problems:
        raise InvalidInputError("unknown slug in filter", problems)
    return resolved


# --- spelling errors the caller's way ----------------------------------------------------


@contextmanager
def respelled(
    filter_class: type[Any],
    interface: Interface,
    prefix: str = FIELD_PREFIX,
    spelled_prefix: str | None = None,
) -> Iterator[None]:
    """Rewrite canonical field names (`prefix` + dataclass field) in problems raised inside to
    `interface`'s spelling, after `spelled_prefix` (default: the same prefix)."""
    try:
        yield
    except InvalidInputError as error:
        error.problems[:] = spelled(error.problems, filter_class, interface, prefix, spelled_prefix)
        raise


def spelled(
    problems: Sequence[Problem],
    filter_class: type[Any],
    interface: Interface,
    prefix: str = FIELD_PREFIX,
    spelled_prefix: str | None = None,
) -> list[Problem]:
    """`problems` with canonical field names rewritten as `respelled` does."""
    own_prefix = prefix if spelled_prefix is None else spelled_prefix
    names = {
        prefix + name: own_prefix + k.spelling(interface) for name, k in keys(filter_class).items()
    }
    rewritten = []
    for problem in problems:
        field = problem.field or ""
        for canonical, own in names.items():
            if field == canonical or field.startswith(canonical + "."):
                problem = dataclasses.replace(problem, field=own + field[len(canonical) :])
                break
        rewritten.append(problem)
    return rewritten


def camel(name: str) -> str:
    """A snake_case name as GraphQL spells it (strawberry's automatic camelCase)."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
