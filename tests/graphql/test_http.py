"""GraphQL over HTTP: media types, status codes and request errors, as the spec gives them."""

import json

import pytest
from fastapi.testclient import TestClient

from tests.graphql.conftest import cost

GQL = "application/graphql-response+json"
JSON = "application/json"
QUERY = {"query": "{ __typename }"}


def post(client: TestClient, body: object, accept: str | None = None, **headers: str):  # type: ignore[no-untyped-def]
    if accept is not None:
        headers["accept"] = accept
    headers.setdefault("content-type", JSON)
    content = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post("/graphql", content=content, headers=headers)


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (JSON, JSON),
        (GQL, GQL),
        (f"{GQL}, {JSON};q=0.9", GQL),
        (f"{JSON}, {GQL}", GQL),
        (f"{GQL};q=0.5, {JSON}", JSON),
        (f"{GQL};charset=utf-8", GQL),
    ],
)
def test_response_media_type_follows_accept(
    client: TestClient, accept: str | None, media_type: str
) -> None:
    response = post(client, QUERY, accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}, "extensions": cost(0)}


def test_unacceptable_accept_is_406(client: TestClient) -> None:
    response = post(client, QUERY, "text/plain")
    assert response.status_code == 406
    assert "graphql-response+json" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("", 415),
        ("text/plain", 415),
        ("application/json; charset=latin-1", 415),
        ("application/json; charset=utf-8", 200),
        ("application/json;charset=UTF-8", 200),
    ],
)
def test_post_content_type(client: TestClient, content_type: str, status: int) -> None:
    response = client.post(
        "/graphql", content=json.dumps(QUERY), headers={"content-type": content_type}
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{not json",
        b"[1, 2]",
        {"notquery": "{ __typename }"},
        {"query": {"obj": "ect"}},
        {"query": 0},
        {"query": False},
        {"query": ["array"]},
        {"query": "{ __typename }", "operationName": 0},
        {"query": "{ __typename }", "variables": "string"},
        {"query": "{ __typename }", "variables": ["array"]},
        {"query": "{ __typename }", "extensions": "string"},
    ],
)
@pytest.mark.parametrize("accept", [JSON, GQL])
def test_malformed_requests_are_400(client: TestClient, body: object, accept: str) -> None:
    response = post(client, body, accept)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]
    assert "data" not in response.json()


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ __typename", None),  # does not parse
        ("{ nope }", None),  # does not validate
        ("query Q($first: Int!) { engines(first: $first) { totalCount } }", {"first": "x"}),
        ("query Q($first: Int!) { engines(first: $first) { totalCount } }", None),
    ],
)
def test_request_errors_are_200_with_json_and_400_with_graphql_response(
    client: TestClient, query: str, variables: object
) -> None:
    body = {"query": query, "variables": variables}
    legacy = post(client, body, JSON)
    assert legacy.status_code == 200
    assert legacy.json()["errors"]
    modern = post(client, body, GQL)
    assert modern.status_code == 400
    assert modern.json()["errors"]
    assert "data" not in modern.json()


def test_null_optional_parameters_are_allowed(client: TestClient) -> None:
    body = {**QUERY, "variables": None, "operationName": None, "extensions": None}
    for accept in (JSON, GQL):
        response = post(client, body, accept)
        assert response.status_code == 200
        assert "errors" not in response.json()


def test_operation_name_selects_the_operation(client: TestClient) -> None:
    body = {
        "query": 'query A { engine(slug: "vllm") { name } } query B { __typename }',
        "operationName": "A",
    }
    assert post(client, body).json() == {
        "data": {"engine": {"name": "vLLM"}},
        "extensions": cost(1),
    }


def test_field_errors_keep_200_and_data(client: TestClient) -> None:
    """An unknown slug in a filter is a field error of an executed request: 200 with a path.

    Connections are non-null, so the error nulls the whole (root) data, as GraphQL says."""
    query = (
        '{ a: engine(slug: "vllm") { name } '
        'b: engines(filter: {platforms: {allOf: ["cuda"]}}) { totalCount } }'
    )
    for accept in (JSON, GQL):
        response = post(client, {"query": query}, accept)
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        [error] = body["errors"]
        assert error["path"] == ["b"]
        assert error["extensions"]["code"] == "invalid_input"
        [problem] = error["extensions"]["problems"]
        assert problem["field"] == "filter.platforms"
        assert problem["value"] == "cuda"


def test_get_queries_work_and_mutations_are_405(client: TestClient) -> None:
    response = client.get(
        "/graphql", params={"query": '{ engine(name: "TGI (Text Generation Inference)") { slug } }'}
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"engine": {"slug": "tgi"}}, "extensions": cost(1)}
    with_variables = client.get(
        "/graphql",
        params={
            "query": "query Q($s: String!) { engine(slug: $s) { name } }",
            "variables": json.dumps({"s": "sglang"}),
        },
    )
    assert with_variables.json() == {
        "data": {"engine": {"name": "SGLang"}},
        "extensions": cost(1),
    }
    mutation = client.get(
        "/graphql", params={"query": "mutation { __typename }"}, headers={"accept": GQL}
    )
    assert 400 <= mutation.status_code < 500


def test_other_methods_are_405(client: TestClient) -> None:
    assert client.put("/graphql", json=QUERY).status_code == 405


def test_browsers_get_graphiql(client: TestClient) -> None:
    response = client.get("/graphql", headers={"accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


def test_node_refetches_by_global_id(client: TestClient) -> None:
    engine = post(client, {"query": '{ engine(slug: "vllm") { id } }'}).json()["data"]["engine"]
    query = "query N($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Engine { slug } } }"
    data = post(client, {"query": query, "variables": {"ids": [engine["id"], engine["id"]]}})
    assert data.json()["data"]["nodes"] == [
        {"__typename": "Engine", "slug": "vllm"},
        {"__typename": "Engine", "slug": "vllm"},
    ]
    bad = post(client, {"query": '{ node(id: "nonsense!") { id } }'}).json()
    assert bad["data"] == {"node": None}
    assert bad["errors"][0]["extensions"]["problems"][0]["field"] == "id"
