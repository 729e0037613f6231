"""With INFERGRAPH_READ_REQUIRES_TOKEN, MCP reads need a token as REST and GraphQL reads do."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from mcp import MCPError

from api.services.tokens import create_token, revoke_token
from models.access import TokenScope
from tests.live_server import live_server
from tests.mcp.clients import answer, http_client, run, stdio_client

LOCKED = {"INFERGRAPH_READ_REQUIRES_TOKEN": "true", "INFERGRAPH_RESPONSE_CACHE_BYTES": "0"}


@pytest.fixture(scope="module")
def locked_engine(module_seeded_copy: sa.Engine) -> sa.Engine:
    """A seeded database of its own: tokens are written to it."""
    return module_seeded_copy


@pytest.fixture(scope="module")
def locked_url(locked_engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = Path(tmp_path_factory.mktemp("locked-server")) / "server.log"
    url = locked_engine.url.render_as_string(hide_password=False)
    with live_server(url, log, LOCKED) as server:
        yield f"{server.base_url}/mcp"


def attempt(client_of: Any) -> Any:
    """A call of `engine_profile` for vllm: the engine's name, or the protocol error."""

    async def scenario() -> Any:
        async with client_of() as client:
            try:
                return (await answer(client, "engine_profile", {"slug": "vllm"}))["engine"]["name"]
            except MCPError as error:
                return error

    return run(scenario)


def test_http_needs_a_token(locked_engine: sa.Engine, locked_url: str) -> None:
    anonymous = attempt(lambda: http_client(locked_url))
    assert isinstance(anonymous, MCPError)
    assert (anonymous.data["code"], anonymous.data["status"]) == ("unauthorized", 401)
    wrong = attempt(lambda: http_client(locked_url, "ig_not-a-token"))
    assert isinstance(wrong, MCPError) and wrong.data["status"] == 401
    issued = create_token(locked_engine, name="assistant", scope=TokenScope.READ)
    assert attempt(lambda: http_client(locked_url, issued.token)) == "vLLM"
    revoke_token(locked_engine, str(issued.view.id))
    revoked = attempt(lambda: http_client(locked_url, issued.token))
    assert isinstance(revoked, MCPError) and revoked.data["status"] == 401


def test_stdio_presents_its_configured_token(locked_engine: sa.Engine) -> None:
    url = locked_engine.url.render_as_string(hide_password=False)
    env = {"INFERGRAPH_READ_REQUIRES_TOKEN": "true"}
    anonymous = attempt(lambda: stdio_client(url, env))
    assert isinstance(anonymous, MCPError) and anonymous.data["code"] == "unauthorized"
    issued = create_token(locked_engine, name="desktop", scope=TokenScope.READ)
    with_token = {**env, "INFERGRAPH_MCP_TOKEN": issued.token}
    assert attempt(lambda: stdio_client(url, with_token)) == "vLLM"
