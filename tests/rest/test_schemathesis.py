"""Property-based conformance of the REST API to its own OpenAPI document (schemathesis).

Every generated request must get a documented status code, a body matching its schema and
no server error; huge integers, NUL bytes and odd strings included. Writes are included:
each backend gets a throw-away database of this module's own, a write token, and a local
stand-in for arXiv, so no request leaves the machine.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from fastapi import FastAPI
from hypothesis import HealthCheck, settings

from api.app import create_app
from api.config import Settings
from api.services.ingest.readers.arxiv_client import ArxivClient
from api.services.tokens import create_token
from models.access import TokenScope
from tests.databases import POSTGRES_URL_ENV, fresh_database, postgres_admin_url
from tests.ingest.arxiv_server import CannedResponse, RecordedRequest, serve_fake_arxiv


def arxiv_answer(request: RecordedRequest) -> CannedResponse:
    """A feed for id look-ups, and an empty result for searches (so paging stops at once)."""
    if "id_list" in request.params:
        return CannedResponse.feed("query_ids.xml")
    return CannedResponse.feed("empty.xml")


@dataclass(frozen=True)
class WritableApi:
    app: FastAPI
    headers: dict[str, str]
    """Carry a write token."""


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def writable_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WritableApi]:
    if request.param == "postgresql" and postgres_admin_url() is None:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set")
    from seed.loader import seed_database

    with (
        fresh_database(request.param, tmp_path_factory.mktemp("st")) as engine,
        serve_fake_arxiv() as arxiv,
        pytest.MonkeyPatch.context() as patch,
    ):
        arxiv.router = arxiv_answer
        # No polite three-second wait between requests and no retries: the stand-in
        # answers at once, every time.
        patch.setattr(
            ArxivClient,
            "from_settings",
            classmethod(lambda cls, *_, **__: cls(arxiv.base_url, delay=0.0, max_attempts=1)),
        )
        seed_database(engine)
        app = create_app(Settings(database_url=engine.url.render_as_string(False)))
        token = create_token(engine, name="schemathesis", scope=TokenScope.WRITE).token
        yield WritableApi(app, {"Authorization": f"Bearer {token}"})
        # The writes were carried out, not all refused: both kinds of ingest ran, and the
        # arXiv ingest reached the stand-in.
        with engine.connect() as connection:
            kinds = connection.execute(sa.text("SELECT DISTINCT kind FROM ingest_run")).scalars()
            assert {str(kind).lower() for kind in kinds} == {"arxiv", "bibtex"}
        assert arxiv.requests


@pytest.fixture(scope="module")
def openapi_schema(writable_api: WritableApi) -> Any:
    # Every check at its defaults: a request the document calls valid must not get a 400
    # (positive-data acceptance), so the document says exactly what the server takes.
    return schemathesis.openapi.from_asgi("/openapi.json", writable_api.app)


# Token management is left out: with an admin token, a generated DELETE /tokens/{id} would
# revoke the token under test and turn every later request into a 401 (tests/auth cover it).
schema = schemathesis.pytest.from_fixture("openapi_schema").exclude(path_regex="^/api/v1/tokens")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_openapi(
    case: schemathesis.Case[Any], writable_api: WritableApi
) -> None:
    case.call_and_validate(headers=writable_api.headers)
