"""Request-body, upload and export-size limits over REST: refused with a 4xx that says why."""

import csv
import io
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.services.tokens import create_token
from models.access import TokenScope

SMALL_BIBTEX = b"""@article{tiny2024,
  title = {A Tiny Paper},
  author = {Doe, Jane},
  year = {2024},
  journal = {Journal of Small Things},
  abstract = {Small papers still need a home: this one is here to be larger than the
    general request-body limit of these tests and smaller than the BibTeX upload limit.}
}
"""


@pytest.fixture
def small_exports(seeded_engine: sa.Engine) -> Iterator[TestClient]:
    url = seeded_engine.url.render_as_string(False)
    with TestClient(create_app(Settings(database_url=url, max_export_rows=30))) as client:
        yield client


@pytest.fixture
def small_bodies(empty_engine: sa.Engine) -> Iterator[TestClient]:
    url = empty_engine.url.render_as_string(False)
    settings = Settings(database_url=url, max_body_bytes=200, max_ingest_bytes=1000)
    issued = create_token(empty_engine, name="limits", scope=TokenScope.WRITE)
    with TestClient(create_app(settings)) as client:
        client.headers["authorization"] = f"Bearer {issued.token}"
        yield client


def test_a_paper_download_over_the_limit_says_how_to_narrow(small_exports: TestClient) -> None:
    response = small_exports.get("/api/v1/papers", params={"format": "bibtex"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "export_too_large"
    assert error["message"] == (
        "this download would hold 88 rows; the limit is 30 (INFERGRAPH_MAX_EXPORT_ROWS)"
    )
    assert "`filter`" in error["problems"][0]["message"]
    assert error["problems"][0]["value"] == 88

    narrowed = small_exports.get(
        "/api/v1/papers", params={"format": "bibtex", "filter": "technique:paged-attention"}
    )
    assert narrowed.status_code == 200
    assert narrowed.text.count("\n@") + narrowed.text.startswith("@") == 1


def test_a_list_download_within_the_limit_is_whole(small_exports: TestClient) -> None:
    response = small_exports.get("/api/v1/engines", params={"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 27
    assert "vLLM" in {row["name"] for row in rows}
    # The JSON list pages as before: the export limit is not a page-size limit.
    page = small_exports.get("/api/v1/papers", params={"per_page": 50}).json()
    assert (len(page["results"]), page["meta"]["count"]) == (50, 88)


def test_unpaged_paper_sets_are_limited_in_every_format(small_exports: TestClient) -> None:
    for output_format in ("json", "csv", "csl-json"):
        response = small_exports.get(
            "/api/v1/engines/vllm/technique-papers", params={"format": output_format}
        )
        assert response.status_code == 400, output_format
        assert response.json()["error"]["code"] == "export_too_large"


def test_the_whole_graph_points_to_the_cli(small_exports: TestClient) -> None:
    response = small_exports.get("/api/v1/graph", params={"format": "graphml"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "export_too_large"
    assert "infergraph export graph" in error["problems"][0]["message"]


def test_a_body_over_the_limit_is_refused_before_authorization(
    small_bodies: TestClient,
) -> None:
    response = small_bodies.post(
        "/api/v1/ingest/arxiv",
        json={"ids": ["2309.06180"] * 30},
        headers={"authorization": ""},
    )
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": "request body larger than 200 bytes",
        "problems": [
            {
                "message": "at most 200 bytes (set by INFERGRAPH_MAX_BODY_BYTES)",
                "location": "body",
                "value": len(response.request.content),
            }
        ],
    }


def test_graphql_bodies_are_limited_too(small_bodies: TestClient) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(30)) + " }"
    response = small_bodies.post("/graphql", json={"query": query})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_bibtex_uploads_have_their_own_allowance(small_bodies: TestClient) -> None:
    assert 200 < len(SMALL_BIBTEX) <= 1000
    accepted = small_bodies.post("/api/v1/ingest/bibtex", content=SMALL_BIBTEX)
    assert accepted.status_code == 200
    assert accepted.json()["added"] == 1

    too_large = small_bodies.post("/api/v1/ingest/bibtex", content=SMALL_BIBTEX * 6)
    assert too_large.status_code == 413
    problem = too_large.json()["error"]["problems"][0]
    assert problem["message"] == "at most 1000 bytes (set by INFERGRAPH_MAX_INGEST_BYTES)"


def test_a_streamed_upload_without_a_length_is_counted(small_bodies: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield SMALL_BIBTEX

    response = small_bodies.post("/api/v1/ingest/bibtex", content=chunks())
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
