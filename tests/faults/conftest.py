"""Shared set-up of the fault tests: a write token and the environment of a server process."""

import sqlalchemy as sa

from api.services.ingest.readers.arxiv_client import BASE_URL_ENV, DELAY_ENV
from api.services.tokens import create_token
from models.access import TokenScope
from tests.ingest.arxiv_server import FakeArxiv


def write_headers(engine: sa.Engine) -> dict[str, str]:
    """`Authorization` for a new write token on `engine`."""
    issued = create_token(engine, name="faults", scope=TokenScope.WRITE)
    return {"authorization": f"Bearer {issued.token}"}


def arxiv_env(fake: FakeArxiv) -> dict[str, str]:
    """Point the server at the local stand-in, which needs no three-second politeness."""
    return {BASE_URL_ENV: fake.base_url, DELAY_ENV: "0"}
