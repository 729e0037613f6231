from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings


@pytest.fixture(scope="module")
def api(seeded_engine: sa.Engine) -> Iterator[TestClient]:
    """The app on the seeded database, as a program calls it (JSON, SVG, CSV)."""
    app = create_app(Settings(database_url=seeded_engine.url.render_as_string(False)))
    with TestClient(app) as client:
        yield client
