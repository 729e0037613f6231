"""What api/graphql/strawberry_bridge.py relies on in strawberry still holds, and nothing
else under api/ reaches into strawberry's internals."""

import re
from pathlib import Path

import strawberry
from graphql import (
    FieldNode,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
    validate,
)
from graphql.execution.values import get_argument_values

from api.graphql import strawberry_bridge as bridge
from api.graphql.schema import SupportConditionInput, schema
from api.services.engines import EngineOrder
from models.base import SupportStatus

API = Path(__file__).resolve().parents[2] / "api"
INTERNALS = re.compile(
    r"\._schema\b|strawberry-definition|DEFINITION_BACKREF|schema_converter|base_resolver"
    r"|wrapped_func|\binfo_parameter\b|\bself_parameter\b|__strawberry_definition__"
    r"|strawberry\.schema\b|strawberry\.http\b|\bget_arguments\b"
)


def test_core_schema_is_the_schema_strawberry_executes() -> None:
    core = bridge.core_schema(schema)
    assert isinstance(core, GraphQLSchema)
    assert core.query_type is not None and core.query_type.name == "Query"
    assert core.get_type("Engine") is not None
    assert schema.execute_sync("{ __typename }").data == {"__typename": "Query"}
    assert not validate(core, parse("{ engines(first: 1) { totalCount } }"))


def test_every_field_of_every_object_type_has_a_resolver() -> None:
    core = bridge.core_schema(schema)
    resolved = 0
    for name, graphql_type in core.type_map.items():
        if name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        for definition in graphql_type.fields.values():
            resolver = bridge.field_resolver(definition)
            assert resolver.python_name
            assert resolver.call is None or callable(resolver.call)
            resolved += 1
    assert resolved > 100


def test_a_plain_attribute_and_a_resolver_with_self_and_info() -> None:
    core = bridge.core_schema(schema)
    engine_type = core.get_type("Engine")
    assert isinstance(engine_type, GraphQLObjectType)
    name = bridge.field_resolver(engine_type.fields["name"])
    assert (name.python_name, name.call, name.passes_self, name.info_argument) == (
        "name",
        None,
        False,
        None,
    )
    assert core.query_type is not None
    engines = bridge.field_resolver(core.query_type.fields["engines"])
    assert engines.python_name == "engines"
    assert engines.call is not None and engines.call.__name__ == "engines"
    assert engines.passes_self
    assert engines.info_argument == "info"


def test_arguments_are_converted_to_what_the_resolver_takes() -> None:
    core = bridge.core_schema(schema)
    document = parse(
        '{ engines(filter: {techniques: {allOf: ["paged-attention"], status: NOT_SUPPORTED}},'
        " orderBy: STARS_DESC, first: 2) { totalCount } }"
    )
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    node = operation.selection_set.selections[0]
    assert isinstance(node, FieldNode)
    assert core.query_type is not None
    definition = core.query_type.fields["engines"]
    raw = get_argument_values(definition, node)

    kwargs = bridge.convert_arguments(schema, bridge.field_resolver(definition), raw)

    assert set(kwargs) == {"filter", "order_by", "first", "after", "as_of"}  # no `info`
    assert kwargs["order_by"] is EngineOrder.STARS_DESC
    assert kwargs["first"] == 2
    engine_filter = kwargs["filter"]
    assert type(engine_filter).__name__ == "EngineFilterInput"
    assert isinstance(engine_filter.techniques, SupportConditionInput)
    assert engine_filter.techniques.all_of == ["paged-attention"]
    assert engine_filter.techniques.status is SupportStatus.NOT_SUPPORTED


def test_type_name_of_a_strawberry_value() -> None:
    @strawberry.type(name="Renamed")
    class Probe:
        value: int

    assert bridge.type_name(Probe(value=1)) == "Renamed"


def test_ide_html_is_the_graphiql_page() -> None:
    html = bridge.ide_html()
    assert "<html" in html.lower()
    assert "graphiql" in html.lower()


def test_no_other_module_under_api_touches_strawberry_internals() -> None:
    bridge_file = Path(bridge.__file__).resolve()
    offenders = [
        f"{path.relative_to(API.parent)}:{number}: {line.strip()}"
        for path in sorted(API.rglob("*.py"))
        if path.resolve() != bridge_file
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if INTERNALS.search(line)
    ]
    assert not offenders, "use api/graphql/strawberry_bridge.py:\n" + "\n".join(offenders)
