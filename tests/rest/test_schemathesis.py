"""Property-based conformance of the REST API to its own OpenAPI document (schemathesis).

Every generated request must get a documented status code, a body matching its schema and
no server error; huge integers, NUL bytes and odd strings included.
"""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from api.app import create_app
from api.config import Settings
from tests.databases import POSTGRES_URL_ENV, fresh_database, postgres_admin_url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def openapi_schema(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if request.param == "postgresql" and postgres_admin_url() is None:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set")
    from seed.loader import seed_database

    with fresh_database(request.param, tmp_path_factory.mktemp("st")) as engine:
        seed_database(engine)
        app = create_app(Settings(database_url=engine.url.render_as_string(False)))
        yield schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


# Every check runs. A filter, cursor or slug can be well-formed by the schema and still name
# nothing (an unknown engine, a cursor this list never issued): those requests are answered
# with the documented 400 / 404, which the positive-data check is told to accept.
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "404"]}}}
)

# Read routes only: the write routes change the shared database and take BibTeX bodies that
# schemathesis cannot generate; tests/rest/test_curation.py covers them.
schema = schemathesis.pytest.from_fixture("openapi_schema").include(method="GET")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_openapi(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate()
