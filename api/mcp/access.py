"""The trust rules of HTTP, applied to every MCP tool call and resource read."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from mcp.server.mcpserver import Context
from mcp.types import ToolAnnotations
from sqlmodel import Session

from api.config import Settings
from api.db import read_session
from api.mcp.errors import as_protocol_errors
from api.services.tokens import authenticate
from models.access import TokenScope

READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)
"""Every InferGraph tool: it reads the graph and nothing else, so clients need not ask first."""


@dataclass(frozen=True)
class Reader:
    """Opens read sessions for callers that may read.

    Reads are public unless `Settings.read_requires_token`; then the caller needs a token of
    any scope: over HTTP the request's `Authorization` header, over stdio the server's own
    `Settings.mcp_token` (stdio has no headers). Checked on every call, so a revoked token
    stops working at once, as it does over REST."""

    engine: sa.Engine
    settings: Settings

    @contextmanager
    def checked(self, ctx: Context[Any, Any]) -> Iterator[None]:
        """The caller may read; InferGraph errors raised inside become protocol errors."""
        with as_protocol_errors():
            if self.settings.read_requires_token:
                authenticate(self.engine, self._authorization(ctx), TokenScope.READ)
            yield

    @contextmanager
    def session(self, ctx: Context[Any, Any]) -> Iterator[Session]:
        with self.checked(ctx), read_session(self.engine) as session:
            yield session

    def _authorization(self, ctx: Context[Any, Any]) -> str | None:
        headers = ctx.headers
        if headers is not None:
            return headers.get("authorization")
        token = self.settings.mcp_token
        return f"Bearer {token}" if token else None
