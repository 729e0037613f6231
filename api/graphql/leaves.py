"""How a leaf (scalar or enum) field's value becomes JSON, decided once per field."""

from dataclasses import dataclass
from typing import Any

from graphql import GraphQLEnumType, GraphQLField, GraphQLNonNull, GraphQLScalarType

LEAF_TYPES = (GraphQLScalarType, GraphQLEnumType)
_PASS_THROUGH = {"String", "ID", "Boolean", "Int"}


@dataclass(frozen=True)
class Leaf:
    non_null: bool
    serialize: Any
    """None when values are already what JSON needs (str, int, bool)."""


NOT_LEAF = Leaf(False, None)


def leaf(definition: GraphQLField) -> Leaf | None:
    """The leaf of a field, or None when the field returns objects or lists."""
    field_type: Any = definition.type
    non_null = isinstance(field_type, GraphQLNonNull)
    if non_null:
        field_type = field_type.of_type
    if not isinstance(field_type, LEAF_TYPES):
        return None
    passes = isinstance(field_type, GraphQLScalarType) and field_type.name in _PASS_THROUGH
    return Leaf(non_null, None if passes else field_type.serialize)
