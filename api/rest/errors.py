"""Every REST error, from every route, has the same JSON shape: `{"error": {...}}`."""

import logging
import math
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from api.errors import InferGraphError, MovedError, Problem
from api.http.database_errors import database_unavailable

logger = logging.getLogger("infergraph.rest")

CODES = {
    400: "invalid_input",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
}


def moved_location(request: Request, error: MovedError) -> str:
    """The same URL with the survivor's key where the absorbed one was (`/papers/{key}…`)."""
    path = str(request.scope["path"])
    old = f"/papers/{error.old_key}"
    start = path.find(old)
    if start < 0:
        return str(request.url)
    new_path = (
        path[:start] + "/papers/" + quote(error.new_key, safe="/:") + path[start + len(old) :]
    )
    query = request.url.query
    return new_path + (f"?{query}" if query else "")


def body(code: str, message: str, problems: list[Problem]) -> dict[str, object]:
    return InferGraphError(message, problems, code=code).as_dict()


def install(app: FastAPI) -> None:
    @app.exception_handler(InferGraphError)
    async def infergraph_error(request: Request, error: InferGraphError) -> JSONResponse:
        headers = dict(error.headers)
        if isinstance(error, MovedError):
            headers["Location"] = moved_location(request, error)
        return JSONResponse(error.as_dict(), status_code=error.status, headers=headers)

    @app.exception_handler(sa.exc.SQLAlchemyError)
    async def database_error(request: Request, error: sa.exc.SQLAlchemyError) -> JSONResponse:
        unavailable = database_unavailable(error)
        if unavailable is None:
            return await unexpected(request, error)
        return JSONResponse(
            unavailable.as_dict(), status_code=unavailable.status, headers=unavailable.headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            Problem(
                str(detail.get("msg", "invalid")),
                location=str(detail["loc"][0]) if detail.get("loc") else None,
                field=".".join(str(p) for p in detail.get("loc", ())[1:]) or None,
                value=_printable(detail.get("input")),
            )
            for detail in error.errors()
        ]
        return JSONResponse(body("invalid_input", "invalid request", problems), status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, error: HTTPException) -> JSONResponse:
        code = CODES.get(error.status_code, "error")
        return JSONResponse(
            body(code, str(error.detail), []),
            status_code=error.status_code,
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, error: Exception) -> JSONResponse:
        logger.error("unhandled error", exc_info=error)
        return JSONResponse(body("internal_error", "internal error", []), status_code=500)


def _printable(value: object) -> str | int | float | None:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no inf or nan (`1e400` in a body parses to inf)
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"
