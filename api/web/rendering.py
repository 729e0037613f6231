"""Templates, the route class every page uses, and the URLs pages build.

Pages take their query parameters as text and check them themselves (through the same
vocabularies and service checks REST uses), so a bad URL is answered by an HTML page carrying
the error's own message and problems, never FastAPI's JSON.
"""

import re
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
import sqlalchemy as sa
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from api.errors import InferGraphError, InvalidInputError, Problem
from api.http.database_errors import database_unavailable
from api.services.unstorable import text_refusal

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
STATIC_PREFIX = "/static"
VENDOR_VERSIONS: dict[str, str] = dict(
    line.rsplit("@", 1)
    for line in (STATIC_DIR / "vendor" / "VERSIONS").read_text().split()
    if "@" in line
)
"""The vendored packages and their pinned versions (`.ci/fetch-web-vendor` writes the file)."""

templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def status_symbol(status: Any) -> str:
    """Told apart by shape and word, not only by colour."""
    value = getattr(status, "value", status)
    return {"supported": "✔", "not_supported": "✘"}.get(str(value), "?")


def status_word(status: Any) -> str:
    value = str(getattr(status, "value", status))
    return {"supported": "supported", "not_supported": "not supported"}.get(value, "unknown")


templates.filters["symbol"] = status_symbol
templates.filters["status_word"] = status_word
templates.globals["vendor"] = VENDOR_VERSIONS


AS_OF = "as_of"


@dataclass(frozen=True)
class PageVersion:
    """The source version a page reads (`?as_of=`), for its banner and its links."""

    asked: str
    """As the URL gave it (a name or a date): the page's links repeat it."""
    name: str
    released_on: str
    current: bool
    """The newest version: the page shows the graph as it is now."""


def page_version_of(request: Request) -> PageVersion | None:
    version = getattr(request.state, "page_version", None)
    return version if isinstance(version, PageVersion) else None


# Links that leave the graph's pages as they are: assets, and pages that read no version.
_UNVERSIONED = (STATIC_PREFIX + "/", "/graphql", "/docs", "/redoc", "/mcp", "/openapi.json")
_TAG = re.compile(r"<(a|img|form)\b[^>]*>", re.IGNORECASE)
_TARGET = re.compile(r'\b(href|src|action)="(/[^"]*)"')
CURRENT_MARK = 'data-as-of="current"'
"""Marks the banner's link to the current graph: the one link that drops `as_of`."""


def keep_as_of(page: str, as_of: str) -> str:
    """The page with every link to another page of the graph (and its REST twins) reading
    the same version. `as_of` has the version-name grammar: nothing in it needs escaping."""

    def tag(match: re.Match[str]) -> str:
        text = match.group(0)
        if CURRENT_MARK in text:
            return text
        if match.group(1).lower() == "form":
            if 'method="post"' in text.lower():
                return text
            return text + f'<input type="hidden" name="{AS_OF}" value="{as_of}">'
        return _TARGET.sub(lambda target: _target(target, as_of), text)

    return _TAG.sub(tag, page)


def _target(match: re.Match[str], as_of: str) -> str:
    attribute, address = match.group(1), match.group(2)
    path = address.split("?", 1)[0].split("#", 1)[0]
    if address.startswith("//") or path.startswith(_UNVERSIONED) or path in _UNVERSIONED:
        return match.group(0)
    if f"{AS_OF}=" in address:
        return match.group(0)
    address, _, fragment = address.partition("#")
    joiner = "&amp;" if "?" in address else "?"
    address = f"{address}{joiner}{AS_OF}={as_of}" + (f"#{fragment}" if fragment else "")
    return f'{attribute}="{address}"'


def render(
    request: Request, template: str, *, status: int = 200, title: str, **context: Any
) -> HTMLResponse:
    version = page_version_of(request)
    page = templates.get_template(template).render(
        request=request,
        path=request.url.path,
        title=title,
        page_version=version,
        current_url=with_params(request, **{AS_OF: None}),
        **context,
    )
    if version is not None:
        page = keep_as_of(page, version.asked)
    return HTMLResponse(page, status_code=status)


def error_page(request: Request, error: InferGraphError) -> HTMLResponse:
    response = render(
        request,
        "error.html",
        status=error.status,
        title=error.as_dict()["error"]["message"],
        error=error.as_dict()["error"],
        http_status=error.status,
    )
    response.headers.update(error.headers)
    return response


def url(path: str, params: Iterable[tuple[str, str]] = ()) -> str:
    query = urlencode([(k, v) for k, v in params if v != ""])
    return f"{path}?{query}" if query else path


def with_params(request: Request, **changes: str | None) -> str:
    """This page's URL with some parameters replaced (None drops one): sort links, paging."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    added = [(k, v) for k, v in changes.items() if v is not None]
    return url(request.url.path, kept + added)


def twin(request: Request, api_path: str, **extra: str) -> str:
    """The REST twin of this page: same query (filter, sort, per_page, cursor), JSON or
    another format."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in extra]
    return url(api_path, kept + list(extra.items()))


def refuse_unstorable(request: Request) -> None:
    """The check REST runs router-wide (api/rest/nul.py), in the same words."""
    problems = [
        Problem(message, "query", name if text_refusal(name) is None else None, None)
        for name, value in request.query_params.multi_items()
        if (message := text_refusal(name) or text_refusal(value)) is not None
    ]
    problems += [
        Problem(message, "path", name, None)
        for name, value in request.path_params.items()
        if (message := text_refusal(value)) is not None
    ]
    if problems:
        raise InvalidInputError(
            "text that cannot be stored (NUL, unpaired surrogates)", problems[:20]
        )


def single(params: Mapping[str, str], name: str, *, max_length: int = 2000) -> str | None:
    value = params.get(name)
    if value is not None and len(value) > max_length:
        raise InvalidInputError(
            f"{name} too long",
            [Problem(f"at most {max_length} characters", "query", name, len(value))],
        )
    return value


class PageRoute(APIRoute):
    """A page: InferGraph errors (and database outages) become HTML pages with the status and
    wording REST would give them."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                refuse_unstorable(request)
                return await handler(request)
            except InferGraphError as error:
                return error_page(request, error)
            except RequestValidationError as error:
                problems = [
                    Problem(str(d.get("msg", "invalid")), field=".".join(map(str, d["loc"][1:])))
                    for d in error.errors()
                ]
                return error_page(request, InvalidInputError("invalid request", problems))
            except sa.exc.SQLAlchemyError as error:
                unavailable = database_unavailable(error)
                if unavailable is None:
                    raise
                return error_page(request, unavailable)

        return page
