"""The committed SDL matches the code, and every type and field is documented."""

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
)
from typer.testing import CliRunner

from api.cli import app
from api.graphql.schema import graphql_schema, schema

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"
BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def test_committed_sdl_matches_the_code() -> None:
    expected = schema.as_str() + "\n"
    assert SDL.read_text(encoding="utf-8") == expected, (
        "schema.graphql is stale: run `infergraph export graphql-schema > schema.graphql`"
    )


def test_cli_prints_the_sdl() -> None:
    result = CliRunner().invoke(app, ["export", "graphql-schema"])
    assert result.exit_code == 0
    assert result.output == SDL.read_text(encoding="utf-8")


def test_every_type_field_and_enum_is_described() -> None:
    undocumented = []
    for name, graphql_type in graphql_schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not graphql_type.description:
            undocumented.append(name)
        if isinstance(
            graphql_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
        ):
            undocumented += [
                f"{name}.{field}"
                for field, definition in graphql_type.fields.items()
                if not definition.description
            ]
        if isinstance(graphql_type, GraphQLEnumType):
            assert graphql_type.values, name
    assert undocumented == []


def test_node_interface_covers_every_entity() -> None:
    node = graphql_schema.type_map["Node"]
    implementations = {t.name for t in graphql_schema.get_implementations(node).objects}  # type: ignore[arg-type]
    assert {
        "Engine",
        "Paper",
        "Technique",
        "Platform",
        "BenchmarkRun",
        "Citation",
    } <= implementations
    assert len(implementations) == 20
