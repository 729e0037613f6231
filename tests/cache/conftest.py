"""A seeded database of this package's own (its tests write), served with the response cache.

`reader` sends no credentials, as a public client does (requests with `Authorization` bypass
the cache); writes send the `write_headers` token. `other` is a second engine on the same
database: what another process (the CLI) would write through.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response

from api.app import create_app
from api.cache.store import ResponseStore
from api.config import Settings
from api.db import create_db_engine
from api.services.tokens import create_token
from models.access import TokenScope


@dataclass
class Served:
    engine: sa.Engine
    other: sa.Engine
    app: FastAPI
    reader: TestClient
    write_headers: dict[str, str]

    @property
    def store(self) -> ResponseStore:
        store: ResponseStore = self.app.state.response_store
        return store

    def version(self) -> int:
        return data_version(self.engine)

    def graphql(self, query: str, **variables: Any) -> Response:
        return self.reader.post("/graphql", json={"query": query, "variables": variables})

    def ingest_bibtex(self, text: str, *techniques: str) -> dict[str, Any]:
        response = self.reader.post(
            "/api/v1/ingest/bibtex",
            params={"file_name": "cache-test.bib", "technique": list(techniques)},
            content=text.encode(),
            headers={**self.write_headers, "content-type": "application/x-bibtex"},
        )
        assert response.status_code == 200, response.text
        report: dict[str, Any] = response.json()
        return report


def data_version(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT version FROM data_version")).scalar_one())


def serve(engine: sa.Engine, **settings: Any) -> tuple[FastAPI, TestClient]:
    app = create_app(Settings(database_url=engine.url.render_as_string(False), **settings))
    return app, TestClient(app)


@pytest.fixture(scope="module")
def served(module_seeded_copy: sa.Engine) -> Iterator[Served]:
    engine = module_seeded_copy
    issued = create_token(engine, name="cache tests", scope=TokenScope.WRITE)
    other = create_db_engine(engine.url.render_as_string(False))
    app, client = serve(engine)
    with client:
        yield Served(engine, other, app, client, {"authorization": f"Bearer {issued.token}"})
    other.dispose()


def bibtex_entry(key: str, title: str, abstract: str = "") -> str:
    return (
        f"@article{{{key},\n  title = {{{title}}},\n  author = {{Cache, Tester}},\n"
        f"  year = {{2025}},\n  journal = {{Journal of Caches}},\n"
        f"  abstract = {{{abstract}}}\n}}\n"
    )
