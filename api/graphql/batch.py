"""Per-request batching without N+1, for synchronous execution.

Every object the response builds announces its id (and the ids it points to). The first
time a resolver asks for a relation of one object, the relation is loaded in one query for
every announced object of that type that has not been loaded yet — its siblings. The number
of statements then depends on the shape of the query, not on the number of rows.

Rows are loaded with SQLAlchemy Core: read-only rows with the table's columns as
attributes, without the cost of ORM identity tracking on tens of thousands of rows.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

Fetch = Callable[[Session, list[Any]], dict[Any, Any]]

# Stays far below SQLite's bound-parameter limit while keeping batches large.
MAX_BATCH = 900


@cache
def _foreign_keys(model: type[SQLModel]) -> list[tuple[str, str]]:
    """(column, target model name) of every foreign key of a table model."""
    table = sa.inspect(model).local_table
    names = {
        mapper.persist_selectable.description: mapper.class_.__name__
        for mapper in SQLModel._sa_registry.mappers
    }
    return [
        (column.name, names[foreign_key.column.table.description])
        for column in table.columns
        for foreign_key in column.foreign_keys
    ]


def _table(model: type[SQLModel]) -> sa.Table:
    table = sa.inspect(model).local_table
    assert isinstance(table, sa.Table)
    return table


@cache
def _by_id_fetch(model: type[SQLModel]) -> Fetch:
    table = _table(model)

    def fetch(session: Session, keys: list[Any]) -> dict[Any, Any]:
        rows = session.connection().execute(sa.select(table).where(table.c.id.in_(keys)))
        return {row.id: row for row in rows}

    return fetch


def _none() -> None:
    return None


class Batch:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._announced: dict[str, dict[Hashable, None]] = defaultdict(dict)
        self._loaded: dict[str, dict[Hashable, Any]] = defaultdict(dict)
        self._fetches: dict[str, Fetch] = {}

    def announce(self, kind: str, keys: Iterable[Hashable | None]) -> None:
        bucket = self._announced[kind]
        for key in keys:
            if key is not None:
                bucket[key] = None

    def load(
        self,
        relation: str,
        kind: str,
        key: Hashable,
        fetch: Fetch,
        default: Callable[[], Any],
        model: type[SQLModel] | None = None,
    ) -> Any:
        """`relation` of the object `kind`/`key`, loading it for all announced siblings.

        `model` is the table of the loaded rows, whose ids and foreign keys are announced in
        turn so the next level of the query batches as well.
        """
        loaded = self._loaded[relation]
        if key in loaded:
            return loaded[key]
        wanted = [k for k in self._announced[kind] if k not in loaded]
        if key not in self._announced[kind]:
            wanted.append(key)
        for start in range(0, len(wanted), MAX_BATCH):
            chunk = wanted[start : start + MAX_BATCH]
            found = fetch(self.session, chunk)
            for k in chunk:
                loaded[k] = found[k] if k in found else default()
            if model is not None:
                self._announce_rows(model, found.values())
        return loaded[key]

    def announce_rows(self, model: type[SQLModel], values: Iterable[Any]) -> list[Any]:
        """Rows loaded elsewhere (top-level lists, lookups) join the batches too."""
        rows = list(values)
        self._announce_rows(model, rows)
        return rows

    def _announce_rows(self, model: type[SQLModel], values: Iterable[Any]) -> None:
        """Rows just loaded, and the rows they point to, become siblings of their kind: the
        next level of the query then loads for all of them at once, not per parent."""
        own = self._announced[model.__name__]
        targets = [(column, self._announced[target]) for column, target in _foreign_keys(model)]
        for value in values:
            for row in value if isinstance(value, list) else (value,):
                if row is None:
                    continue
                row_id = getattr(row, "id", None)
                if row_id is not None:
                    own.setdefault(row_id)
                for column, bucket in targets:
                    target_key = getattr(row, column)
                    if target_key is not None:
                        bucket.setdefault(target_key)

    def by_id(self, model: type[SQLModel], key: int) -> Any:
        """The row of `model` with this id (a Core row), or None."""
        relation = f"{model.__name__}#id"
        loaded = self._loaded[relation]
        if key in loaded:
            return loaded[key]
        return self.load(relation, model.__name__, key, _by_id_fetch(model), _none, model)

    def children(
        self,
        relation: str,
        kind: str,
        key: int,
        model: type[SQLModel],
        parent_column: str,
        order_by: Sequence[str] = (),
        where: Callable[[sa.Table], Sequence[sa.ColumnElement[bool]]] | None = None,
    ) -> list[Any]:
        """Rows of `model` whose `parent_column` is the object's id, for all siblings at once."""
        loaded = self._loaded[relation]
        if key in loaded:
            result: list[Any] = loaded[key]
            return result
        fetch = self._fetches.get(relation)
        if fetch is None:
            fetch = self._fetches[relation] = _children_fetch(model, parent_column, order_by, where)
        return list(self.load(relation, kind, key, fetch, list, model))

    def rows(self, relation: str, kind: str, key: int, fetch: Fetch, model: type[SQLModel]) -> Any:
        """A custom relation (e.g. through a join table); `fetch` groups rows by parent key."""
        loaded = self._loaded[relation]
        if key in loaded:
            return loaded[key]
        return self.load(relation, kind, key, fetch, list, model)


def _children_fetch(
    model: type[SQLModel],
    parent_column: str,
    order_by: Sequence[str],
    where: Callable[[sa.Table], Sequence[sa.ColumnElement[bool]]] | None,
) -> Fetch:
    table = _table(model)
    parent = table.c[parent_column]
    conditions = list(where(table)) if where else []
    ordering = [table.c[name] for name in order_by]

    def fetch(session: Session, keys: list[Any]) -> dict[Any, Any]:
        grouped: dict[Any, list[Any]] = defaultdict(list)
        statement = sa.select(table).where(parent.in_(keys), *conditions).order_by(*ordering)
        for row in session.connection().execute(statement):
            grouped[getattr(row, parent_column)].append(row)
        return grouped

    return fetch
