from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings


@pytest.fixture(scope="session")
def web(seeded_engine: sa.Engine) -> Iterator[TestClient]:
    """A browser's view of the app: HTML asked for, the response cache in front."""
    app = create_app(Settings(database_url=seeded_engine.url.render_as_string(False)))
    with TestClient(app, headers={"accept": "text/html"}) as client:
        yield client
