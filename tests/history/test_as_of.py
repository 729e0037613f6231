"""As-of reads over REST, GraphQL and the CLI, on a graph that synced a newer README."""

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app
from api.config import Settings, get_settings
from api.graphql.executor import PlannedExecutor
from api.graphql.http import JSON, GraphQLEndpoint, GraphQLParams
from api.graphql.limits import Limits
from api.graphql.schema import graphql_schema, schema
from tests.conftest import NEWER_VERSION


@pytest.fixture(scope="module")
def client(synced_engine: sa.Engine) -> Iterator[TestClient]:
    settings = Settings(database_url=synced_engine.url.render_as_string(False))
    with TestClient(create_app(settings)) as served:
        yield served


def _stars(client: TestClient, **params: str) -> int:
    response = client.get("/api/v1/engines/vllm", params=params)
    assert response.status_code == 200, response.text
    return int(response.json()["github_stars"])


def test_a_detail_reads_each_version_and_now(client: TestClient) -> None:
    assert _stars(client) == 45100
    assert _stars(client, as_of="2025-12-02") == 43400
    # A date means the newest version released by then.
    assert _stars(client, as_of="2026-02-28") == 43400
    assert _stars(client, as_of="2026-03-01") == 45100
    assert _stars(client, as_of=NEWER_VERSION) == 45100
    assert _stars(client, as_of="2030-01-01") == 45100
    # Asked again (the response cache keys on the query string): still apart.
    assert (_stars(client, as_of="2025-12-02"), _stars(client)) == (43400, 45100)


def test_a_regenerated_table_and_a_list_read_the_past(client: TestClient) -> None:
    markdown = client.get(
        "/api/v1/tables/device-pricing", params={"format": "markdown", "as_of": "2025-12-02"}
    ).text
    now = client.get("/api/v1/tables/device-pricing", params={"format": "markdown"}).text
    assert "5.5" in now.split("Groq LPU")[1].splitlines()[0]
    assert "5.5" not in markdown.split("Groq LPU")[1].splitlines()[0]
    assert "| 2.9 " in markdown.split("NVIDIA A100 80GB")[1].splitlines()[0]
    assert "| 3.1 " in now.split("NVIDIA A100 80GB")[1].splitlines()[0]
    # The optimization matrix cell, through the engine list's support filter.
    past = client.get(
        "/api/v1/engines",
        params={"filter": "technique:dynamic-batching", "per_page": "100", "as_of": "2025-12-02"},
    )
    current = client.get(
        "/api/v1/engines", params={"filter": "technique:dynamic-batching", "per_page": "100"}
    )
    assert past.status_code == 200, past.text
    slugs_past = {engine["slug"] for engine in past.json()["results"]}
    slugs_now = {engine["slug"] for engine in current.json()["results"]}
    assert slugs_now - slugs_past == {"ollama"}
    assert current.json()["meta"]["count"] == past.json()["meta"]["count"] + 1


def test_a_retired_row_is_gone_now_and_there_as_of_the_version_before(
    client: TestClient,
) -> None:
    def rows(**params: str) -> list[str]:
        response = client.get("/api/v1/tables/precision-matrix", params=params)
        assert response.status_code == 200, response.text
        return [row[0] for row in response.json()["rows"]]

    assert "unsloth" in rows(as_of="2025-12-02")
    assert "unsloth" not in rows()
    assert len(rows(as_of="2025-12-02")) == len(rows()) + 1


def test_unknown_versions_and_early_dates_are_refused_in_the_error_shape(
    client: TestClient,
) -> None:
    # Well-formed but answering to no version: the graph as of it does not exist (404).
    early = client.get("/api/v1/engines/vllm", params={"as_of": "2024-01-01"})
    assert early.status_code == 404
    error = early.json()["error"]
    assert error["code"] == "not_found"
    assert "earliest is 2025-12-02" in error["message"]
    assert error["problems"][0]["field"] == "as_of"
    unknown = client.get("/api/v1/engines", params={"as_of": "v9"})
    assert unknown.status_code == 404
    assert (
        "known versions: 2025-12-02, 2026-03-01"
        in unknown.json()["error"]["problems"][0]["message"]
    )
    # Shaped like a date but naming no day: a name no version has.
    bad_date = client.get("/api/v1/engines", params={"as_of": "2025-13-40"})
    assert bad_date.status_code == 404
    # Outside the grammar of version names (the OpenAPI pattern): the caller's mistake.
    for malformed in ("x" * 61, "2025 12 02", "-dash-first", "naïve"):
        refused = client.get("/api/v1/engines", params={"as_of": malformed})
        assert refused.status_code == 400, malformed
        assert refused.json()["error"]["code"] == "invalid_input"


def test_a_write_with_as_of_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/sync/survey", params={"as_of": "2025-12-02"}, content=b"x")
    assert response.status_code in (400, 401)
    assert response.json()["error"]["code"] in ("invalid_input", "unauthorized")


def _graphql(client: TestClient, query: str, **variables: object) -> dict[str, object]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    return dict(response.json())


