"""The hostile walk over the web pages: every page route (they are not in the OpenAPI
document) gets the same hostile query values, raw query strings and forged cursors as the
REST routes, and answers each with a page, never a 5xx; errors are HTML in REST's wording."""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.web.rendering import PageRoute
from tests.hostile.attacks import QUERY_VALUES, RAW_QUERY_STRINGS
from tests.hostile.cost import CostMeter

PAGE_PARAMETERS = (
    "filter",
    "sort",
    "cursor",
    "per_page",
    "q",
    "category",
    "engine",
    "technique",
    "platform",
    "format",
)
"""Every query parameter some page reads."""
SLUGS = {"slug": "vllm", "key": "sun2024simple", "name": "optimization"}
"""A real row for each path parameter, so the attacks reach past the lookup."""


def _routes(routes: list[Any]) -> list[Any]:
    """Routes with those of included routers flattened (FastAPI keeps them nested)."""
    found = []
    for route in routes:
        included = getattr(route, "original_router", None)
        found += _routes(included.routes) if included is not None else [route]
    return found


def page_paths(app: FastAPI) -> list[str]:
    paths = []
    for route in _routes(app.routes):
        if isinstance(route, APIRoute) and isinstance(route, PageRoute):
            path = route.path
            for name, value in SLUGS.items():
                path = path.replace("{" + name + "}", value)
            paths.append(path)
    return paths


def test_every_page_route_is_walked(hostile_app: FastAPI) -> None:
    paths = page_paths(hostile_app)
    assert {"/", "/engines", "/engines/vllm", "/matrices/optimization", "/compare"} <= set(paths)
    assert len(paths) >= 25


def test_every_page_survives_hostile_query_values(
    hostile: TestClient, hostile_app: FastAPI
) -> None:
    failures: list[str] = []
    sent = 0
    meter = CostMeter()

    def send(url: str, params: dict[str, str] | None = None) -> None:
        nonlocal sent
        response, cost = meter.measure(
            lambda: hostile.get(url, params=params, headers={"accept": "text/html"})
        )
        sent += 1
        shown = f"GET {url} {params or ''}"
        if response.status_code >= 500:
            failures.append(f"{shown}: {response.status_code}")
        elif response.status_code >= 400 and (
            not response.headers.get("content-type", "").startswith("text/html")
            or "<h1>" not in response.text
        ):
            failures.append(f"{shown}: {response.status_code} is not an HTML error page")
        if excess := cost.excess():
            failures.append(f"{shown}: {excess}")

    with meter.counting():
        for path in page_paths(hostile_app):
            for name in PAGE_PARAMETERS:
                for value in QUERY_VALUES:
                    send(path, {name: value})
            for raw in RAW_QUERY_STRINGS:
                send(f"{path}?{raw}")
            send(path, {"filter": "technique:" + "|".join(["lora"] * 500)})
            send(path, {"cursor": "W3t9LDFd"})
    assert failures == []
    assert sent > 3000


@pytest.mark.parametrize("raw", ["x=%00", "cursor=%00", "filter=%00"])
def test_unstorable_text_is_refused_in_the_rest_wording(hostile: TestClient, raw: str) -> None:
    page = hostile.get(f"/engines?{raw}", headers={"accept": "text/html"})
    rest = hostile.get(f"/api/v1/engines?{raw}").json()["error"]
    assert page.status_code == 400
    assert f"<h1>{rest['message']}</h1>" in page.text
