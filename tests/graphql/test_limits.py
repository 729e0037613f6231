"""Abuse limits: refused before execution with a clear message; the server keeps serving."""

from fastapi.testclient import TestClient

from tests.graphql.conftest import cost
from tests.graphql.test_http import GQL, JSON, post


def nested(depth: int) -> str:
    query = "name"
    for _ in range(depth // 3):
        query = f"engines {{ nodes {{ organization {{ {query} }} }} }}"
    return (
        "{ "
        + query.replace("organization", "organization { engines { nodes { name } } }", 0)
        + " }"
    )


def test_too_deep_is_refused(client: TestClient) -> None:
    deep = "{ " + 'technique(slug: "lora") { category { parent { ' * 1 + "name" + " } } }" + " }"
    assert post(client, {"query": deep}, GQL).status_code == 200
    query = (
        "{ engines { nodes { "
        + "organization { engines { nodes { " * 10
        + "name"
        + " } } }" * 10
        + " } } }"
    )
    response = post(client, {"query": query}, GQL)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "query_too_deep", "limit": 20}
    assert "levels deep" in error["message"]


def test_too_many_aliases_is_refused(client: TestClient) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(1000)) + " }"
    response = post(client, {"query": query}, GQL)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "too_many_aliases"


def test_aliases_hidden_in_fragments_are_counted(client: TestClient) -> None:
    query = (
        "fragment F on Query { " + " ".join(f"x{i}: __typename" for i in range(10)) + " } "
        '{ ...F a: engine(slug: "vllm") { ...G } } '
        "fragment G on Engine { " + " ".join(f"y{i}: name" for i in range(45)) + " }"
    )
    response = post(client, {"query": query}, JSON)
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "too_many_aliases"


def test_fragment_cycles_are_rejected_by_validation(client: TestClient) -> None:
    query = "fragment A on Query { ...B } fragment B on Query { ...A } { ...A }"
    response = post(client, {"query": query}, GQL)
    assert response.status_code == 400
    assert "Cannot spread fragment" in response.json()["errors"][0]["message"]


def test_token_limit_and_document_size(client: TestClient) -> None:
    many_tokens = "{ " + "x " * 16_000 + "}"
    response = post(client, {"query": many_tokens}, GQL)
    assert response.status_code == 400
    assert "tokens" in response.json()["errors"][0]["message"]
    huge = "{ __typename }" + " " * 1_000_000
    assert post(client, {"query": huge}, GQL).status_code == 413


def test_page_size_is_bounded(client: TestClient) -> None:
    response = post(client, {"query": "{ engines(first: 501) { totalCount } }"}, JSON)
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"]["problems"][0] == {
        "message": "must be between 0 and 500",
        "field": "first",
        "value": 501,
    }


def test_server_keeps_answering_after_refusals(client: TestClient) -> None:
    for _ in range(3):
        post(client, {"query": "{ " + "a: __typename " * 2000 + "}"}, GQL)
    assert post(client, {"query": '{ engine(slug: "vllm") { name } }'}).json() == {
        "data": {"engine": {"name": "vLLM"}},
        "extensions": cost(1),
    }
