"""GraphQL object types get their scalar fields from the entity's view (`api/services/views.py`).

A type declares only what is GraphQL's own: its relations (resolvers that walk to other
objects through the request's batch) and the foreign keys those resolvers read, as
`strawberry.Private`. `@entity(VIEW)` adds a field for every attribute of the view, typed and
described as the view says: a plain field for a column (read straight from the object, the
executor's fast path), a small resolver for a derived value.

Objects are made from rows with `wrap`, without running the dataclass constructor: the row's
columns are read from it when a field (or a resolver) asks for them.
"""

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import strawberry

from api.services.views import Attr, View

T = TypeVar("T")


def entity(view: View) -> Callable[[type[T]], type[T]]:
    """Add the view's attributes to a class that `strawberry.type` decorates next."""

    def add_fields(cls: type[T]) -> type[T]:
        annotations = dict(inspect.get_annotations(cls))
        for attr in view.attrs:
            if not attr.graphql:
                continue
            if attr.name in annotations or attr.name in cls.__dict__:
                raise TypeError(f"{cls.__name__}.{attr.name} is declared by the view already")
            annotations[attr.name] = attr.type
            if attr.column is not None:
                setattr(cls, attr.name, strawberry.field(description=attr.description))
            else:
                resolver = strawberry.field(resolver=_resolver(attr), description=attr.description)
                setattr(cls, attr.name, resolver)
        cls.__annotations__ = annotations
        cls._view = view  # type: ignore[attr-defined]
        cls._view_columns = tuple(  # type: ignore[attr-defined]
            column.name
            for column in view.model.__table__.columns  # type: ignore[attr-defined]
        )
        return cls

    return add_fields


def _resolver(attr: Attr) -> Any:
    get = attr.get

    def resolve(self: Any) -> Any:
        # From the row, not from this object: a derived value may be named like the column it
        # is computed from (a run's `verbatim`), which on this object is the field itself.
        return get(self._row)

    resolve.__annotations__ = {"self": Any, "return": attr.type}
    resolve.__name__ = attr.name
    return resolve


def wrap(cls: type[T], row: Any) -> T:
    """A GraphQL object of `cls` for a row (a Core row or an ORM object of the view's table).

    The row is kept as it is and read on demand (`Node.__getattr__`): a large response asks
    for one or two of a row's columns, so copying them all would cost more than reading them."""
    obj = object.__new__(cls)
    values = obj.__dict__
    values["_row"] = row
    values["_pk"] = row.id or 0
    return obj
