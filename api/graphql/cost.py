"""The static cost of a query: how many objects it may return, known before it runs.

GitHub's GraphQL node limit is the model: a connection may return `first` nodes (the default
page size without it) for each of its parents, so the counts multiply down the nesting. A list
that takes no `first` counts its argument's length (`nodes(ids:)`) or, with nothing to bound
it, the largest page (`max_page_size`). Scalars cost nothing: the object count is what the
response's size and the executor's work grow with.

Only documents that passed validation are measured, so fragment cycles have been rejected.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)

PAGE_ARGUMENT = "first"
IDS_ARGUMENT = "ids"


@dataclass(frozen=True)
class CostModel:
    default_page_size: int
    """What a connection without `first` returns at most."""
    max_page_size: int
    """What a list without a bounding argument counts."""


def cost_variables(document: DocumentNode) -> frozenset[str]:
    """Variables whose values the cost depends on (`first: $n`, `ids: $ids`)."""
    names: set[str] = set()
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        if isinstance(node, FieldNode):
            for argument in node.arguments or ():
                if argument.name.value in (PAGE_ARGUMENT, IDS_ARGUMENT) and isinstance(
                    argument.value, VariableNode
                ):
                    names.add(argument.value.name.value)
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return frozenset(names)


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
    model: CostModel,
) -> int:
    """Most objects `operation` may return with these variable values."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return _Measure(schema, fragments, variables, model).selection_set(
        operation.selection_set, root, None
    )


class _Measure:
    """Objects per instance of a parent type. Linear in the parent's count, so a fragment is
    measured once per page context and reused however often it is spread."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        model: CostModel,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.model = model
        self.memo: dict[tuple[str, int | None], int] = {}

    def selection_set(
        self, selection_set: SelectionSetNode | None, parent: Any, page: int | None
    ) -> int:
        """`page`: the `first` of the connection `parent` is, bounding its lists."""
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, inner, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, page)
        return total

    def field(self, node: FieldNode, parent: Any, page: int | None) -> int:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0  # a union's own fields are meta fields such as __typename
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 0  # __typename and introspection
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            return 0
        if is_list_type(get_nullable_type(definition.type)):
            count = page if page is not None else self.list_bound(node, definition)
            inner_page = None
        else:
            count = 1
            inner_page = self.page_size(node, definition)
        return count * (1 + self.selection_set(node.selection_set, named, inner_page))

    def fragment(self, name: str, page: int | None) -> int:
        key = (name, page)
        if key not in self.memo:
            self.memo[key] = 0  # a cycle (rejected by validation) cannot recurse forever
            definition = self.fragments.get(name)
            if definition is not None:
                parent = self.schema.get_type(definition.type_condition.name.value)
                self.memo[key] = self.selection_set(definition.selection_set, parent, page)
        return self.memo[key]

    def page_size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """The `first` of a connection field (its default when not given), else None."""
        if PAGE_ARGUMENT not in definition.args:
            return None
        value = self.argument(node, PAGE_ARGUMENT)
        if value is None:
            default = definition.args[PAGE_ARGUMENT].default_value
            return default if isinstance(default, int) else self.model.default_page_size
        return self.whole(value)

    def list_bound(self, node: FieldNode, definition: GraphQLField) -> int:
        if IDS_ARGUMENT in definition.args:
            ids = self.argument(node, IDS_ARGUMENT)
            return len(ids) if isinstance(ids, list) else self.model.max_page_size
        size = self.page_size(node, definition)
        return self.model.max_page_size if size is None else size

    def argument(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                return self.value(argument.value)
        return None

    def value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, ListValueNode):
            return list(node.values)
        return None

    def whole(self, value: Any) -> int:
        # A value that is no whole number fails coercion later; it is counted at the most a
        # page may hold so that the budget is never the check that lets it through.
        if isinstance(value, int) and not isinstance(value, bool):
            return max(value, 0)
        return self.model.max_page_size
