"""Compiled plans: a selection over entity rows answered straight from Core rows.

The planned executor still makes one Python object per row and calls one resolver per
relation and parent. For a selection that only reads columns, global ids, `__typename` and
relations described in `api/graphql/relations.py`, a plan compiled once per document does
better, in the way of graphql-jit and Grafast: it knows before running which columns each
level needs, loads every level for all its parents at once (one statement per level and
900 keys, only those columns), and builds the response dictionaries from the row tuples.

Anything a plan cannot answer exactly is `NotCoveredError`: a field it does not know (a derived
value, a resolver with other arguments, an abstract type) when compiling, or, when running,
a null where the schema promises a value or an argument the resolvers would refuse. The
executor then answers that part itself, so errors, their paths and null propagation stay
the executor's. A plan never writes; between requests it keeps only itself (its statements and
the enum values it serialized), never rows.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
)
from graphql.execution.values import get_argument_values

from api.graphql.batch import MAX_BATCH
from api.graphql.context import GraphContext, encode_global_id
from api.graphql.leaves import leaf
from api.graphql.relations import Children, Reference, RowRelation, Shape, Through, row_relation
from api.graphql.strawberry_bridge import FieldResolver
from api.graphql.types import NODE_TYPES, Node
from api.services.pagination import PageRequest, slice_page

Collect = Callable[[GraphQLObjectType, list[FieldNode]], dict[str, list[FieldNode]]]
ResolverOf = Callable[[GraphQLField], FieldResolver]
Convert = Callable[[FieldResolver, dict[str, Any]], dict[str, Any]]

_COLUMN, _RELATION, _TYPENAME, _ID = range(4)
_CONNECTION_ARGUMENTS = {"first", "after"}


class NotCoveredError(Exception):
    """The plan cannot answer this selection exactly; the executor answers it instead."""


@dataclass(eq=False)
class ObjectPlan:
    """What to produce for each row of one object type under one selection."""

    type_name: str
    table: sa.Table
    columns: list[str]
    """Shared by every plan over the same rows: a row is a tuple in this order, id first."""
    fields: list[tuple[int, str, Any, Any, Any]] = field(default_factory=list)
    """(kind, response key, and per kind: column index, non-null, serializer; the relation
    step; the type name)."""
    relations: list["RelationStep"] = field(default_factory=list)


@dataclass(eq=False)
class RelationStep:
    """One relation field: how its rows are loaded and which plans read them."""

    spec: RowRelation
    definition: GraphQLField
    node: FieldNode
    resolver: FieldResolver
    parent_index: int
    """Where the parent row holds the key: its id, or the foreign key of a `Reference`."""
    non_null: bool
    columns: list[str]
    child: ObjectPlan | None = None
    """The plan for ONE and LIST shapes."""
    outputs: list[tuple[str, ObjectPlan | None]] = field(default_factory=list)
    """A connection's response keys: the `nodes` plan, or None for `__typename`."""
    connection_type: str = ""
    statement: Any = None

    def plans(self) -> list[ObjectPlan]:
        if self.child is not None:
            return [self.child]
        return [plan for _, plan in self.outputs if plan is not None]


