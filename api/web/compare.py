"""Comparing two to four engines side by side, and the requirement query as a form."""

from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.errors import InvalidInputError, Problem
from api.services import engines, hardware, support, techniques
from api.services.exports import csv_stream
from api.services.pagination import all_items
from api.services.requirements import Requirements, match_engines
from api.services.views import present
from api.services.vocabulary import Interface, bounded, from_text, respelled
from api.web.rendering import PageRoute, render, single, twin, url
from api.web.sessions import SessionDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)
MAX_COMPARED = 4
SHOWN_MATCHES = 30
"""Ranked engines the requirement page lists (the survey's 27 fit); its JSON twin has all."""

_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("organization", "Organization"),
    ("release", "Released"),
    ("open_source", "Open source"),
    ("is_commercial", "Commercial service"),
    ("github_stars", "GitHub stars"),
    ("docs_level", "Documentation"),
    ("deployment_scale", "Deployment scale"),
    ("hardware_diversity", "Hardware diversity"),
    ("aliases", "Also called"),
)
_SECTIONS = (
    (support.FactKind.FEATURE, "Optimization matrix"),
    (support.FactKind.PLATFORM, "Platforms"),
    (support.FactKind.PRECISION, "Precisions"),
)


@dataclass(frozen=True)
class CompareRow:
    label: str
    values: tuple[str, ...]

    @property
    def differs(self) -> bool:
        return len(set(self.values)) > 1


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name", ""))
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "unknown"
    return str(getattr(value, "value", value))


def _compared(request: Request) -> list[str]:
    wanted = list(dict.fromkeys(v for v in request.query_params.getlist("engine") if v))
    if len(wanted) > MAX_COMPARED:
        raise InvalidInputError(
            "too many engines to compare",
            [Problem(f"at most {MAX_COMPARED}", "query", "engine", len(wanted))],
        )
    return wanted


def comparison(
    session: SessionDep, slugs: list[str]
) -> tuple[list[Any], list[tuple[str, list[CompareRow]]]]:
    """The engines and, per section, one row per attribute or support target."""
    rows = [engines.get_engine(session, slug) for slug in slugs]
    shown = present(session, engines.ENGINE, rows)
    sections = [
        (
            "Attributes",
            [
                CompareRow(label, tuple(_shown(engine[name]) for engine in shown))
                for name, label in _ATTRIBUTES
            ],
        )
    ]
    for kind, title in _SECTIONS:
        matrix = support.support_matrix(session, kind, rows)
        by_engine = {row.engine: row for row in matrix.rows}
        sections.append(
            (
                title,
                [
                    CompareRow(
                        column.name,
                        tuple(_status_text(by_engine[slug].cells[index]) for slug in slugs),
                    )
                    for index, column in enumerate(matrix.columns)
                ],
            )
        )
    return shown, sections


def _status_text(cell: support.MatrixCell) -> str:
    word = {"supported": "✔ supported", "not_supported": "✘ not supported"}.get(
        cell.status.value, "? unknown"
    )
    return f"{word} ({cell.note})" if cell.note else word


@router.get("/compare")
def compare_page(request: Request, session: SessionDep) -> Response:
    slugs = _compared(request)
    output = single(request.query_params, "format", max_length=10)
    if output not in (None, "", "csv", "json"):
        raise InvalidInputError(
            "invalid request", [Problem("`csv` or `json`", "query", "format", output)]
        )
    everyone = list(all_items(lambda page: engines.list_engines(session, page=page)))
    if len(slugs) < 2:
        return render(
            request,
            "compare.html",
            title="Compare engines",
            engines=[],
            sections=[],
            choices=[(e.slug, e.name) for e in everyone],
            chosen=slugs,
            permalink=None,
            twins=[
                ("engines JSON", "/api/v1/engines"),
                ("engines CSV", "/api/v1/engines?format=csv"),
            ],
        )
    shown, sections = comparison(session, slugs)
    if output == "csv":
        header = ["section", "row", *(engine["name"] for engine in shown)]
        lines = ([title, row.label, *row.values] for title, rows in sections for row in rows)
        return Response(
            "".join(csv_stream(header, lines)),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="compare-{"-".join(slugs)}.csv"'
            },
        )
    if output == "json":
        body = {
            "engines": [engine["slug"] for engine in shown],
            "sections": [
                {
                    "title": title,
                    "rows": [
                        {"label": r.label, "values": list(r.values), "differs": r.differs}
                        for r in rows
                    ],
                }
                for title, rows in sections
            ],
        }
        return Response(orjson.dumps(body), media_type="application/json")
    permalink = url("/compare", [("engine", slug) for slug in slugs])
    return render(
        request,
        "compare.html",
        title="Compare " + ", ".join(engine["name"] for engine in shown),
        engines=shown,
        sections=sections,
        choices=[(e.slug, e.name) for e in everyone],
        chosen=slugs,
        permalink=permalink,
        twins=[
            ("JSON", url("/compare", [*(("engine", s) for s in slugs), ("format", "json")])),
            ("CSV", url("/compare", [*(("engine", s) for s in slugs), ("format", "csv")])),
            *((f"{engine['name']} JSON", f"/api/v1/engines/{engine['slug']}") for engine in shown),
        ],
    )


@router.get("/requirements")
def requirements_page(request: Request, session: SessionDep) -> HTMLResponse:
    params = request.query_params
    settings = request.app.state.settings
    wanted = Requirements(
        tuple(v for v in params.getlist("technique") if v),
        tuple(v for v in params.getlist("platform") if v),
        tuple(v for v in params.getlist("precision") if v),
    )
    filter_text = single(params, "filter")
    matches = None
    if wanted.count or filter_text:
        with respelled(engines.EngineFilter, Interface.REST):
            engine_filter = from_text(engines.EngineFilter, filter_text, settings.max_list_values)
        with respelled(Requirements, Interface.REST, "requirements.", ""):
            matches = match_engines(
                session,
                bounded(wanted, settings.max_list_values, "requirements."),
                engine_filter,
            )
    return render(
        request,
        "requirements.html",
        title="Which engines meet my requirements?",
        features=present(session, techniques.FEATURE, techniques.list_features(session)),
        platforms=present(
            session,
            hardware.PLATFORM,
            list(all_items(lambda page: hardware.list_platforms(session, page=page))),
        ),
        precisions=present(session, hardware.PRECISION, hardware.all_precisions(session)),
        wanted=wanted,
        filter_text=filter_text or "",
        matches=matches[:SHOWN_MATCHES] if matches is not None else None,
        match_count=len(matches) if matches is not None else 0,
        twins=[("JSON", twin(request, "/api/v1/requirements"))]
        if matches is not None
        else [
            ("the choices: matrix columns JSON", "/api/v1/features"),
            ("platforms JSON", "/api/v1/platforms"),
            ("precisions JSON", "/api/v1/precisions"),
        ],
    )
