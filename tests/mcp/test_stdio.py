"""`infergraph mcp` as an assistant runs it: a child process on stdin/stdout."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import MCPError

from tests.live_server import REPO_ROOT
from tests.mcp.clients import answer, run, stdio_client
from tests.mcp.test_tools import TOOLS


@pytest.fixture(scope="module")
def stdio_session(database_url: str) -> dict[str, Any]:
    """One process for the module: what it listed, answered and refused."""

    async def scenario() -> dict[str, Any]:
        async with stdio_client(database_url) as client:
            tools = (await client.list_tools()).tools
            resources = (await client.list_resources()).resources
            templates = (await client.list_resource_templates()).resource_templates
            table = await client.read_resource("infergraph://survey-tables/precision-matrix")
            schema = await client.read_resource("infergraph://graphql/schema")
            profile = await answer(client, "engine_profile", {"slug": "llama-cpp"})
            with pytest.raises(MCPError) as refused:
                await client.call_tool("technique", {"slug": "paged-atention"})
            with pytest.raises(MCPError) as unknown_table:
                await client.read_resource("infergraph://survey-tables/nope")
            return {
                "tools": {t.name for t in tools},
                "resources": {str(r.uri) for r in resources},
                "templates": [t.uri_template for t in templates],
                "table": table.contents[0].text,  # type: ignore[union-attr]
                "schema": schema.contents[0].text,  # type: ignore[union-attr]
                "profile": profile,
                "refused": refused.value,
                "unknown_table": unknown_table.value,
            }

    return run(scenario)


def test_lists_the_same_tools_as_http(stdio_session: dict[str, Any]) -> None:
    assert stdio_session["tools"] == TOOLS


def test_resources(stdio_session: dict[str, Any]) -> None:
    assert {
        "infergraph://graphql/schema",
        "infergraph://docs/architecture",
        "infergraph://docs/graphql",
    } <= stdio_session["resources"]
    assert stdio_session["templates"] == ["infergraph://survey-tables/{name}"]
    assert stdio_session["table"].splitlines()[0].startswith("| Framework | FP32 | FP16 |")
    assert "type Query {" in stdio_session["schema"]


def test_answers_from_the_survey(stdio_session: dict[str, Any]) -> None:
    profile = stdio_session["profile"]
    assert profile["engine"]["aliases"] == ["LLaMA.cpp"]
    statuses = {f["target"]: f["status"] for f in profile["support"]["platform"]}
    assert (statuses["arm64"], statuses["google-tpu"]) == ("supported", "not_supported")


def test_errors_keep_their_problems(stdio_session: dict[str, Any]) -> None:
    refused = stdio_session["refused"]
    assert refused.data["code"] == "not_found"
    assert "paged-attention" in refused.data["problems"][0]["message"]
    table = stdio_session["unknown_table"]
    assert table.data["problems"][0]["field"] == "name"
    assert "hardware-matrix" in table.data["problems"][0]["message"]


def test_a_database_without_the_schema_is_a_clear_error(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "blank.db").close()  # a database, but no schema in it
    result = subprocess.run(
        [sys.executable, "-m", "api", "mcp"],
        cwd=REPO_ROOT,
        env={**os.environ, "INFERGRAPH_DATABASE_URL": f"sqlite:///{tmp_path / 'blank.db'}"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "has no InferGraph schema; run `infergraph seed`" in result.stderr
    assert "Traceback" not in result.stderr
