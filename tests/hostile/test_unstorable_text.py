"""NUL and lone surrogates — text no database stores — are refused on every write path (REST
JSON bodies, the BibTeX upload, GraphQL variables) with a 400 that names where; GraphQL
variables that do not coerce get the spec's message, not "internal error"."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.services.tokens import create_token
from models.access import TokenScope

GQL = "application/graphql-response+json"
NUL = "a\x00b"
SURROGATE = "a\ud800b"
SURROGATE_MESSAGE = (
    "string values may not contain unpaired surrogates (U+D800 to U+DFFF): they are not text"
)
NUL_MESSAGE = "string values may not contain the NUL character (U+0000)"


def gql(client: TestClient, query: str, variables: dict[str, Any]) -> Any:
    # json.dumps writes a lone surrogate as the escape `\ud800`, as a hostile client would.
    body = json.dumps({"query": query, "variables": variables})
    return client.post(
        "/graphql", content=body, headers={"content-type": "application/json", "accept": GQL}
    )


@pytest.mark.parametrize(("text", "message"), [(NUL, NUL_MESSAGE), (SURROGATE, SURROGATE_MESSAGE)])
def test_graphql_variables_with_unstorable_text_are_400_naming_the_variable(
    hostile: TestClient, text: str, message: str
) -> None:
    query = (
        "query ($slug: String!, $f: EngineFilterInput) "
        "{ technique(slug: $slug) { name } engines(filter: $f) { totalCount } }"
    )
    variables = {"slug": text, "f": {"techniques": {"allOf": ["lora", text]}}}
    response = gql(hostile, query, variables)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "invalid_input"
    assert [(p["location"], p["field"], p["message"]) for p in error["extensions"]["problems"]] == [
        ("variables", "slug", message),
        ("variables", "f.techniques.allOf[1]", message),
    ]


def test_graphql_variables_keyed_by_unstorable_text_are_400(hostile: TestClient) -> None:
    query = "query ($s: String!) { technique(slug: $s) { name } }"
    response = gql(hostile, query, {"s": "lora", "\ud800": 1})
    assert response.status_code == 400
    [problem] = response.json()["errors"][0]["extensions"]["problems"]
    assert (problem["field"], problem["message"]) == ("<key>", SURROGATE_MESSAGE)


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        (
            "query ($n: Int) { engines(first: $n) { totalCount } }",
            {"n": "many"},
            "Variable '$n' has invalid value: Int cannot represent non-integer value: 'many'",
        ),
        (
            "query ($n: Int) { engines(first: $n) { totalCount } }",
            {"n": 2**40},
            "Variable '$n' has invalid value: "
            "Int cannot represent non 32-bit signed integer value: 1099511627776",
        ),
        (
            "query ($s: String!) { technique(slug: $s) { name } }",
            {},
            "Variable '$s' has invalid value: "
            "Expected a value of non-null type 'String!' to be provided.",
        ),
        (
            "query ($o: EngineOrder!) { engines(orderBy: $o) { totalCount } }",
            {"o": "SIDEWAYS"},
            "Variable '$o' has invalid value: Value 'SIDEWAYS' does not exist in "
            "'EngineOrder' enum.",
        ),
    ],
)
def test_variables_that_do_not_coerce_get_the_specs_message(
    hostile: TestClient, query: str, variables: dict[str, Any], message: str
) -> None:
    response = gql(hostile, query, variables)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["message"] == message
    assert "data" not in response.json()


@pytest.fixture
def writer(empty_engine: sa.Engine) -> Iterator[tuple[TestClient, dict[str, str]]]:
    token = create_token(empty_engine, name="root", scope=TokenScope.ADMIN).token
    app = create_app(Settings(database_url=empty_engine.url.render_as_string(False)))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, {"authorization": f"Bearer {token}"}


def json_write_routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every documented write taking a JSON body."""
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return [
        (method, path)
        for path, item in paths.items()
        for method, operation in item.items()
        if method in ("post", "put", "patch")
        and "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


@pytest.mark.parametrize(("text", "message"), [(NUL, NUL_MESSAGE), (SURROGATE, SURROGATE_MESSAGE)])
def test_every_json_body_with_unstorable_text_is_400_naming_the_field(
    writer: tuple[TestClient, dict[str, str]], text: str, message: str
) -> None:
    client, auth = writer
    routes = json_write_routes(client)
    assert len(routes) >= 2
    for method, path in routes:
        url = path.replace("{", "").replace("}", "")  # a path id that parses ("id", "slug")
        body = json.dumps({"name": text, "query": text, "note": text, "ids": [text]})
        headers = {**auth, "content-type": "application/json"}
        response = client.request(method, url, content=body, headers=headers)
        assert response.status_code == 400, (method, path, response.text)
        error = response.json()["error"]
        assert error["code"] == "invalid_input"
        assert [(p["location"], p["field"], p["message"]) for p in error["problems"]] == [
            ("body", "name", message),
            ("body", "query", message),
            ("body", "note", message),
            ("body", "ids[0]", message),
        ], path


def test_a_token_named_with_a_nul_is_not_created(
    writer: tuple[TestClient, dict[str, str]], empty_engine: sa.Engine
) -> None:
    client, auth = writer
    response = client.post("/api/v1/tokens", json={"name": NUL, "scope": "read"}, headers=auth)
    assert response.status_code == 400
    with empty_engine.connect() as connection:
        names = connection.execute(sa.text("SELECT name FROM api_token")).scalars().all()
    assert names == ["root"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"@misc{a, title = {x\x00y}}\n", "it contains NUL bytes"),
        # A surrogate encoded as UTF-8 would be (CESU-8): not UTF-8 at all.
        (b"@misc{a, title = {x" + b"\xed\xa0\x80" + b"}}\n", None),
    ],
)
def test_the_bibtex_upload_refuses_nul_and_surrogates_naming_the_file(
    writer: tuple[TestClient, dict[str, str]], body: bytes, reason: str | None
) -> None:
    client, auth = writer
    response = client.post(
        "/api/v1/ingest/bibtex",
        params={"file_name": "bad.bib"},
        content=body,
        headers={**auth, "content-type": "application/x-bibtex"},
    )
    assert response.status_code == 400, response.text
    [problem] = response.json()["error"]["problems"]
    assert problem["location"] == "bad.bib"
    if reason is not None:
        assert problem["message"] == reason
