"""API tokens: issue, list, revoke, and authenticate a bearer token.

A token is `ig_` followed by 43 URL-safe random characters (256 bits). Only its SHA-256 digest
is stored, so it is shown once, when issued. Scopes are ordered (read < write < admin): a token
may do what its scope and every lower scope allow.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from api.db import as_utc, session_scope
from api.errors import InferGraphError, InvalidInputError, NotFoundError, Problem
from models.access import ApiToken, TokenScope

TOKEN_PREFIX = "ig_"
_SHOWN_PREFIX_LENGTH = 10
_SCOPE_RANK = {TokenScope.READ: 0, TokenScope.WRITE: 1, TokenScope.ADMIN: 2}
_LAST_USED_RESOLUTION = timedelta(minutes=1)
"""`last_used_at` is refreshed at most this often, so reads do not turn into writes."""


class UnauthorizedError(InferGraphError):
    """No token, or one that is not valid (unknown or revoked): HTTP 401."""

    def __init__(self, message: str) -> None:
        super().__init__(
            message,
            [Problem(message, location="header", field="Authorization")],
            "unauthorized",
            401,
            headers={"WWW-Authenticate": 'Bearer realm="infergraph"'},
        )


class ForbiddenError(InferGraphError):
    """A valid token whose scope is too low for the request: HTTP 403."""

    def __init__(self, needed: TokenScope, held: TokenScope) -> None:
        message = f"this request needs a token with scope {needed.value}; this token has {held}"
        super().__init__(
            message,
            [Problem(message, location="header", field="Authorization", value=held.value)],
            "forbidden",
            403,
        )


@dataclass(frozen=True)
class TokenView:
    """What may be shown about a stored token (never the token itself)."""

    id: int
    name: str
    prefix: str
    scope: TokenScope
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, needed: TokenScope) -> bool:
        return self.active and _SCOPE_RANK[self.scope] >= _SCOPE_RANK[needed]


@dataclass(frozen=True)
class IssuedToken:
    """A token just created: the only time its secret is available."""

    token: str
    view: TokenView


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(engine: sa.Engine, *, name: str, scope: TokenScope) -> IssuedToken:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 100:
        raise InvalidInputError(
            "a token needs a name of 1 to 100 characters",
            [Problem("1 to 100 characters", field="name", value=name)],
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=cleaned,
        prefix=token[:_SHOWN_PREFIX_LENGTH],
        digest=digest(token),
        scope=TokenScope(scope),
        created_at=datetime.now(UTC),
    )
    with session_scope(engine) as session:
        session.add(row)
        session.flush()
        view = _view(row)
    return IssuedToken(token=token, view=view)


def list_tokens(session: Session, *, include_revoked: bool = False) -> list[TokenView]:
    query = select(ApiToken).order_by(col(ApiToken.id))
    if not include_revoked:
        query = query.where(col(ApiToken.revoked_at).is_(None))
    return [_view(row) for row in session.exec(query)]


def revoke_token(engine: sa.Engine, ident: str) -> TokenView:
    """Revoke by id or by the shown prefix (`ig_AbC1234`). Revoking twice is harmless."""
    with session_scope(engine) as session:
        row = _find(session, ident)
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
            session.add(row)
            session.flush()
        return _view(row)


def authenticate(engine: sa.Engine, authorization: str | None, needed: TokenScope) -> TokenView:
    """The token named by an `Authorization` header, if it allows `needed`; else 401 / 403."""
    token = bearer_token(authorization)
    with Session(engine) as session:
        row = session.exec(select(ApiToken).where(ApiToken.digest == digest(token))).first()
        if row is None or row.revoked_at is not None:
            raise UnauthorizedError("the bearer token is not valid (unknown or revoked)")
        view = _view(row)
        if not view.allows(needed):
            raise ForbiddenError(needed, view.scope)
        _note_use(session, row)
    return view


def token_digest(engine: sa.Engine, authorization: str | None) -> str | None:
    """The digest of a valid (known, unrevoked) bearer token, else None; reads only."""
    try:
        token = bearer_token(authorization)
    except UnauthorizedError:
        return None
    token_digest = digest(token)
    with Session(engine) as session:
        row = session.exec(select(ApiToken).where(ApiToken.digest == token_digest)).first()
    return token_digest if row is not None and row.revoked_at is None else None


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise UnauthorizedError("this request needs an `Authorization: Bearer <token>` header")
    return token


def _note_use(session: Session, row: ApiToken) -> None:
    now = datetime.now(UTC)
    if row.last_used_at is not None and now - as_utc(row.last_used_at) < _LAST_USED_RESOLUTION:
        return
    # A conditional UPDATE, so concurrent requests do not fight over the row.
    session.execute(sa.update(ApiToken).where(col(ApiToken.id) == row.id).values(last_used_at=now))
    session.commit()


def _find(session: Session, ident: str) -> ApiToken:
    query = select(ApiToken)
    if ident.isdigit():
        query = query.where(ApiToken.id == int(ident))
    else:
        query = query.where(ApiToken.prefix == ident[:_SHOWN_PREFIX_LENGTH])
    rows = session.exec(query).all()
    if len(rows) != 1:
        problem = "no token has this id or prefix" if not rows else "several tokens match"
        raise NotFoundError(
            f"cannot revoke {ident!r}: {problem}", [Problem(problem, field="token", value=ident)]
        )
    return rows[0]


def _view(row: ApiToken) -> TokenView:
    assert row.id is not None
    return TokenView(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scope=TokenScope(row.scope),
        created_at=as_utc(row.created_at),
        last_used_at=as_utc(row.last_used_at) if row.last_used_at else None,
        revoked_at=as_utc(row.revoked_at) if row.revoked_at else None,
    )