class Compiler:
    """Compiles selections of one document; `collect` is the executor's field collection."""

    def __init__(self, collect: Collect, resolver_of: ResolverOf) -> None:
        self._collect = collect
        self._resolver_of = resolver_of

    def object_plan(
        self, object_type: GraphQLObjectType, nodes: list[FieldNode], columns: list[str]
    ) -> ObjectPlan:
        known = NODE_TYPES.get(object_type.name)
        if known is None:
            raise NotCoveredError(object_type.name)
        table = known[0].__table__
        if not columns:
            columns.append("id")
        plan = ObjectPlan(object_type.name, table, columns)
        for key, field_nodes in self._collect(object_type, nodes).items():
            name = field_nodes[0].name.value
            if name == "__typename":
                plan.fields.append((_TYPENAME, key, object_type.name, None, None))
                continue
            definition = object_type.fields[name]
            found = leaf(definition)
            if found is not None:
                plan.fields.append(self._leaf_field(plan, key, definition, found))
                continue
            step = self._relation(plan, definition, field_nodes)
            plan.relations.append(step)
            plan.fields.append((_RELATION, key, step, None, None))
        return plan

    def _leaf_field(
        self, plan: ObjectPlan, key: str, definition: GraphQLField, found: Any
    ) -> tuple[int, str, Any, Any, Any]:
        resolver = self._resolver_of(definition)
        if resolver.call is Node.id:
            return (_ID, key, plan.type_name, None, None)
        if resolver.call is not None or resolver.python_name not in plan.table.c:
            raise NotCoveredError(f"{plan.type_name}.{resolver.python_name}")
        index = _column_index(plan.columns, resolver.python_name)
        serialize = found.serialize
        if isinstance(_nullable(definition.type), GraphQLEnumType):
            serialize = _memoized(serialize)
        return (_COLUMN, key, index, found.non_null, serialize)

    def _relation(
        self,
        plan: ObjectPlan,
        definition: GraphQLField,
        nodes: list[FieldNode],
    ) -> RelationStep:
        resolver = self._resolver_of(definition)
        spec = row_relation(resolver.call)
        if spec is None:
            raise NotCoveredError(f"{plan.type_name}.{resolver.python_name}")
        allowed = set()
        if spec.shape is Shape.CONNECTION:
            allowed |= _CONNECTION_ARGUMENTS
        if spec.status_filter:
            allowed.add("status")
        if not set(definition.args) <= allowed:
            raise NotCoveredError(f"{plan.type_name}.{resolver.python_name}: arguments")
        relation = spec.relation
        parent_column = relation.column if isinstance(relation, Reference) else "id"
        if parent_column not in plan.table.c:
            raise NotCoveredError(f"{plan.type_name}.{parent_column}")
        field_type: GraphQLOutputType = definition.type
        non_null = isinstance(field_type, GraphQLNonNull)
        step = RelationStep(
            spec,
            definition,
            nodes[0],
            resolver,
            _column_index(plan.columns, parent_column),
            non_null,
            ["id"],
        )
        inner = _nullable(field_type)
        if spec.shape is Shape.ONE:
            step.child = self.object_plan(_object_type(inner), nodes, step.columns)
        elif spec.shape is Shape.LIST:
            if not isinstance(inner, GraphQLList):
                raise NotCoveredError(f"{plan.type_name}.{resolver.python_name}: not a list")
            step.child = self.object_plan(
                _object_type(_nullable(inner.of_type)), nodes, step.columns
            )
        else:
            self._connection(step, _object_type(inner), nodes)
        if spec.status_filter:
            _column_index(step.columns, "status")
        return step

    def _connection(
        self, step: RelationStep, connection: GraphQLObjectType, nodes: list[FieldNode]
    ) -> None:
        """A connection answered with `nodes` (and `__typename`) only."""
        step.connection_type = connection.name
        for key, field_nodes in self._collect(connection, nodes).items():
            name = field_nodes[0].name.value
            if name == "__typename":
                step.outputs.append((key, None))
                continue
            if name != "nodes":
                raise NotCoveredError(f"{connection.name}.{name}")
            item = _nullable(connection.fields["nodes"].type)
            assert isinstance(item, GraphQLList)
            node_type = _object_type(_nullable(item.of_type))
            step.outputs.append((key, self.object_plan(node_type, field_nodes, step.columns)))


def _nullable(field_type: Any) -> Any:
    return field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type


def _object_type(field_type: Any) -> GraphQLObjectType:
    if not isinstance(field_type, GraphQLObjectType):
        raise NotCoveredError(str(field_type))
    return field_type


def _column_index(columns: list[str], name: str) -> int:
    if name not in columns:
        columns.append(name)
    return columns.index(name)


def _memoized(serialize: Any) -> Any:
    """Enum values repeat and are few: each is serialized once per plan."""
    known: dict[Any, Any] = {}

    def cached(value: Any) -> Any:
        try:
            return known[value]
        except KeyError:
            result = known[value] = serialize(value)
            return result

    return cached


# --- running ------------------------------------------------------------------------------


