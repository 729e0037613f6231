"""Who may read and write over REST.

Reads are public unless `INFERGRAPH_READ_REQUIRES_TOKEN` is set; every write needs a bearer
token with the `write` scope, token management the `admin` scope (`api/services/tokens.py`).
"""

from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.http.cacheable import access_check
from api.rest.schemas import ErrorResponse
from api.services.tokens import TokenView, authenticate
from models.access import TokenScope

# Documents the scheme in OpenAPI; the check itself reads the header so that a missing or
# malformed one gets our error shape instead of FastAPI's.
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An InferGraph API token (`infergraph token create`).",
)
_Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]

AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "No token, or an unknown or revoked one."},
    403: {"model": ErrorResponse, "description": "The token's scope is too low."},
}


async def _require(request: Request, scope: TokenScope) -> TokenView:
    with access_check():
        return await run_in_threadpool(
            authenticate, request.app.state.engine, request.headers.get("authorization"), scope
        )


async def authorize_read(request: Request) -> None:
    # No `_Credentials` here: by default reads are public and OpenAPI should say so.
    if request.app.state.settings.read_requires_token:
        await _require(request, TokenScope.READ)


async def authorize_write(request: Request, _credentials: _Credentials) -> TokenView:
    return await _require(request, TokenScope.WRITE)


async def authorize_admin(request: Request, _credentials: _Credentials) -> TokenView:
    return await _require(request, TokenScope.ADMIN)


WriteAccess = Annotated[TokenView, Depends(authorize_write)]
AdminAccess = Annotated[TokenView, Depends(authorize_admin)]
