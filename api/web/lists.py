"""List pages: the REST lists' filter grammar, sort and cursor paging, as HTML.

A list page's URL carries the same parameters as its REST twin (`filter`, `sort`, `per_page`,
`cursor`), so `/engines?filter=platform:amd-instinct` and
`/api/v1/engines?filter=platform:amd-instinct` ask the same question of the same service
function, and one links the other.
"""

from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from api.errors import InvalidInputError, Problem
from api.services.pagination import Page, PageRequest, per_page_from_text
from api.services.views import View, present
from api.services.vocabulary import Interface, describe, from_text, respelled
from api.web.rendering import render, single, twin, with_params

Cell = tuple[str, str | None]
"""A table cell: its text and where it links (or None)."""


@dataclass(frozen=True)
class Column:
    header: str
    cell: Callable[[dict[str, Any]], Cell]


def text(name: str) -> Column:
    def cell(row: dict[str, Any]) -> Cell:
        value = row.get(name)
        shown = "" if value is None else str(getattr(value, "value", value))
        return shown, None

    return Column(name.replace("_", " "), cell)


def linked(header: str, name: str, path: str, key: str = "slug") -> Column:
    """A cell naming a row by `name` and linking its page at `path/<key>`."""
    return Column(header, lambda row: (str(row[name]), f"{path}/{row[key]}"))


def reference(header: str, name: str, path: str) -> Column:
    """A cell with the slug of another entity, linking its page (empty when there is none)."""

    def cell(row: dict[str, Any]) -> Cell:
        value = row.get(name)
        return ("", None) if value is None else (str(value), f"{path}/{value}")

    return Column(header, cell)


@dataclass(frozen=True)
class ListPage:
    title: str
    api_path: str
    view: View
    filter_class: type[Any]
    fetch: Callable[..., Page[Any]]
    columns: Sequence[Column]
    example: str
    intro: str = ""
    order: type[StrEnum] | None = None
    default_order: Any = None
    downloads: Sequence[tuple[str, str]] = field(default=(("CSV", "csv"),))
    """Extra formats of the REST twin: (label, `format` value)."""


def render_list(request: Request, session: Session, spec: ListPage) -> HTMLResponse:
    params = request.query_params
    settings = request.app.state.settings
    filter_text = single(params, "filter")
    cursor = single(params, "cursor", max_length=1000)
    per_page = per_page_from_text(params.get("per_page"), settings.max_page_size)
    with _rest_words(spec.filter_class):
        list_filter = from_text(spec.filter_class, filter_text, settings.max_list_values)
        ordered: tuple[Any, ...] = ()
        sort = None
        if spec.order is not None:
            sort = _sort(spec.order, params.get("sort"), spec.default_order)
            ordered = (sort,)
        page = spec.fetch(session, list_filter, *ordered, PageRequest(first=per_page, after=cursor))
        total = page.count()
    rows = present(session, spec.view, page.items)
    next_cursor = page.end_cursor if page.has_next else None
    return render(
        request,
        "list.html",
        title=spec.title,
        spec=spec,
        grammar=describe(spec.filter_class),
        filter_text=filter_text or "",
        sort=sort.value if sort is not None else None,
        orders=[o.value for o in spec.order] if spec.order is not None else [],
        per_page=per_page,
        rows=[[column.cell(row) for column in spec.columns] for row in rows],
        total=total,
        next_url=with_params(request, cursor=next_cursor) if next_cursor else None,
        first_url=with_params(request, cursor=None) if cursor else None,
        twins=[
            ("JSON", twin(request, spec.api_path)),
            *((label, twin(request, spec.api_path, format=fmt)) for label, fmt in spec.downloads),
        ],
    )


def _sort(order: type[StrEnum], raw: str | None, default: Any) -> Any:
    if raw is None or raw == "":
        return default
    try:
        return order(raw)
    except ValueError:
        allowed = ", ".join(o.value for o in order)
        raise InvalidInputError(
            "invalid request",
            [Problem(f"one of {allowed}", "query", "sort", raw[:50])],
        ) from None


@contextmanager
def _rest_words(filter_class: type[Any]) -> Any:
    """Problems named as the REST caller (and this page's URL) spells them."""
    try:
        with respelled(filter_class, Interface.REST):
            yield
    except InvalidInputError as error:
        error.problems[:] = [
            Problem(p.message, p.location, "cursor", p.value) if p.field == "after" else p
            for p in error.problems
        ]
        raise