@dataclass
class PlanRun:
    """One request's use of compiled plans: what was loaded, and the dictionaries built."""

    context: GraphContext
    variables: Any
    """graphql-core's coerced variable values."""
    convert: Convert
    loaded: dict[int, dict[Hashable, Any]] = field(default_factory=dict)
    pages: dict[int, tuple[PageRequest | None, Any]] = field(default_factory=dict)
    memo: dict[tuple[int, Hashable], dict[str, Any]] = field(default_factory=dict)

    def answer(self, plan: ObjectPlan, sources: list[Any]) -> list[dict[str, Any]]:
        """The completed objects for `sources` (rows, as resolvers return them wrapped)."""
        rows = [tuple(getattr(row, name) for name in plan.columns) for row in sources]
        if any(row[0] is None for row in rows):  # built dictionaries are kept by row id
            raise NotCoveredError(f"a {plan.type_name} without an id")
        self._load(plan, rows)
        return [self._emit(plan, row) for row in rows]

    # phase 1: load every relation of a level for all its rows, then the next level

    def _load(self, plan: ObjectPlan, rows: list[Any]) -> None:
        for step in plan.relations:
            loaded = self.loaded.setdefault(id(step), {})
            index = step.parent_index
            keys = list(
                dict.fromkeys(
                    key for row in rows if (key := row[index]) is not None and key not in loaded
                )
            )
            if not keys:
                continue
            found = self._fetch(step, keys)
            children: list[Any] = []
            if step.spec.shape is Shape.ONE:
                for key in keys:
                    target = loaded[key] = found.get(key)
                    if target is not None:
                        children.append(target)
            else:
                request, status = self._arguments(step)
                status_index = step.columns.index("status") if step.spec.status_filter else 0
                for key in keys:
                    items = found.get(key, [])
                    if status is not None:
                        items = [r for r in items if r[status_index] == status]
                    if request is not None:
                        items = slice_page(items, request).items
                    loaded[key] = items
                    children.extend(items)
            for child_plan in step.plans():
                self._load(child_plan, children)

    def _arguments(self, step: RelationStep) -> tuple[PageRequest | None, Any]:
        """The page and status a list relation is read with, once per request."""
        known = self.pages.get(id(step))
        if known is None:
            raw = get_argument_values(step.definition, step.node, self.variables)
            kwargs = self.convert(step.resolver, raw) if raw else {}
            request = None
            if step.spec.shape is Shape.CONNECTION:
                # The same check as the resolvers' `list_connection`; a refusal is NotCoveredError.
                try:
                    request = self.context.page(kwargs.get("first"), kwargs.get("after"))
                    slice_page([], request)  # a cursor that does not decode
                except Exception as error:
                    raise NotCoveredError(str(error)) from error
            known = self.pages[id(step)] = (request, kwargs.get("status"))
        return known

    def _fetch(self, step: RelationStep, keys: list[Any]) -> dict[Hashable, Any]:
        if step.statement is None:
            step.statement = _statement(step)
        connection = self.context.session.connection()
        found: dict[Hashable, Any] = {}
        grouped = step.spec.shape is not Shape.ONE
        for start in range(0, len(keys), MAX_BATCH):
            result = connection.execute(step.statement, {"keys": keys[start : start + MAX_BATCH]})
            if grouped:
                for row in result:
                    found.setdefault(row[-1], []).append(row)
            else:
                for row in result:
                    found[row[0]] = row
        return found

    # phase 2: build the dictionaries top-down, each row's once per plan

    def _emit(self, plan: ObjectPlan, row: Any) -> dict[str, Any]:
        memo_key = (id(plan), row[0])
        known = self.memo.get(memo_key)
        if known is not None:
            return known
        result: dict[str, Any] = {}
        for kind, key, first, second, third in plan.fields:
            if kind == _COLUMN:
                value = row[first]
                if value is None:
                    if second:
                        raise NotCoveredError(f"null for non-null {plan.type_name}.{key}")
                    result[key] = None
                else:
                    result[key] = value if third is None else third(value)
            elif kind == _RELATION:
                result[key] = self._relation(first, row)
            elif kind == _TYPENAME:
                result[key] = first
            else:
                result[key] = encode_global_id(first, row[0])
        self.memo[memo_key] = result
        return result

    def _relation(self, step: RelationStep, row: Any) -> Any:
        key = row[step.parent_index]
        value = None if key is None else self.loaded[id(step)].get(key)
        if step.child is not None and step.spec.shape is Shape.ONE:
            if value is None:
                if step.non_null:
                    raise NotCoveredError(f"null for non-null {step.node.name.value}")
                return None
            return self._emit(step.child, value)
        items = value or []
        if step.child is not None:
            return [self._emit(step.child, item) for item in items]
        return {
            key: step.connection_type if plan is None else [self._emit(plan, i) for i in items]
            for key, plan in step.outputs
        }


def _statement(step: RelationStep) -> Any:
    """The statement loading a relation for a list of keys (bound as `keys`)."""
    relation = step.spec.relation
    keys: sa.BindParameter[Any] = sa.bindparam("keys", expanding=True)
    target: sa.Table = relation.model.__table__
    wanted = [target.c[name] for name in step.columns]
    if isinstance(relation, Reference):
        return sa.select(*wanted).where(target.c.id.in_(keys))
    if isinstance(relation, Children):
        parent = target.c[relation.parent_column]
        ordering = [target.c[name] for name in relation.order_by]
        return sa.select(*wanted, parent).where(parent.in_(keys)).order_by(*ordering)
    assert isinstance(relation, Through)
    link: sa.Table = relation.link.__table__
    parent = link.c[relation.parent_column]
    tables = {"link": link, "target": target}
    return (
        sa.select(*wanted, parent)
        .select_from(link.join(target, target.c.id == link.c[relation.target_column]))
        .where(parent.in_(keys))
        .order_by(*(tables[side].c[name] for side, name in relation.order_by))
    )
