"""Counts of a list's rows by one of its fields, under the same filter (OpenAlex's `group_by`).

A list can be grouped by any attribute of its view that is a stored scalar column (a year, a
kind, a flag) and by any reference to one related row (an engine's organization, a run's
device), whose groups are named by the related row's slug. Groups come most frequent first
(ties by key, empty keys last), the first `top` of them, with the number of groups in all.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from api.errors import InvalidInputError, Problem
from api.services.pagination import Page
from api.services.views import View, slugs_by_id
from api.services.vocabulary import Interface, camel

MAX_GROUPINGS = 5
"""Fields one request may group by at once."""
_SCALARS = (str, int, float, bool)


@dataclass(frozen=True)
class Grouping:
    """One field a list can be grouped by."""

    name: str
    """As the interface spells it (the REST key)."""
    column: str
    """The entity's column holding the group key (a foreign key for references)."""
    names_rows_of: type[SQLModel] | None = None
    """For references: the related table, whose slugs name the groups."""


@dataclass(frozen=True)
class Group:
    key: Any
    count: int


@dataclass(frozen=True)
class Groups:
    total: int
    """How many distinct keys the list has (all of them, not only `top`)."""
    top: list[Group]


def groupings(view: View, interface: Interface = Interface.REST) -> dict[str, Grouping]:
    """Every field of `view` a list of it can be grouped by, by name."""
    spell = camel if interface == Interface.GRAPHQL else str
    found: dict[str, Grouping] = {}
    for attr in view.attrs:
        if attr.column is not None and _scalar(attr.type):
            name = spell(attr.spelling(interface))
            found[name] = Grouping(name, attr.column)
    for ref in view.refs:
        if ref.points_to is not None:
            target, foreign_key = ref.points_to
            found[spell(ref.name)] = Grouping(spell(ref.name), foreign_key, target)
    return found


def grouping_named(
    view: View, names: Sequence[str], field: str, interface: Interface = Interface.REST
) -> list[Grouping]:
    """The groupings asked for by name; an unknown name is refused naming the valid ones."""
    known = groupings(view, interface)
    unknown = [name for name in names if name not in known]
    if unknown:
        valid = ", ".join(f"`{name}`" for name in sorted(known))
        raise InvalidInputError(
            "unknown field to group by",
            [
                Problem(f"not a field of this list; groupable: {valid}", field=field, value=name)
                for name in unknown[:MAX_GROUPINGS]
            ],
        )
    if len(names) > MAX_GROUPINGS:
        raise InvalidInputError(
            "too many fields to group by",
            [Problem(f"at most {MAX_GROUPINGS}", field=field, value=len(names))],
        )
    return [known[name] for name in dict.fromkeys(names)]


def group_counts(
    session: Session, view: View, page: Page[Any], grouping: Grouping, top: int
) -> Groups:
    """The rows of `page`'s whole list counted by `grouping`."""
    if isinstance(page.matching, sa.Select):
        total, chosen = _counted_in_database(session, view, page.matching, grouping, top)
    else:
        counted = Counter(getattr(row, grouping.column) for row in page.matching)
        total = len(counted)
        chosen = sorted(
            counted.items(), key=lambda item: (-item[1], item[0] is None, _sortable(item[0]))
        )[:top]
    keys = [key for key, _ in chosen]
    if grouping.names_rows_of is not None:
        slugs = slugs_by_id(session, grouping.names_rows_of, set(keys))
        keys = [slugs.get(key) if key is not None else None for key in keys]
    return Groups(
        total, [Group(_plain(key), count) for key, (_, count) in zip(keys, chosen, strict=True)]
    )


def _counted_in_database(
    session: Session, view: View, matching: sa.Select[Any], grouping: Grouping, top: int
) -> tuple[int, list[tuple[Any, int]]]:
    """The number of groups and the `top` largest, ranked by the database (a field of many
    distinct values, such as a title, costs a grouping pass, never a transfer of every key)."""
    column = getattr(view.model, grouping.column)
    count = sa.func.count()
    grouped = matching.with_only_columns(column, count).group_by(column).order_by(None)
    ranked = grouped.order_by(count.desc(), column.is_(None), column).limit(top)
    chosen = [(key, int(n)) for key, n in session.execute(ranked)]
    keys_only = matching.with_only_columns(column).group_by(column).order_by(None).subquery()
    total = session.execute(sa.select(sa.func.count()).select_from(keys_only)).scalar_one()
    return int(total), chosen


def _scalar(annotation: Any) -> bool:
    options = getattr(annotation, "__args__", (annotation,))
    return all(
        option is type(None)
        or (isinstance(option, type) and (issubclass(option, _SCALARS) or issubclass(option, Enum)))
        for option in options
    )


def _sortable(key: Any) -> tuple[int, Any]:
    return (0, key) if isinstance(key, int | float) and not isinstance(key, bool) else (1, str(key))


def _plain(key: Any) -> Any:
    return key.value if isinstance(key, Enum) else key
