"""Planned execution: a lean GraphQL executor for validated queries against our schema.

graphql-core resolves every field through a generic machinery that costs tens of
microseconds per field; the whole-graph query has ~27,000 fields. Here a field is a
`getattr` or one call of its strawberry resolver, field collection (fragments, type
conditions) is computed once per document and type, and values are completed by type.
Semantics follow the GraphQL spec for what queries use: aliases, fragments, inline
fragments on abstract types, @skip/@include, variables, non-null propagation of field
errors. Introspection (`__schema`, `__type`) goes to graphql-core, which is the reference.
"""

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    is_abstract_type,
)
from graphql.execution.values import get_argument_values, get_directive_values
from graphql.language import visit
from graphql.language.visitor import BREAK, Visitor
from graphql.type import GraphQLIncludeDirective, GraphQLSkipDirective
from strawberry import Schema

from api.graphql.compiled import Compiler, NotCoveredError, ObjectPlan, PlanRun
from api.graphql.context import GraphContext
from api.graphql.leaves import LEAF_TYPES, NOT_LEAF, Leaf
from api.graphql.leaves import leaf as leaf_of
from api.graphql.plan_cache import PlanCache, PlanKey
from api.graphql.strawberry_bridge import (
    FieldResolver,
    convert_arguments,
    core_schema,
    field_resolver,
    type_name,
)

Path = tuple[Any, ...] | None  # (parent path, key): built into a list only for errors


class _NullPropagationError(Exception):
    """A non-null field became null; the nearest nullable ancestor becomes null instead."""


@dataclass
class _Info:
    """What our resolvers use of strawberry's `Info`: the per-request context."""

    context: Any


@dataclass
class _Run:
    variables: Any
    info: _Info
    fragments: dict[str, FragmentDefinitionNode]
    errors: list[GraphQLError] = field(default_factory=list)
    collected: dict[tuple[str, tuple[int, ...]], dict[str, list[FieldNode]]] = field(
        default_factory=dict
    )
    arguments: dict[int, dict[str, Any]] = field(default_factory=dict)
    plans: dict[tuple[Any, ...], list[Any]] = field(default_factory=dict)
    memo: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)
    """Converted arguments per field node: siblings share the node, so convert once."""
    compiled: dict[PlanKey, ObjectPlan | None] = field(default_factory=dict)
    plan_run: PlanRun | None = None
    failed: set[PlanKey] = field(default_factory=set)
    """Compiled plans that met what they cannot answer in this request."""


def uses_introspection(document: DocumentNode) -> bool:
    class Finder(Visitor):
        found = False

        def enter_field(self, node: FieldNode, *_: Any) -> Any:
            if node.name.value in ("__schema", "__type"):
                self.found = True
                return BREAK
            return None

    finder = Finder()
    visit(document, finder)
    return finder.found


