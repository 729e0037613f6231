"""Per-request batching without N+1, for synchronous execution.

Every object the response builds announces its id (and the ids it points to). The first
time a resolver asks for a relation of one object, the relation is loaded in one query for
every announced object of that type that has not been loaded yet — its siblings. The number
of statements then depends on the shape of the query, not on the number of rows.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

Model = TypeVar("Model", bound=SQLModel)
V = TypeVar("V")


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


# Stays far below SQLite's bound-parameter limit while keeping batches large.
MAX_BATCH = 900


class Batch:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._announced: dict[str, dict[Hashable, None]] = defaultdict(dict)
        self._loaded: dict[str, dict[Hashable, Any]] = defaultdict(dict)

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
        fetch: Callable[[Session, list[Any]], dict[Any, V]],
        default: Callable[[], V],
    ) -> V:
        """`relation` of the object `kind`/`key`, loading it for all announced siblings."""
        loaded = self._loaded[relation]
        if key not in loaded:
            wanted = [k for k in self._announced[kind] if k not in loaded]
            if key not in self._announced[kind]:
                wanted.append(key)
            for start in range(0, len(wanted), MAX_BATCH):
                chunk = wanted[start : start + MAX_BATCH]
                found = fetch(self.session, chunk)
                for k in chunk:
                    loaded[k] = found[k] if k in found else default()
                self._announce_loaded(found.values())
        result: V = loaded[key]
        return result

    def _announce_loaded(self, values: Iterable[Any]) -> None:
        """Rows just loaded, and the rows they point to, become siblings of their kind: the
        next level of the query then loads for all of them at once, not per parent."""
        for value in values:
            for row in value if isinstance(value, list) else [value]:
                if not isinstance(row, SQLModel):
                    continue
                self._announced[type(row).__name__].setdefault(getattr(row, "id", None))
                for column, target in _foreign_keys(type(row)):
                    key = getattr(row, column)
                    if key is not None:
                        self._announced[target].setdefault(key)

    def by_id(self, model: type[Model], key: int) -> Model | None:
        """A row by primary key; ids announced under the model's name load together."""
        id_column: Any = model.id  # type: ignore[attr-defined]

        def fetch(session: Session, keys: list[int]) -> dict[int, Model | None]:
            rows = session.exec(select(model).where(col(id_column).in_(keys)))
            return {row.id: row for row in rows}  # type: ignore[attr-defined]

        def missing() -> Model | None:
            return None

        return self.load(f"{model.__name__}#id", model.__name__, key, fetch, missing)

    def children(
        self,
        relation: str,
        kind: str,
        key: int,
        model: type[Model],
        parent_column: str,
        order_by: Sequence[Any] = (),
        where: Sequence[Any] = (),
    ) -> list[Model]:
        """Rows of `model` whose `parent_column` is the object's id, for all siblings at once."""

        def fetch(session: Session, keys: list[int]) -> dict[int, list[Model]]:
            parent = getattr(model, parent_column)
            grouped: dict[int, list[Model]] = defaultdict(list)
            statement = select(model).where(parent.in_(keys), *where).order_by(*order_by)
            for row in session.exec(statement):
                grouped[getattr(row, parent_column)].append(row)
            return grouped

        return self.load(relation, kind, key, fetch, list)
