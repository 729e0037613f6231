"""The routes a hostile walk visits, read from the app itself."""

import re

from fastapi import FastAPI


def keyset_lists(app: FastAPI) -> list[str]:
    """URLs of the lists that take a `cursor`, once per documented `sort` (each order has
    cursors of its own), path parameters filled with a real slug."""
    document = app.openapi()
    urls: list[str] = []
    for path, item in document["paths"].items():
        params = {p["name"]: p for p in item.get("get", {}).get("parameters", [])}
        if not path.startswith("/api/v1") or "cursor" not in params:
            continue
        sort = params.get("sort")
        if sort is None:
            urls.append(filled(path))
            continue
        name = sort["schema"]["$ref"].rsplit("/", 1)[-1]
        urls += [
            f"{filled(path)}?sort={order}"
            for order in document["components"]["schemas"][name]["enum"]
        ]
    return urls


def filled(path: str) -> str:
    # vLLM's slug fills every path parameter well enough to reach the handler's own checks.
    return re.sub(r"\{[^}]+\}", "vllm", path)
