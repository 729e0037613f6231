"""API tokens for writes (and, when configured, reads).

Only a SHA-256 digest of each token is stored: the token itself is shown once, when it is
created, and a leaked database does not leak usable credentials.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_column


class TokenScope(StrEnum):
    """What a token may do. Each scope includes the ones before it."""

    READ = "read"
    """Read when the server is configured to require a token for reads."""
    WRITE = "write"
    """Ingest papers and review technique links."""
    ADMIN = "admin"
    """Everything, including restoring dumps."""


class ApiToken(SQLModel, table=True):
    """A bearer token: its digest, scope and life cycle."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, description="Who or what holds the token.")
    prefix: str = Field(
        max_length=16, description="The token's first characters, to tell tokens apart."
    )
    digest: str = Field(
        max_length=64, unique=True, description="SHA-256 of the token, hex-encoded."
    )
    scope: TokenScope = Field(sa_type=enum_column(TokenScope, "token_scope"))
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    last_used_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
