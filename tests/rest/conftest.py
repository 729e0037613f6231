from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings


@pytest.fixture(scope="session")
def rest_app(seeded_engine: sa.Engine) -> FastAPI:
    return create_app(Settings(database_url=seeded_engine.url.render_as_string(False)))


@pytest.fixture(scope="session")
def api(rest_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(rest_app) as client:
        yield client
