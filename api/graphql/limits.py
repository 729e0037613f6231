"""Abuse limits checked before execution: depth and aliases (token count is enforced by the
parser, document size by the HTTP layer), and the cost budget (`check_cost`). Runs only on
documents that passed standard validation, so fragment cycles have already been rejected and
cannot loop here."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from api.graphql.cost import CostModel, query_cost
from api.services.pagination import DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class Limits:
    max_document_bytes: int = 100_000
    max_tokens: int = 15_000
    max_depth: int = 20
    max_aliases: int = 50
    max_page_size: int = 500
    max_list_values: int = 50
    max_cost: int = 500_000
    """Most objects a query may return by its static cost (`api/graphql/cost.py`)."""
    max_response_bytes: int = 32 * 2**20


def check_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
    limits: Limits,
) -> tuple[int, GraphQLError | None]:
    """The operation's cost, and the error refusing it when it exceeds the budget."""
    model = CostModel(DEFAULT_PAGE_SIZE, limits.max_page_size)
    cost = query_cost(schema, document, operation, variables, model)
    if cost <= limits.max_cost:
        return cost, None
    name = operation.name.value if operation.name else "anonymous operation"
    return cost, GraphQLError(
        f"'{name}' may return {cost} objects; the limit is {limits.max_cost}. "
        "Ask for smaller pages (`first`) or fewer nested lists, and page through the rest.",
        operation,
        extensions={"code": "query_too_costly", "cost": cost, "limit": limits.max_cost},
    )


def check_limits(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    measure = _Measure(
        {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    )
    errors: list[GraphQLError] = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        name = definition.name.value if definition.name else "anonymous operation"
        depth, aliases = measure.selection_set(definition.selection_set)
        if depth > limits.max_depth:
            errors.append(
                GraphQLError(
                    f"'{name}' is {depth} levels deep; the limit is {limits.max_depth}.",
                    definition,
                    extensions={"code": "query_too_deep", "limit": limits.max_depth},
                )
            )
        if aliases > limits.max_aliases:
            errors.append(
                GraphQLError(
                    f"'{name}' uses {aliases} aliases; the limit is {limits.max_aliases}.",
                    definition,
                    extensions={"code": "too_many_aliases", "limit": limits.max_aliases},
                )
            )
    return errors


class _Measure:
    """Depth and alias count of selection sets, through fragments.

    Each fragment is measured once and remembered, so a document that spreads fragments
    inside fragments many times over costs linear, not exponential, time. Aliases are
    counted per use: a fragment with an alias spread 100 times counts 100.
    """

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.memo: dict[str, tuple[int, int]] = {}

    def selection_set(self, selection_set: SelectionSetNode | None) -> tuple[int, int]:
        if selection_set is None:
            return 0, 0
        depth, aliases = 0, 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                inner_depth, inner_aliases = self.selection_set(selection.selection_set)
                depth = max(depth, 1 + inner_depth)
                aliases += inner_aliases + (1 if selection.alias else 0)
            elif isinstance(selection, InlineFragmentNode):
                inner_depth, inner_aliases = self.selection_set(selection.selection_set)
                depth, aliases = max(depth, inner_depth), aliases + inner_aliases
            elif isinstance(selection, FragmentSpreadNode):
                inner_depth, inner_aliases = self.fragment(selection.name.value)
                depth, aliases = max(depth, inner_depth), aliases + inner_aliases
        return depth, aliases

    def fragment(self, name: str) -> tuple[int, int]:
        if name not in self.memo:
            # Placeholder first: a cycle (rejected by validation already) cannot recurse forever.
            self.memo[name] = (0, 0)
            definition = self.fragments.get(name)
            self.memo[name] = self.selection_set(definition.selection_set if definition else None)
        return self.memo[name]
