"""Property-based conformance of the GraphQL endpoint to its own schema (schemathesis).

Every generated query (each root field with generated arguments and selections) must be
executed, never answered with a server error, and its data must match the published schema
(no null in a non-null field). All of schemathesis' checks run.
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
def graphql_schema(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if request.param == "postgresql" and postgres_admin_url() is None:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set")
    from seed.loader import seed_database

    with fresh_database(request.param, tmp_path_factory.mktemp("st-gql")) as engine:
        seed_database(engine)
        app = create_app(Settings(database_url=engine.url.render_as_string(False)))
        yield schemathesis.graphql.from_asgi("/graphql", app, config=CONFIG)


# Every check runs but one. `positive_data_acceptance` holds that any query valid by the
# schema is executed without error; the SDL cannot say that `after` must be a cursor the list
# issued, that `first` is at most the page-size limit, or that a slug in a filter must exist,
# so such queries are refused with field errors classified `BAD_REQUEST` (the GraphQL
# counterpart of the 400 / 404 the REST test accepts for the same check). `not_a_server_error`
# still fails on any error not so classified.
CONFIG = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {"enabled": False}}})


schema = schemathesis.pytest.from_fixture("graphql_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_graphql_conforms_to_its_schema(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate()