def test_graphql_lookups_and_lists_take_as_of(client: TestClient) -> None:
    query = """query ($v: String) {
      engine(slug: "vllm", asOf: $v) { githubStars }
      engines(first: 100, asOf: $v, filter: {techniques: {allOf: ["dynamic-batching"]}}) {
        totalCount
      }
    }"""
    past = _graphql(client, query, v="2025-12-02")
    now = _graphql(client, query, v=None)
    assert past["data"]["engine"] == {"githubStars": 43400}  # type: ignore[index]
    assert now["data"]["engine"] == {"githubStars": 45100}  # type: ignore[index]
    assert (
        now["data"]["engines"]["totalCount"]  # type: ignore[index]
        == past["data"]["engines"]["totalCount"] + 1  # type: ignore[index]
    )
    literal = _graphql(client, '{ engine(slug: "vllm", asOf: "2025-12-02") { githubStars } }')
    assert literal["data"] == {"engine": {"githubStars": 43400}}


def test_graphql_refuses_two_versions_in_one_request_and_unknown_ones(client: TestClient) -> None:
    mixed = _graphql(
        client,
        '{ a: engine(slug: "vllm", asOf: "2025-12-02") { githubStars }'
        ' b: engine(slug: "vllm") { githubStars } }',
    )
    assert "data" not in mixed
    assert mixed["errors"][0]["extensions"]["code"] == "invalid_input"  # type: ignore[index]
    through_fragment = _graphql(
        client,
        '{ engine(slug: "vllm") { githubStars } ...F }'
        ' fragment F on Query { e: engine(slug: "vllm", asOf: "2025-12-02") { githubStars } }',
    )
    assert "data" not in through_fragment
    early = _graphql(client, '{ engine(slug: "vllm", asOf: "2020-01-01") { githubStars } }')
    assert "earliest is 2025-12-02" in early["errors"][0]["message"]  # type: ignore[index]
    assert early["errors"][0]["extensions"]["code"] == "not_found"  # type: ignore[index]


def test_cli_exports_a_table_as_of_a_version(
    synced_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFERGRAPH_DATABASE_URL", synced_engine.url.render_as_string(False))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        past = runner.invoke(app, ["export", "table", "device-pricing", "--as-of", "2025-12-02"])
        now = runner.invoke(app, ["export", "table", "device-pricing"])
        early = runner.invoke(app, ["export", "table", "device-pricing", "--as-of", "1999-01-01"])
    finally:
        get_settings.cache_clear()
    assert past.exit_code == 0, past.output
    assert "5.5" not in past.output.split("Groq LPU")[1].splitlines()[0]
    assert "5.5" in now.output.split("Groq LPU")[1].splitlines()[0]
    assert early.exit_code == 1
    assert "earliest is 2025-12-02" in early.output


def test_the_source_versions_are_listed_over_rest_and_graphql(client: TestClient) -> None:
    listed = client.get("/api/v1/source-versions").json()
    assert [(v["name"], v["released_on"], v["file"]) for v in listed["results"]] == [
        ("2025-12-02", "2025-12-02", None),
        (NEWER_VERSION, "2026-03-01", "newer.md"),
    ]
    assert len(listed["results"][1]["digest"]) == 64
    first = client.get("/api/v1/source-versions", params={"per_page": "1"}).json()
    assert (first["meta"]["count"], first["meta"]["next"] is not None) == (2, True)
    rest = client.get(
        "/api/v1/source-versions", params={"cursor": first["meta"]["next_cursor"]}
    ).json()
    assert [v["name"] for v in rest["results"]] == [NEWER_VERSION]
    graphql = _graphql(client, "{ sourceVersions { nodes { name releasedOn file } } }")
    assert graphql["data"] == {
        "sourceVersions": {
            "nodes": [
                {"name": "2025-12-02", "releasedOn": "2025-12-02", "file": None},
                {"name": NEWER_VERSION, "releasedOn": "2026-03-01", "file": "newer.md"},
            ]
        }
    }


def test_compiled_graphql_plans_read_the_past_as_graphql_core_does(
    synced_engine: sa.Engine,
) -> None:
    """Compiled plans load through the request's as-of session, like every resolver."""
    limits = Limits(max_cost=10**15)
    planned = GraphQLEndpoint(graphql_schema, synced_engine, limits, PlannedExecutor(schema))
    reference = GraphQLEndpoint(graphql_schema, synced_engine, limits)
    query = """query ($v: String) {
      engines(first: 100, asOf: $v) {
        nodes { slug githubStars featureSupport(first: 500) { nodes { status feature { slug } } } }
      }
    }"""
    stars = {}
    for version in ("2025-12-02", None):
        params = GraphQLParams(query, None, {"v": version})
        ours, expected = planned.run(params, "POST", JSON), reference.run(params, "POST", JSON)
        assert ours == expected and ours[0] == 200
        nodes = ours[1]["data"]["engines"]["nodes"]
        stars[version] = next(n["githubStars"] for n in nodes if n["slug"] == "vllm")
    assert stars == {"2025-12-02": 43400, None: 45100}
