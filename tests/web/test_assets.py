"""Every asset a page loads is ours: GraphiQL, Swagger UI and ReDoc from the vendored, pinned
copies; no CDN, no font service."""

import re

import pytest
from fastapi.testclient import TestClient

from api.web.rendering import STATIC_DIR, VENDOR_VERSIONS

EXPLORERS = ["/docs", "/redoc", "/graphql"]


def loaded(html: str) -> list[str]:
    """What a page makes the browser fetch: script sources, stylesheets, icons."""
    return re.findall(r'<(?:script|link|img)\b[^>]*?\b(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize("path", EXPLORERS)
def test_the_api_explorers_load_only_vendored_files(web: TestClient, path: str) -> None:
    page = web.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assets = loaded(page.text)
    assert any(asset.startswith("/static/vendor/") for asset in assets)
    for asset in assets:
        assert asset.startswith("/static/"), f"{path} loads {asset}"
        assert web.get(asset).status_code == 200
    assert "fonts.googleapis" not in page.text and "cdn.jsdelivr" not in page.text


def test_swagger_ui_sends_the_document_to_no_validator(web: TestClient) -> None:
    assert '"validatorUrl": null' in web.get("/docs").text


def test_graphiql_is_the_vendored_build_and_queries_still_answer_json(web: TestClient) -> None:
    page = web.get("/graphql").text
    assert "/static/vendor/graphiql/graphiql.min.js" in page
    assert "/static/vendor/react/react.production.min.js" in page
    answer = web.get(
        '/graphql?query={engine(slug:"vllm"){name}}', headers={"accept": "application/json"}
    )
    assert answer.json()["data"] == {"engine": {"name": "vLLM"}}


def test_stylesheets_fetch_nothing_from_elsewhere() -> None:
    for sheet in STATIC_DIR.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
            assert target.startswith("data:") or not re.match(r"^(https?:)?//", target), (
                f"{sheet.name} loads {target}"
            )
        assert "@import" not in text, sheet.name


def test_every_vendored_package_is_pinned_and_licensed() -> None:
    assert set(VENDOR_VERSIONS) == {
        "graphiql",
        "react",
        "react-dom",
        "swagger-ui-dist",
        "redoc",
        "axe-core",
    }
    for name, version in VENDOR_VERSIONS.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), name
        assert (STATIC_DIR / "vendor" / name / "LICENSE").is_file(), name


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/static/site.css", "text/css"),
        ("/static/autocomplete.js", "text/javascript"),
        ("/static/vendor/swagger-ui-dist/swagger-ui-bundle.js", "text/javascript"),
        ("/static/favicon.svg", "image/svg+xml"),
    ],
)
def test_static_files_have_their_media_types_and_validators(
    web: TestClient, path: str, media_type: str
) -> None:
    response = web.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    etag = response.headers["etag"]
    assert web.get(path, headers={"if-none-match": etag}).status_code == 304
