"""The one module that reaches into strawberry's internals.

We build the schema with strawberry but execute it ourselves (api/graphql/executor.py, over
graphql-core in api/graphql/http.py), so a few things strawberry keeps for its own executor
are needed here: the graphql-core schema it built, each field's strawberry definition and
resolver, its argument conversion, the type behind a returned value, and its GraphiQL page.
None of them is a documented API. Each function below says what it relies on; all were
checked against strawberry-graphql 0.341.2, and tests/graphql/test_strawberry_bridge.py
fails when an upgrade changes any of it. No other module under api/ may touch these names
(the same test scans the source).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLField, GraphQLSchema
from strawberry import Schema
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.schema_converter import GraphQLCoreConverter, get_arguments
from strawberry.types.field import StrawberryField

CHECKED_WITH = "0.341.2"
"""The strawberry-graphql release every function here was last checked against."""


def core_schema(schema: Schema) -> GraphQLSchema:
    """The graphql-core schema strawberry built, which we validate and execute against.

    Relies on `Schema._schema` (0.341.2: set in `Schema.__init__`, also after
    `sort_schema`); strawberry's own executor passes the same object to graphql-core.
    """
    return schema._schema


def strawberry_field(definition: GraphQLField) -> StrawberryField:
    """The strawberry field a graphql-core field was converted from.

    Relies on the converter storing it under `GraphQLCoreConverter.DEFINITION_BACKREF`
    ("strawberry-definition" in 0.341.2) in the field's `extensions`.
    """
    field: StrawberryField = definition.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
    return field


@dataclass(frozen=True)
class FieldResolver:
    """How to get one field's value: read an attribute, or call the field's resolver."""

    python_name: str
    """The attribute (or method) name on the python type."""
    call: Callable[..., Any] | None
    """The resolver function, or None when the value is the attribute `python_name`."""
    passes_self: bool
    """The resolver takes the parent object as its first positional argument."""
    info_argument: str | None
    """The keyword the resolver takes `Info` under, if it takes it."""
    field: StrawberryField
    """For `convert_arguments`."""


def field_resolver(definition: GraphQLField) -> FieldResolver:
    """The resolver of a graphql-core field, as strawberry would call it.

    Relies on `StrawberryField.python_name` and `.base_resolver` (None for a plain
    attribute), and on the resolver's `wrapped_func`, `self_parameter` and `info_parameter`
    (0.341.2, strawberry/types/fields/resolver.py). `root`/`parent` parameters are not
    supported: none of our resolvers uses them.
    """
    field = strawberry_field(definition)
    base = field.base_resolver
    if base is None:
        return FieldResolver(field.python_name, None, False, None, field)
    if base.root_parameter is not None or base.parent_parameter is not None:
        raise TypeError(f"{field.python_name}: root/parent resolver parameters are not supported")
    call = base.wrapped_func  # a static/class method is bound once its type is built
    if not callable(call):
        raise TypeError(f"{field.python_name}: the resolver is not bound to its type")
    info = base.info_parameter
    return FieldResolver(
        field.python_name,
        call,
        base.self_parameter is not None,
        info.name if info is not None else None,
        field,
    )


def convert_arguments(
    schema: Schema, resolver: FieldResolver, raw: dict[str, Any]
) -> dict[str, Any]:
    """A field's coerced graphql-core argument values as its resolver takes them: input
    objects as their strawberry classes, enums as python enums, custom scalars parsed;
    without the `Info` argument, which the caller adds per request.

    Relies on `strawberry.schema.schema_converter.get_arguments` (keyword-only `field`,
    `source`, `info`, `kwargs`, `config`, `scalar_registry`; returns `(args, kwargs)`) and on
    `Schema.config` and `Schema.schema_converter.scalar_registry` (0.341.2). Field
    extensions' `map_arguments` run inside it, as in strawberry's own execution.
    """
    _, kwargs = get_arguments(
        field=resolver.field,
        source=None,
        info=None,  # type: ignore[arg-type]  # filled in by the caller, per request
        kwargs=raw,
        config=schema.config,
        scalar_registry=schema.schema_converter.scalar_registry,
    )
    kwargs.pop(resolver.info_argument or "", None)
    return kwargs


def type_name(value: Any) -> str:
    """The GraphQL type name of a value returned for an abstract type (interface, union).

    Relies on strawberry types carrying their definition as `__strawberry_definition__`
    (0.341.2: a `StrawberryObjectDefinition` with `.name`).
    """
    return str(type(value).__strawberry_definition__.name)


def ide_html() -> str:
    """The GraphiQL page strawberry ships, served for browsers at /graphql.

    Relies on `strawberry.http.ides.get_graphql_ide_html` (0.341.2: reads
    strawberry/static/graphiql.html), which strawberry's own integrations use.
    """
    return get_graphql_ide_html()
