"""Bad arguments get the protocol's error, carrying REST's problem details; none crash."""

from typing import Any

import pytest
from mcp import MCPError
from mcp.types import INVALID_PARAMS

from tests.mcp.clients import http_client, run


def refused(url: str, tool: str, arguments: dict[str, Any]) -> Any:
    """The error `data` of a call that must fail as invalid params."""

    async def scenario() -> MCPError:
        async with http_client(url) as client:
            # Caught inside: leaving the client's task group would wrap it in a group.
            with pytest.raises(MCPError) as caught:
                await client.call_tool(tool, arguments)
            return caught.value

    error = run(scenario)
    assert error.code == INVALID_PARAMS
    return error.data


def test_unknown_slug_in_a_filter_suggests_the_closest(mcp_url: str) -> None:
    data = refused(mcp_url, "benchmark_runs", {"filter": "engine:vllmm"})
    assert (data["code"], data["status"]) == ("invalid_input", 400)
    problem = data["problems"][0]
    assert (problem["field"], problem["value"]) == ("filter.engine", "vllmm")
    assert "did you mean 'vllm'" in problem["message"]


def test_filter_grammar_errors_name_the_key(mcp_url: str) -> None:
    data = refused(mcp_url, "requirements", {"technique": ["lora"], "filter": "colour:red"})
    assert data["problems"][0]["field"] == "filter"
    assert data["problems"][0]["value"] == "colour"


def test_requirement_slugs_spelled_as_the_argument(mcp_url: str) -> None:
    data = refused(mcp_url, "requirements", {"platform": ["amd-instinkt"]})
    assert data["problems"][0]["field"] == "platform"
    assert refused(mcp_url, "requirements", {})["problems"][0]["field"] == "requirements"


def test_arguments_that_break_the_schema(mcp_url: str) -> None:
    data = refused(mcp_url, "search", {"text": 5})
    assert data["message"] == "invalid arguments"
    assert (data["problems"][0]["field"], data["problems"][0]["value"]) == ("text", 5)
    missing = refused(mcp_url, "support_matrix", {})["problems"]
    assert [p["field"] for p in missing] == ["kind"]
    bad_enum = refused(mcp_url, "support_matrix", {"kind": "colour", "engine": "vllm"})
    assert bad_enum["problems"][0]["value"] == "colour"


def test_page_sizes_are_bounded_by_the_setting(mcp_url: str) -> None:
    data = refused(mcp_url, "search", {"text": "attention", "limit": 10**6})
    assert data["problems"][0] == {
        "message": "must be between 1 and 500",
        "field": "limit",
        "value": 10**6,
    }
    assert refused(mcp_url, "prices", {"kind": "model", "limit": 501})["problems"][0]["field"] == (
        "limit"
    )
    cursor = refused(mcp_url, "benchmark_runs", {"after": "not-a-cursor"})
    assert cursor["problems"][0]["field"] == "after"


def test_not_found_names_the_closest(mcp_url: str) -> None:
    data = refused(mcp_url, "engine_profile", {"slug": "vlm"})
    assert (data["code"], data["status"]) == ("not_found", 404)
    assert "vllm" in data["problems"][0]["message"]
    paper = refused(mcp_url, "paper", {"arxiv_id": "2101.00001"})
    assert (paper["problems"][0]["field"], paper["code"]) == ("arxiv_id", "not_found")
    both = refused(mcp_url, "paper", {"key": "kwon2023efficient", "doi": "10.1/x"})
    assert both["problems"][0]["value"] == "key, doi"


def test_graphql_limits_are_those_of_the_endpoint(mcp_url: str) -> None:
    huge = "{ " + "engines { totalCount } " * 20_000 + "}"
    data = refused(mcp_url, "graphql", {"query": huge})
    assert data["problems"][0]["field"] == "query"
    assert "larger than 100000 bytes" in data["message"]

    async def deep() -> Any:
        async with http_client(mcp_url) as client:
            query = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType {"
            query += " ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType {"
            query += " ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }"
            query += " } } } } } } } } } } }"
            return (await client.call_tool("graphql", {"query": query})).structured_content

    body = run(deep)
    assert body["errors"][0]["extensions"]["code"] == "query_too_deep"
    assert "data" not in body


def test_mutations_cannot_run(mcp_url: str) -> None:
    async def scenario() -> Any:
        async with http_client(mcp_url) as client:
            query = "mutation { deleteEverything }"
            return (await client.call_tool("graphql", {"query": query})).structured_content

    body = run(scenario)
    assert "data" not in body
    assert "mutation" in body["errors"][0]["message"].lower()


def test_nul_is_refused_before_the_database_sees_it(mcp_url: str) -> None:
    data = refused(mcp_url, "engine_profile", {"slug": "vllm\x00"})
    assert data["problems"] == [
        {
            "message": "string values may not contain the NUL character (U+0000)",
            "field": "slug",
            "value": "vllm\x00",
        }
    ]
    nested = refused(mcp_url, "requirements", {"platform": ["amd-instinct", "\x00"]})
    assert nested["problems"][0]["field"] == "platform"


def test_resource_uris_outside_the_templates_are_unknown(mcp_url: str) -> None:
    async def scenario() -> list[MCPError]:
        async with http_client(mcp_url) as client:
            errors = []
            for uri in ("infergraph://survey-tables/a%00b", "infergraph://docs/../README"):
                with pytest.raises(MCPError) as caught:
                    await client.read_resource(uri)
                errors.append(caught.value)
            return errors

    for error in run(scenario):
        assert (error.code, error.message.split(":")[0]) == (INVALID_PARAMS, "Unknown resource")
