"""GraphQL `facets` on list connections count the whole filtered list, like REST `group_by`."""

from typing import Any

from fastapi.testclient import TestClient

FACETS = """
query ($filter: EngineFilterInput, $by: [String!]!, $first: Int!) {
  engines(filter: $filter, first: 2) {
    totalCount
    facets(by: $by, first: $first) { field count values { key count } }
  }
}
"""


def _graphql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_facets_equal_the_rest_groups_under_the_same_filter(client: TestClient) -> None:
    body = _graphql(
        client,
        FACETS,
        filter={"platforms": {"anyOf": ["amd-instinct"]}},
        by=["organization", "openSource"],
        first=50,
    )
    facets = {f["field"]: f for f in body["data"]["engines"]["facets"]}
    rest = client.get(
        "/api/v1/engines",
        params={
            "filter": "platform:amd-instinct",
            "group_by": "organization,open_source",
            "per_page": "50",
        },
    ).json()["groups"]
    for graphql_name, rest_name in (
        ("organization", "organization"),
        ("openSource", "open_source"),
    ):
        assert facets[graphql_name]["count"] == rest[rest_name]["count"]
        assert [(v["key"], v["count"]) for v in facets[graphql_name]["values"]] == [
            (g["key"], g["count"]) for g in rest[rest_name]["top"]
        ]
    total = body["data"]["engines"]["totalCount"]
    assert sum(v["count"] for v in facets["openSource"]["values"]) == total


def test_numbers_are_spelled_as_json(client: TestClient) -> None:
    query = '{ papers(first: 1) { facets(by: ["year"], first: 1) { values { key count } } } }'
    [facet] = _graphql(client, query)["data"]["papers"]["facets"]
    top = client.get("/api/v1/papers", params={"group_by": "year", "per_page": "1"}).json()
    assert facet["values"] == [
        {
            "key": str(top["groups"]["year"]["top"][0]["key"]),
            "count": top["groups"]["year"]["top"][0]["count"],
        }
    ]


def test_an_unknown_field_is_an_error_naming_the_valid_ones(client: TestClient) -> None:
    body = _graphql(client, FACETS, by=["open_source"], first=5)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "invalid_input"
    assert "openSource" in error["extensions"]["problems"][0]["message"]
