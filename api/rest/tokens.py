"""Token management over HTTP, for administrators (scope `admin`)."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.rest import schemas as s
from api.rest.auth import AUTH_ERRORS, AdminAccess
from api.services.tokens import TokenView, create_token, list_tokens, revoke_token
from models.access import TokenScope

router = APIRouter(prefix="/tokens", tags=["tokens"], responses=AUTH_ERRORS)


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    scope: TokenScope
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class IssuedTokenOut(TokenOut):
    token: str = Field(description="The secret. Shown only in this response; store it now.")


class TokenRequest(s.RequestBody):
    name: str = Field(
        min_length=1,
        max_length=100,
        description="Who or what holds the token.",
        json_schema_extra=s.STORABLE_TEXT,
    )
    scope: TokenScope = TokenScope.WRITE


def _out(view: TokenView) -> dict[str, Any]:
    return {
        "id": view.id,
        "name": view.name,
        "prefix": view.prefix,
        "scope": view.scope,
        "created_at": view.created_at,
        "last_used_at": view.last_used_at,
        "revoked_at": view.revoked_at,
    }


@router.get("", response_model=list[TokenOut], summary="List tokens")
def get_tokens(
    request: Request, _: AdminAccess, include_revoked: bool = False
) -> list[dict[str, Any]]:
    with Session(request.app.state.engine) as session:
        return [_out(v) for v in list_tokens(session, include_revoked=include_revoked)]


@router.post("", response_model=IssuedTokenOut, status_code=201, summary="Create a token")
def post_token(body: TokenRequest, request: Request, _: AdminAccess) -> dict[str, Any]:
    issued = create_token(request.app.state.engine, name=body.name, scope=body.scope)
    return {**_out(issued.view), "token": issued.token}


@router.delete("/{token_id}", response_model=TokenOut, summary="Revoke a token")
def delete_token(
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], request: Request, _: AdminAccess
) -> dict[str, Any]:
    return _out(revoke_token(request.app.state.engine, str(token_id)))
