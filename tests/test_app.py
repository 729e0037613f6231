"""The HTTP application's health endpoint and error shape."""

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.db import alembic_config


def test_health_reports_database_and_schema_revision(seeded_engine: sa.Engine) -> None:
    settings = Settings(database_url=seeded_engine.url.render_as_string(False))
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with TestClient(create_app(settings)) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": seeded_engine.dialect.name,
        "schema_revision": head,
    }
