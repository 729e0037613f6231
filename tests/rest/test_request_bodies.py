"""Every JSON body of ours is documented exactly: no field beyond those it names, and text that
a database can store (what schemathesis and clients generate from the document). Uploaded files
in outside formats (benchmark results) are objects of their own formats and are not ours."""

from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.rest.schemas import STORABLE_TEXT
from api.services.tokens import create_token
from models.access import TokenScope


def _json_bodies(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    components = document["components"]["schemas"]
    bodies = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                continue
            # An optional body is `anyOf: [body, null]`.
            schema = next((o for o in schema.get("anyOf", []) if "$ref" in o), schema)
            # Only our own models: an uploaded result file is a foreign format's object.
            if "$ref" in schema:
                bodies[f"{method.upper()} {path}"] = components[schema["$ref"].rsplit("/", 1)[1]]
    return bodies


def test_every_json_body_refuses_unknown_fields_and_documents_storable_text(
    api: TestClient,
) -> None:
    bodies = _json_bodies(api.get("/openapi.json").json())
    assert len(bodies) >= 7
    for route, schema in bodies.items():
        assert schema.get("additionalProperties") is False, route
        for name, field in schema["properties"].items():
            options = field.get("anyOf", [field])
            for option in options:
                if option.get("type") == "string" and "enum" not in option and "$ref" not in option:
                    assert "pattern" in option or "pattern" in field, (route, name)


def test_the_arxiv_body_says_ids_or_a_query(api: TestClient) -> None:
    [schema] = [
        s for route, s in _json_bodies(api.get("/openapi.json").json()).items() if "arxiv" in route
    ]
    assert [sorted(branch["required"]) for branch in schema["oneOf"]] == [["ids"], ["query"]]


def test_an_unknown_field_is_refused_naming_it(api: TestClient, seeded_engine: sa.Engine) -> None:
    admin = create_token(seeded_engine, name="bodies", scope=TokenScope.ADMIN)
    response = api.post(
        "/api/v1/tokens",
        json={"name": "x", "scoop": "admin"},
        headers={"authorization": f"Bearer {admin.token}"},
    )
    assert response.status_code == 400
    [problem] = response.json()["error"]["problems"]
    assert (problem["location"], problem["field"]) == ("body", "scoop")


def test_the_storable_pattern_is_the_one_the_server_enforces() -> None:
    # No NUL. Lone surrogates need no pattern (no Unicode string holds one), and a surrogate
    # range made schemathesis drop the whole pattern: its Rust validator cannot compile it.
    assert STORABLE_TEXT == {"pattern": "^[^\\u0000]*$"}
    from schemathesis.core.jsonschema.patterns import enforced_pattern

    assert enforced_pattern(STORABLE_TEXT["pattern"]) is not None
