"""An error answered straight from plain ASGI code (before FastAPI's handlers), in the one
error shape."""

from collections.abc import Iterable

import orjson
from starlette.types import Send

from api.errors import InferGraphError


async def send_error(
    send: Send, error: InferGraphError, headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    body = orjson.dumps(error.as_dict())
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *((name.lower().encode(), value.encode()) for name, value in error.headers.items()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
