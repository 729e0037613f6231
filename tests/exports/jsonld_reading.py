"""Reading our JSON-LD as a linked-data client would, with the network forbidden."""

from typing import Any

from pyld import jsonld  # type: ignore[import-untyped]


def _no_network(url: str, options: Any = None) -> Any:
    raise AssertionError(f"the JSON-LD must not load {url}")


def expand_offline(document: Any) -> list[dict[str, Any]]:
    """pyld's expansion; the context is inline, so nothing may be fetched."""
    expanded = jsonld.expand(document, {"documentLoader": _no_network})
    assert isinstance(expanded, list)
    return expanded
