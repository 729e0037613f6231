from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.live_server import live_server


@pytest.fixture(scope="session")
def database_url(seeded_engine: sa.Engine) -> str:
    return seeded_engine.url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def mcp_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`/mcp` of a real server on a free loopback port, stopped after the tests. Default
    settings, response cache included: it sits in front of `/mcp` too."""
    log = Path(tmp_path_factory.mktemp("mcp-server")) / "server.log"
    with live_server(database_url, log) as server:
        yield f"{server.base_url}/mcp"
