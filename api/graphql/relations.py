"""Relations described as data, so a compiled plan can load them set-at-a-time from Core rows.

A resolver in `api/graphql/types.py` that walks a plain relation is marked with `@rows_from`
and the description of what it loads: the row a foreign key points at (`Reference`), the rows
whose foreign key is the parent's id (`Children`), or the rows reached through a link table
(`Through`). The resolver itself keeps loading through the request's batch; the compiled plan
(`api/graphql/compiled.py`) reads the description instead and fetches, for all parents of a
level at once, only the columns the document asks for. The equivalence tests run every
documented query both ways, which is what keeps a description and its resolver in agreement.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Reference:
    """The row of `model` whose id is the parent's `column`."""

    model: type[Any]
    column: str


@dataclass(frozen=True)
class Children:
    """Rows of `model` whose `parent_column` is the parent's id, in `order_by` order."""

    model: type[Any]
    parent_column: str
    order_by: tuple[str, ...]


@dataclass(frozen=True)
class Through:
    """Rows of `model` reached from the parent's id through the link table `link`
    (`link.parent_column` = parent id, `link.target_column` = the row's id), ordered by
    `order_by`: pairs of ("link" or "target", column)."""

    link: type[Any]
    parent_column: str
    target_column: str
    model: type[Any]
    order_by: tuple[tuple[str, str], ...]


Relation = Reference | Children | Through


class Shape(Enum):
    """What the field returns: one object (possibly null), a plain list of objects, or a
    page of a list sliced by `first`/`after` (`list_connection`)."""

    ONE, LIST, CONNECTION = range(3)


@dataclass(frozen=True)
class RowRelation:
    relation: Relation
    shape: Shape
    status_filter: bool = False
    """The field takes `status:` and keeps only rows with that support status."""


ATTRIBUTE = "__row_relation__"


def rows_from(
    relation: Relation, shape: Shape = Shape.ONE, *, status_filter: bool = False
) -> Callable[[F], F]:
    """Mark a resolver as walking `relation`, returned as `shape`."""

    def mark(resolver: F) -> F:
        setattr(resolver, ATTRIBUTE, RowRelation(relation, shape, status_filter))
        return resolver

    return mark


def row_relation(resolver: Callable[..., Any] | None) -> RowRelation | None:
    """The relation a resolver was marked with, if any."""
    found = getattr(resolver, ATTRIBUTE, None)
    return found if isinstance(found, RowRelation) else None