class PlannedExecutor:
    def __init__(self, schema: Schema) -> None:
        self._strawberry_schema = schema
        self.schema: GraphQLSchema = core_schema(schema)
        query_type = self.schema.query_type
        assert query_type is not None
        self.query_type: GraphQLObjectType = query_type
        self._resolvers: dict[int, FieldResolver] = {}
        self._plan_cache = PlanCache()

    def execute(
        self,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Any,
        context: Any,
        document_key: Hashable | None = None,
    ) -> tuple[dict[str, Any] | None, list[GraphQLError]]:
        """Run a validated query operation; `variables` are graphql-core's coerced values.

        `document_key` (the document's text and the operation's name) keeps the compiled
        plans of the document for the next request with the same key."""
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        run = _Run(variables, _Info(context), fragments)
        if isinstance(context, GraphContext):
            run.compiled = self._plan_cache.plans(document_key, document, variables)
            run.plan_run = PlanRun(context, variables, self._convert)
        try:
            data = self._object(run, None, self.query_type, [_root_field(operation)], None)
        except _NullPropagationError:
            data = None
        return data, run.errors

    def cached_plans(self, document_key: Hashable) -> list[list[ObjectPlan | None]]:
        """The compiled plans kept for a document (None for selections no plan covers)."""
        return self._plan_cache.cached(document_key)

    # --- fields -----------------------------------------------------------------------

    def _object(
        self,
        run: _Run,
        source: Any,
        object_type: GraphQLObjectType,
        field_nodes: list[FieldNode],
        path: Path,
    ) -> dict[str, Any]:
        plan_key, plan = self._plan(run, object_type, field_nodes)
        # A node (a row) under the same selection yields the same subtree wherever it appears
        # in the response; the whole-graph query meets each paper dozens of times.
        memo_key = (plan_key, source._pk) if hasattr(source, "_pk") else None
        if memo_key is not None:
            known = run.memo.get(memo_key)
            if known is not None:
                return known
        errors_before = len(run.errors)
        result: dict[str, Any] = {}
        # An entity object wraps its row (api/graphql/entities.py): its plain fields are the
        # row's columns, read from the row itself rather than through the object's fallback.
        attributes = getattr(source, "__dict__", {}).get("_row", source)
        for key, nodes, attribute, leaf in plan:
            if attribute is None:
                result[key] = self._field(run, source, object_type, nodes, (path, key))
                continue
            # Fast path: a plain attribute of a scalar or enum type.
            value = getattr(attributes, attribute)
            if value is None:
                if leaf.non_null:
                    result[key] = self._field(run, source, object_type, nodes, (path, key))
                else:
                    result[key] = None
            else:
                result[key] = value if leaf.serialize is None else leaf.serialize(value)
        if memo_key is not None and len(run.errors) == errors_before:
            run.memo[memo_key] = result
        return result

    def _plan(
        self, run: _Run, object_type: GraphQLObjectType, field_nodes: list[FieldNode]
    ) -> tuple[tuple[Any, ...], list[tuple[str, list[FieldNode], str | None, Leaf]]]:
        """The fields to produce for this object: collected once per type and selection."""
        key = (
            (object_type.name, id(field_nodes[0]))
            if len(field_nodes) == 1
            else (object_type.name, *(id(node) for node in field_nodes))
        )
        plan = run.plans.get(key)
        if plan is None:
            plan = []
            for response_key, nodes in self._collect(run, object_type, field_nodes).items():
                name = nodes[0].name.value
                definition = object_type.fields.get(name)
                found = leaf_of(definition) if definition is not None else None
                attribute = None
                if found is not None and definition is not None:
                    resolver = self._resolver(definition)
                    if resolver.call is None:
                        attribute = resolver.python_name
                plan.append((response_key, nodes, attribute, found or NOT_LEAF))
            run.plans[key] = plan
        return key, plan

    def _field(
        self,
        run: _Run,
        source: Any,
        parent: GraphQLObjectType,
        nodes: list[FieldNode],
        path: Path,
    ) -> Any:
        name = nodes[0].name.value
        if name == "__typename":
            return parent.name
        definition: GraphQLField = parent.fields[name]
        try:
            value = self._resolve(run, source, definition, nodes[0])
            return self._complete(run, definition.type, nodes, value, path)
        except _NullPropagationError:
            if isinstance(definition.type, GraphQLNonNull):
                raise
            return None
        except Exception as error:
            run.errors.append(_field_error(error, nodes, path))
            if isinstance(definition.type, GraphQLNonNull):
                raise _NullPropagationError from error
            return None

    def _resolver(self, definition: GraphQLField) -> FieldResolver:
        resolver = self._resolvers.get(id(definition))
        if resolver is None:
            resolver = self._resolvers[id(definition)] = field_resolver(definition)
        return resolver

    def _resolve(self, run: _Run, source: Any, definition: GraphQLField, node: FieldNode) -> Any:
        resolver = self._resolver(definition)
        if resolver.call is None:
            return getattr(source, resolver.python_name)
        kwargs = run.arguments.get(id(node))
        if kwargs is None:
            raw = get_argument_values(definition, node, run.variables) if definition.args else {}
            kwargs = convert_arguments(self._strawberry_schema, resolver, raw)
            run.arguments[id(node)] = kwargs
        if resolver.info_argument is not None:
            kwargs = {**kwargs, resolver.info_argument: run.info}
        if resolver.passes_self:
            return resolver.call(source, **kwargs)
        return resolver.call(**kwargs)

    def _convert(self, resolver: FieldResolver, raw: dict[str, Any]) -> dict[str, Any]:
        return convert_arguments(self._strawberry_schema, resolver, raw)

    def _compiled(
        self, run: _Run, object_type: GraphQLObjectType, nodes: list[FieldNode], sources: Any
    ) -> list[dict[str, Any]] | None:
        """The objects for `sources` (entity objects) from a compiled plan, or None when
        no plan covers the selection; the caller then completes them field by field."""
        if run.plan_run is None:
            return None
        key = (object_type.name, *(id(node) for node in nodes))
        if key in run.compiled:
            plan = run.compiled[key]
        else:
            compiler = Compiler(lambda t, n: self._collect(run, t, n), self._resolver)
            try:
                plan = compiler.object_plan(object_type, nodes, [])
            except NotCoveredError:
                plan = None
            run.compiled[key] = plan
        if plan is None or key in run.failed:
            return None
        try:
            return run.plan_run.answer(plan, [source.__dict__["_row"] for source in sources])
        except sa.exc.SQLAlchemyError:
            # The database failed (a timeout, a lost connection): retrying field by field on
            # the same transaction would only fail again, so it is this field's error.
            raise
        except Exception:
            # NotCoveredError, or an error the field-by-field path reports with its path.
            run.failed.add(key)
            return None

    # --- completion --------------------------------------------------------------------

    def _complete(
        self,
        run: _Run,
        return_type: GraphQLOutputType,
        nodes: list[FieldNode],
        value: Any,
        path: Path,
    ) -> Any:
        if isinstance(return_type, GraphQLNonNull):
            completed = self._complete(run, return_type.of_type, nodes, value, path)
            if completed is None:
                raise TypeError(f"Cannot return null for non-nullable field {nodes[0].name.value}.")
            return completed
        if value is None:
            return None
        if isinstance(return_type, GraphQLList):
            item_type = return_type.of_type
            item_object = _entity_items(item_type, value)
            if item_object is not None:
                compiled = self._compiled(run, item_object, nodes, value)
                if compiled is not None:
                    return compiled
            items = []
            for index, item in enumerate(value):
                items.append(self._item(run, item_type, nodes, item, (path, index)))
            return items
        if isinstance(return_type, LEAF_TYPES):
            return return_type.serialize(value)
        if is_abstract_type(return_type):
            runtime = self._runtime_type(return_type, value)
            return self._object(run, value, runtime, nodes, path)
        assert isinstance(return_type, GraphQLObjectType)
        if "_row" in getattr(value, "__dict__", ()):
            compiled = self._compiled(run, return_type, nodes, [value])
            if compiled is not None:
                return compiled[0]
        return self._object(run, value, return_type, nodes, path)

    def _item(
        self, run: _Run, item_type: GraphQLOutputType, nodes: list[FieldNode], item: Any, path: Path
    ) -> Any:
        try:
            return self._complete(run, item_type, nodes, item, path)
        except _NullPropagationError:
            if isinstance(item_type, GraphQLNonNull):
                raise
            return None
        except Exception as error:
            run.errors.append(_field_error(error, nodes, path))
            if isinstance(item_type, GraphQLNonNull):
                raise _NullPropagationError from error
            return None

    def _runtime_type(self, abstract: GraphQLAbstractType, value: Any) -> GraphQLObjectType:
        name = type_name(value)
        runtime = self.schema.get_type(name)
        if not isinstance(runtime, GraphQLObjectType) or not self.schema.is_sub_type(
            abstract, runtime
        ):
            raise TypeError(f"{name} is not a possible type of {abstract.name}")
        return runtime

    # --- field collection ----------------------------------------------------------------

    def _collect(
        self, run: _Run, object_type: GraphQLObjectType, field_nodes: list[FieldNode]
    ) -> dict[str, list[FieldNode]]:
        key = (object_type.name, tuple(id(node) for node in field_nodes))
        collected = run.collected.get(key)
        if collected is None:
            collected = {}
            for node in field_nodes:
                if node.selection_set is not None:
                    self._collect_set(run, object_type, node.selection_set, collected, set())
            run.collected[key] = collected
        return collected

    def _collect_set(
        self,
        run: _Run,
        object_type: GraphQLObjectType,
        selection_set: SelectionSetNode,
        collected: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(run, selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                collected.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection.type_condition, object_type):
                    self._collect_set(run, object_type, selection.selection_set, collected, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = run.fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if self._applies(fragment.type_condition, object_type):
                    self._collect_set(run, object_type, fragment.selection_set, collected, visited)

    def _applies(self, condition: Any, object_type: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        conditional = self.schema.get_type(condition.name.value)
        if conditional is object_type:
            return True
        return is_abstract_type(conditional) and self.schema.is_sub_type(
            conditional,
            object_type,
        )

    def _included(self, run: _Run, node: Any) -> bool:
        if not node.directives:
            return True
        skip = get_directive_values(GraphQLSkipDirective, node, run.variables)
        if skip and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, run.variables)
        return not (include and include.get("if") is False)


def _entity_items(item_type: GraphQLOutputType, value: Any) -> GraphQLObjectType | None:
    """The object type of a non-empty list of entity objects (rows wrapped by `wrap`)."""
    if isinstance(item_type, GraphQLNonNull):
        item_type = item_type.of_type
    if not isinstance(item_type, GraphQLObjectType) or not value:
        return None
    if all("_row" in getattr(item, "__dict__", ()) for item in value):
        return item_type
    return None


def _root_field(operation: OperationDefinitionNode) -> FieldNode:
    """A synthetic field whose selection set is the operation's, so the root is an object."""
    from graphql import NameNode

    return FieldNode(name=NameNode(value="__root"), selection_set=operation.selection_set)


def _field_error(error: Exception, nodes: list[FieldNode], path: Path) -> GraphQLError:
    keys: list[Any] = []
    while path is not None:
        path, key = path
        keys.append(key)
    if isinstance(error, GraphQLError) and error.original_error is not None:
        error = error.original_error
    return GraphQLError(str(error), nodes, path=list(reversed(keys)), original_error=error)
