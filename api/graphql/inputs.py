"""GraphQL input types made from the services' filter vocabularies (`api/services/vocabulary.py`).

Each list's filter dataclass is declared once, in its domain module; here it becomes a
strawberry input type with the GraphQL spellings and descriptions of its keys, and an input
value becomes the dataclass again (`to_filter`), with the same checks REST applies.
"""

from typing import Any

import strawberry

from api.services import vocabulary as v
from models import base


@strawberry.input(
    description="Engines whose facts have `status` for all of / any of the given targets."
)
class SupportConditionInput:
    all_of: list[str] | None = strawberry.field(
        default=None, description="Slugs that must all have the status."
    )
    any_of: list[str] | None = strawberry.field(
        default=None, description="Slugs of which at least one must have the status."
    )
    status: base.SupportStatus = strawberry.field(
        default=base.SupportStatus.SUPPORTED,
        description="UNKNOWN also matches engines about which no source says anything.",
    )


def _input_type(kind: v.Kind) -> Any:
    if isinstance(kind, v.Support):
        return SupportConditionInput | None
    if isinstance(kind, v.Slugs):
        return list[str] | None if kind.many else str | None
    if isinstance(kind, v.Choice):
        return list[kind.enum] | None if kind.many else kind.enum | None  # type: ignore[name-defined]
    if isinstance(kind, v.Flag):
        return bool | None
    if isinstance(kind, v.Whole):
        return int | None
    return str | None


def filter_input(filter_class: type[Any], name: str, description: str) -> Any:
    """A strawberry input type with one optional field per key of `filter_class`."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    for declared in v.keys(filter_class).values():
        annotations[declared.graphql] = _input_type(declared.kind)
        namespace[declared.graphql] = strawberry.field(
            default=None, description=declared.description.rstrip(".") + "."
        )
    namespace["__annotations__"] = annotations
    namespace["__doc__"] = description
    return strawberry.input(type(name, (), namespace), name=name, description=description)


def to_filter(filter_class: type[Any], value: Any, max_values: int) -> Any:
    """An input value (or None) as the service's filter dataclass, its lists deduplicated and
    capped at `max_values` (`bounded`, as for REST)."""
    if value is None:
        return filter_class()
    values: dict[str, Any] = {}
    for name, declared in v.keys(filter_class).items():
        given = getattr(value, declared.graphql)
        if given is None:
            continue
        field = v.FIELD_PREFIX + name
        kind = declared.kind
        if isinstance(kind, v.Support):
            values[name] = v.SupportCondition(
                tuple(given.all_of or ()), tuple(given.any_of or ()), given.status
            )
        elif isinstance(kind, v.Slugs | v.Choice) and kind.many:
            values[name] = tuple(given)
        elif isinstance(kind, v.Whole):
            values[name] = v.check_whole(kind, given, field)
        elif isinstance(kind, v.Text):
            values[name] = v.check_text(kind, given, field)
        else:
            values[name] = given
    return v.bounded(filter_class(**values), max_values)
