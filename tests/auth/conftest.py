from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.services.tokens import create_token, revoke_token
from models.access import TokenScope


@dataclass(frozen=True)
class Tokens:
    spare: str
    """Token 1: the one `DELETE /tokens/1` revokes."""
    read: str
    write: str
    admin: str
    revoked: str


@pytest.fixture
def tokens(empty_engine: sa.Engine) -> Tokens:
    spare = create_token(empty_engine, name="spare", scope=TokenScope.READ)
    assert spare.view.id == 1
    revoked = create_token(empty_engine, name="gone", scope=TokenScope.ADMIN)
    revoke_token(empty_engine, str(revoked.view.id))
    return Tokens(
        spare=spare.token,
        read=create_token(empty_engine, name="reader", scope=TokenScope.READ).token,
        write=create_token(empty_engine, name="curator", scope=TokenScope.WRITE).token,
        admin=create_token(empty_engine, name="root", scope=TokenScope.ADMIN).token,
        revoked=revoked.token,
    )


def client_for(engine: sa.Engine, **settings: object) -> TestClient:
    url = engine.url.render_as_string(False)
    return TestClient(create_app(Settings(database_url=url, **settings)))  # type: ignore[arg-type]


@pytest.fixture
def client(empty_engine: sa.Engine) -> Iterator[TestClient]:
    with client_for(empty_engine) as test_client:
        yield test_client
