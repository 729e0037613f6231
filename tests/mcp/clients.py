"""MCP clients for the tests: the SDK's own, over stdio (a child process) and streamable HTTP."""

import asyncio
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from tests.live_server import REPO_ROOT

T = TypeVar("T")
SCENARIO_TIMEOUT = 120.0
"""A stdio scenario starts a Python process that imports the app: seconds, not minutes."""


def http_client(url: str, token: str | None = None) -> Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = streamable_http_client(url, http_client=httpx2.AsyncClient(headers=headers))
    return Client(transport, read_timeout_seconds=30, cache=None)


def stdio_client(database_url: str, env: Mapping[str, str] | None = None) -> Client:
    """`infergraph mcp` as an assistant starts it (`python -m api mcp`), on `database_url`."""
    parameters = StdioServerParameters(
        command=sys.executable,
        args=["-m", "api", "mcp"],
        env={"INFERGRAPH_DATABASE_URL": database_url, **(env or {})},
        cwd=REPO_ROOT,
    )
    return Client(parameters, read_timeout_seconds=30, cache=None)


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    """Run one async scenario to its end, or fail it after SCENARIO_TIMEOUT."""

    async def bounded() -> T:
        return await asyncio.wait_for(scenario(), SCENARIO_TIMEOUT)

    return asyncio.run(bounded())


async def answer(client: Client, tool: str, arguments: dict[str, Any]) -> Any:
    """A tool's structured answer; a tool that failed fails the test with its text."""
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    return result.structured_content
