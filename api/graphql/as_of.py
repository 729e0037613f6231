"""`asOf`: which source version one GraphQL request reads, read from its root fields.

The whole request runs on one session, and an as-of session reads every versioned table as
it was (`api/services/history.py`), so the version is chosen before execution: every root
field of the operation must give the same `asOf` (or none give it). A request mixing two
versions, or a version and now, is refused rather than answered from one of them.
"""

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)

from api.errors import InvalidInputError, Problem

ARGUMENT = "asOf"
ARGUMENT_DOC = (
    "Read the graph as it was: a source version's name (`2025-12-02`) or a date (`YYYY-MM-DD`,"
    " the newest version released by then). Every root field of a request must give the same"
    " value. Survey facts are versioned; other facts read as they are now."
)
_MAX_FIELDS = 200
"""Root fields looked at at most (the depth and alias limits bound the document anyway)."""


def operation_as_of(
    document: DocumentNode, operation: OperationDefinitionNode, variables: dict[str, Any] | None
) -> str | None:
    """The one `asOf` value of the operation's root fields, or None."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    defaults = {
        definition.variable.name.value: definition.default_value
        for definition in operation.variable_definitions or ()
    }
    values: dict[str | None, str] = {}
    for field in _root_fields(operation.selection_set, fragments, set()):
        if field.name.value.startswith("__"):
            continue
        given = next((a.value for a in field.arguments or () if a.name.value == ARGUMENT), None)
        value = _value(given, variables or {}, defaults)
        values.setdefault(value, (field.alias or field.name).value)
    if len(values) > 1:
        shown = ", ".join(f"{name}: {value or 'now'}" for value, name in values.items())
        raise InvalidInputError(
            "one request reads one version: give every root field the same asOf",
            [Problem(f"root fields disagree ({shown[:300]})", field=ARGUMENT)],
        )
    return next(iter(values), None)


def _root_fields(
    selections: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    seen: set[str],
) -> list[FieldNode]:
    """The fields the root selection holds, also through inline and named fragments."""
    found: list[FieldNode] = []
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found += _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:  # a cycle is refused by validation
                seen.add(name)
                found += _root_fields(fragments[name].selection_set, fragments, seen)
        if len(found) >= _MAX_FIELDS:
            break
    return found


def _value(
    node: ValueNode | None, variables: dict[str, Any], defaults: Mapping[str, ValueNode | None]
) -> str | None:
    if node is None:
        return None
    if isinstance(node, VariableNode):
        name = node.name.value
        if name in variables:
            value = variables[name]
            if value is not None and not isinstance(value, str):
                raise InvalidInputError(
                    "asOf is a string", [Problem("not a string", location="variables", field=name)]
                )
            return value
        return _value(defaults.get(name), variables, defaults)
    if isinstance(node, StringValueNode):
        return node.value
    return None  # any other literal is refused by validation against the schema
