"""One output mapping per entity: which attributes the outside world sees, and what they mean.

Each domain module declares a `View` of every entity it owns: its attributes (columns of the
table, or values derived from one row, such as an engine's `release_date`) and its references
(what REST and the exports summarise about related rows: an engine's aliases, a price's
provider slug). From that one declaration:

- REST response models are built (`api/rest/models.py`), and rows are presented with
  `present`, which loads every reference for a whole batch of rows in one query each;
- GraphQL object types get their scalar fields, types and descriptions
  (`api/graphql/entities.py`); GraphQL reaches related rows through its own resolvers;
- exports (CSV through the REST models, GraphML node attributes) read the same attributes.

A new column therefore touches its table model, its entity's view and a migration.
Descriptions are written once: on the table model's `Field(description=…)`, or on the view for
derived values.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from api.services.vocabulary import Interface

Loader = Callable[[Session, Sequence[Any]], dict[Any, Any]]
"""Rows → their reference values, keyed by the row's id (missing ids get the default)."""


@dataclass(frozen=True)
class Attr:
    """One attribute of an entity, read from a single row."""

    name: str
    type: Any
    description: str
    get: Callable[[Any], Any]
    column: str | None = None
    """The column it is read from as is; None for derived values."""
    rest: str | None = None
    """The REST key where it differs from `name` (kept for compatibility)."""
    graphql: bool = True
    """Whether GraphQL shows it as a field of the entity's type."""

    def spelling(self, interface: Interface) -> str:
        return self.rest if interface != Interface.GRAPHQL and self.rest else self.name


@dataclass(frozen=True)
class Ref:
    """A summary of related rows, loaded for a batch of rows at once (REST and exports)."""

    name: str
    type: Any
    """A Python type, or the `View` of the related entity when it is shown nested (or None)."""
    description: str
    load: Loader
    default: Callable[[], Any] = lambda: None
    points_to: tuple[type[SQLModel], str] | None = None
    """For the slug of one related row: its table and this entity's foreign key (lists can
    count their rows by it, `api/services/groups.py`)."""


@dataclass(frozen=True)
class View:
    model: type[SQLModel]
    attrs: tuple[Attr, ...]
    refs: tuple[Ref, ...] = field(default=())

    def attr(self, name: str) -> Attr:
        return next(a for a in self.attrs if a.name == name)


def column(
    model: type[SQLModel],
    name: str,
    *,
    description: str | None = None,
    rest: str | None = None,
    graphql: bool = True,
) -> Attr:
    """A column shown as it is stored, typed and described by its table model."""
    info = model.model_fields[name]
    text = description or info.description
    if not text:
        raise ValueError(f"{model.__name__}.{name} has no description")
    return Attr(name, info.annotation, text, attrgetter(name), name, rest, graphql)


def derived(
    name: str,
    value_type: Any,
    description: str,
    get: Callable[[Any], Any],
    *,
    rest: str | None = None,
    graphql: bool = True,
) -> Attr:
    """A value computed from one row (a date from year and month, a price as a float)."""
    return Attr(name, value_type, description, get, None, rest, graphql)


def present(
    session: Session,
    view: View,
    rows: Sequence[Any],
    interface: Interface = Interface.REST,
) -> list[dict[str, Any]]:
    """Rows as dicts of their attributes and references, spelled for `interface`."""
    loaded = {ref.name: ref.load(session, rows) if rows else {} for ref in view.refs}
    spelled = _readers(view, interface, rows[0] if rows else None)
    result = []
    for row in rows:
        values = {name: get(row) for name, get in spelled}
        for ref in view.refs:
            found = loaded[ref.name]
            values[ref.name] = found[row.id] if row.id in found else ref.default()
        result.append(values)
    return result


def _readers(
    view: View, interface: Interface, first: Any
) -> list[tuple[str, Callable[[Any], Any]]]:
    """Each attribute's name and how to read it, worked out once for a batch of rows. Plain
    rows (pages are read as such) give a column by position, several times faster than by
    name."""
    fields: tuple[str, ...] = first._fields if isinstance(first, sa.Row) else ()
    return [
        (
            a.spelling(interface),
            itemgetter(fields.index(a.column)) if a.column in fields else a.get,
        )
        for a in view.attrs
    ]


def view_columns(view: View) -> tuple[str, ...] | None:
    """The columns presenting `view` reads (its attributes' and the id, which references are
    loaded by), or None when a derived attribute may read any of the row."""
    if any(a.column is None for a in view.attrs):
        return None
    return tuple(dict.fromkeys([*(str(a.column) for a in view.attrs), "id"]))


_PLAIN_SCALARS = (str, int, NoneType)


def _plain_type(value_type: Any) -> bool:
    if get_origin(value_type) in (Union, UnionType):
        return all(_plain_type(arg) for arg in get_args(value_type))
    if get_origin(value_type) is list:
        return all(arg in (str, int) for arg in get_args(value_type))
    return value_type in _PLAIN_SCALARS


_plain_views: dict[int, bool] = {}
"""By the view's identity: views are declared once, at import."""


def plain_view(view: View) -> bool:
    """Whether every attribute and reference of `view` is text, a whole number, null or a list
    of text or numbers: values that are JSON as they come from the database, which a REST
    model (pydantic) would validate and dump unchanged."""
    known = _plain_views.get(id(view))
    if known is None:
        known = _plain_views[id(view)] = all(_plain_type(a.type) for a in view.attrs) and all(
            not isinstance(r.type, View) and _plain_type(r.type) for r in view.refs
        )
    return known


# --- common references -------------------------------------------------------------------


def slug_ref(name: str, description: str, target: type[SQLModel], foreign_key: str) -> Ref:
    """The slug of the row a foreign key points to (None when the key is empty)."""

    def load(session: Session, rows: Sequence[Any]) -> dict[Any, Any]:
        slugs = slugs_by_id(session, target, {getattr(r, foreign_key) for r in rows})
        return {r.id: slugs.get(getattr(r, foreign_key)) for r in rows}

    return Ref(name, str | None, description, load, points_to=(target, foreign_key))


def list_ref(
    name: str,
    description: str,
    child: type[SQLModel],
    parent_key: str,
    value: Callable[[Any], Any],
    order_by: Sequence[str],
    value_type: Any = list[str],
) -> Ref:
    """Values of the rows of `child` that point to each row, in `order_by` order."""

    def load(session: Session, rows: Sequence[Any]) -> dict[Any, Any]:
        parent = getattr(child, parent_key)
        ordering = [getattr(child, column) for column in order_by]
        grouped: dict[Any, list[Any]] = {}
        parent_ids: list[Any] = [r.id for r in rows]
        for found in session.exec(select(child).where(parent.in_(parent_ids)).order_by(*ordering)):
            grouped.setdefault(getattr(found, parent_key), []).append(value(found))
        return grouped

    return Ref(name, value_type, description, load, list)


def slugs_by_id(session: Session, model: type[SQLModel], ids: set[Any]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    id_column: Any = model.id  # type: ignore[attr-defined]
    slug_column: Any = model.slug  # type: ignore[attr-defined]
    rows = session.execute(sa.select(id_column, slug_column).where(id_column.in_(wanted)))
    return {row[0]: row[1] for row in rows}


def rows_by_id(session: Session, model: type[SQLModel], ids: set[Any]) -> dict[int, Any]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    id_column: Any = model.id  # type: ignore[attr-defined]
    found: list[Any] = list(session.exec(select(model).where(id_column.in_(wanted))))
    return {r.id: r for r in found}
