"""Whole-graph and single-node exports over HTTP, read back by real readers."""

import io
import json

import networkx  # type: ignore[import-untyped]
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from pydantic import ValidationError
from pyld import jsonld  # type: ignore[import-untyped]

from api.app import create_app
from api.config import Settings


def test_graphml_reads_into_networkx(api: TestClient) -> None:
    response = api.get("/api/v1/graph", params={"format": "graphml"})
    assert response.headers["content-type"].startswith("application/graphml+xml")
    graph = networkx.read_graphml(io.BytesIO(response.content))
    assert "engine:vllm" in graph
    assert graph.has_edge("technique:paged-attention", "paper:kwon2023efficient") or graph.has_edge(
        "paper:kwon2023efficient", "technique:paged-attention"
    )


def test_graph_jsonld_expands(api: TestClient) -> None:
    document = json.loads(api.get("/api/v1/graph").content)
    expanded = jsonld.expand(document)
    types = {t for node in expanded for t in node.get("@type", [])}
    assert "https://schema.org/ScholarlyArticle" in types
    assert "https://schema.org/SoftwareApplication" in types


def test_node_jsonld_by_format_or_accept(api: TestClient) -> None:
    by_format = api.get("/api/v1/engines/vllm", params={"format": "jsonld"})
    by_accept = api.get("/api/v1/engines/vllm", headers={"accept": "application/ld+json"})
    assert by_format.headers["content-type"].startswith("application/ld+json")
    assert by_format.json() == by_accept.json()
    [node] = jsonld.expand(by_format.json())
    assert node["https://schema.org/name"][0]["@value"] == "vLLM"


def test_csl_json_of_everything_behind_an_engine(api: TestClient) -> None:
    response = api.get("/api/v1/engines/vllm/technique-papers", params={"format": "csl-json"})
    items = json.loads(response.content)
    ids = [item["id"] for item in items]
    assert ids == sorted(ids)
    assert "kwon2023efficient" in ids  # its own paper and PagedAttention's citation
    assert all(
        item["type"] and item.get("title") is not None
        for item in items
        if item["id"] != "liu2024soeval"
    )


def test_ris_of_a_filtered_list_by_format_or_accept(api: TestClient) -> None:
    params = {"filter": "technique:paged-attention"}
    by_format = api.get("/api/v1/papers", params={**params, "format": "ris"})
    by_accept = api.get(
        "/api/v1/papers", params=params, headers={"accept": "application/x-research-info-systems"}
    )
    assert by_format.status_code == 200
    assert by_format.headers["content-type"].startswith("application/x-research-info-systems")
    assert 'filename="papers.ris"' in by_format.headers["content-disposition"]
    assert by_format.content == by_accept.content
    text = by_format.text
    assert text.startswith("TY  - CPAPER\r\nID  - kwon2023efficient\r\nAU  - Kwon, Woosuk\r\n")
    assert text.endswith("ER  - \r\n")
    assert "\r\n\r\n" not in text  # no blank line between records
    one = api.get("/api/v1/papers/kwon2023efficient", params={"format": "ris"})
    assert one.text == text
    technique = api.get("/api/v1/techniques/paged-attention/papers", params={"format": "ris"})
    assert technique.text == text


def test_jsonld_iris_are_the_servers_own_routes(api: TestClient) -> None:
    node = api.get("/api/v1/engines/vllm", params={"format": "jsonld"}).json()
    assert node["@id"] == "http://testserver/api/v1/engines/vllm"
    # The IRI is the route that answers it.
    again = api.get(node["@id"].removeprefix("http://testserver"), params={"format": "jsonld"})
    assert again.json() == node
    other_host = api.get(
        "/api/v1/engines/vllm", params={"format": "jsonld"}, headers={"host": "graph.local:9000"}
    )
    assert other_host.json()["@id"] == "http://graph.local:9000/api/v1/engines/vllm"


def test_a_base_url_must_be_absolute() -> None:
    with pytest.raises(ValidationError, match="must start with http:// or https://"):
        Settings(base_url="graph.example.org")
    assert Settings(base_url="").base_url is None  # set but empty: the default


def test_a_configured_base_url_names_every_iri(seeded_engine: sa.Engine) -> None:
    settings = Settings(
        database_url=seeded_engine.url.render_as_string(False),
        base_url="https://graph.example.org/",
    )
    with TestClient(create_app(settings)) as client:
        node = client.get("/api/v1/papers/kwon2023efficient", params={"format": "jsonld"}).json()
        graph = client.get("/api/v1/graph").text
    assert node["@id"] == "https://graph.example.org/api/v1/papers/kwon2023efficient"
    assert "http://testserver" not in graph
    assert '"@id":"https://graph.example.org/api/v1/engines/vllm"' in graph
