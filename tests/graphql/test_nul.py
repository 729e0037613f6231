"""NUL characters in string arguments are refused up front (PostgreSQL text cannot hold them)."""

from fastapi.testclient import TestClient

from tests.graphql.conftest import cost
from tests.graphql.test_http import GQL, post


def test_a_nul_in_a_string_literal_is_a_validation_error(client: TestClient) -> None:
    response = post(client, {"query": '{ technique(slug: "lo\\u0000ra") { name } }'}, GQL)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "string values may not contain the NUL character (U+0000)",
                "locations": [{"line": 1, "column": 19}],
            }
        ]
    }


def test_a_nul_in_a_variable_is_refused(client: TestClient) -> None:
    query = "query ($slug: String!) { technique(slug: $slug) { name } }"
    response = post(client, {"query": query, "variables": {"slug": "lo\x00ra"}}, GQL)
    assert response.status_code == 400
    message = "string values may not contain the NUL character (U+0000)"
    problem = {"message": message, "location": "variables", "field": "slug"}
    assert response.json() == {
        "errors": [
            {
                "message": "variables hold text that cannot be stored",
                "extensions": {
                    "code": "invalid_input",
                    "message": "variables hold text that cannot be stored",
                    "problems": [problem],
                },
            }
        ]
    }
    clean = post(client, {"query": query, "variables": {"slug": "lora"}}, GQL)
    assert clean.json() == {"data": {"technique": {"name": "LoRA"}}, "extensions": cost(1)}
