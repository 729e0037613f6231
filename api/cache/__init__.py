"""The response cache: data version, bounded store, ASGI middleware (see docs/rest.md)."""

from collections.abc import Callable

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool

from api.cache.front import FrontedFastAPI
from api.cache.middleware import ReadCheck, ResponseCacheMiddleware
from api.cache.store import ResponseStore
from api.cache.version import version_source_for
from api.config import Settings
from api.http.cacheable import watch_reads_on
from api.services.tokens import authenticate
from models.access import TokenScope

__all__ = ["FrontedFastAPI", "install_response_cache"]


def install_response_cache(
    app: FrontedFastAPI,
    engine: sa.Engine,
    settings: Settings,
    pages: Callable[[str], bool] | None = None,
) -> None:
    """Put the cache in front of `app`, before FastAPI itself, unless disabled (0 bytes) or
    the database has no version to read (in-memory SQLite). `app.state.response_store` is
    the store, or None. `pages` tells which GET paths outside `/api/v1/` are pages kept
    like REST reads."""
    app.state.response_store = None
    if settings.response_cache_bytes <= 0:
        return
    versions = version_source_for(engine)
    if versions is None:
        return
    store = ResponseStore(settings.response_cache_bytes)
    app.state.response_store = store
    watch_reads_on(engine)
    read_check = _token_read_check(engine) if settings.read_requires_token else None
    app.set_front(
        lambda inner: ResponseCacheMiddleware(
            inner, store=store, versions=versions, read_check=read_check, pages=pages
        )
    )


def _token_read_check(engine: sa.Engine) -> ReadCheck:
    """Checked on every hit, so a revoked token stops reading at once."""

    async def may_read(authorization: str | None) -> bool:
        try:
            await run_in_threadpool(authenticate, engine, authorization, TokenScope.READ)
        except Exception:  # 401, 403, or no database: the application answers it
            return False
        return True

    return may_read
