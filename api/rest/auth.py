"""Who may write. Reads are public; every write route depends on `authorize_write`.

Until token management exists, one shared write token can be configured with
`INFERGRAPH_WRITE_TOKEN`; when it is set, writes need `Authorization: Bearer <token>`.
Without it the server is assumed to be local and writes are open.
"""

import hmac
from typing import Annotated

from fastapi import Depends, Request

from api.errors import InferGraphError, Problem


class UnauthorizedError(InferGraphError):
    def __init__(self, message: str) -> None:
        super().__init__(message, [Problem(message, field="Authorization")], "unauthorized", 401)


def authorize_write(request: Request) -> None:
    expected: str | None = request.app.state.settings.write_token
    if not expected:
        return
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise UnauthorizedError("this route needs Authorization: Bearer <write token>")
    if not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise UnauthorizedError("the write token is not valid")


WriteAccess = Annotated[None, Depends(authorize_write)]
