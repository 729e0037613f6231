"""The hostile-client suite: what an attacker with no token, or a careless curator, sends.

Every test here walks the routes (the OpenAPI document, the GraphQL schema) rather than
naming a few, so a new route is attacked without anyone remembering to add it. Each test is
bounded in time by the size of the walk, not by how long a request may take.
"""

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings


@pytest.fixture(scope="session")
def hostile_app(seeded_engine: sa.Engine) -> FastAPI:
    return create_app(Settings(database_url=seeded_engine.url.render_as_string(False)))


@pytest.fixture(scope="session")
def hostile(hostile_app: FastAPI) -> Iterator[TestClient]:
    # raise_server_exceptions=False: a 500 must show up as a status to count, not abort the walk.
    with TestClient(hostile_app, raise_server_exceptions=False) as client:
        yield client
