"""Reading an ASGI request's headers, for the plain-ASGI layers (compression, the cache)."""

from starlette.types import Scope


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of header `name` (lower case), decoded as HTTP does (Latin-1)."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
