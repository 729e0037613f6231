"""Ranked full-text search and the survey's tables."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from api.rest import schemas as s
from api.rest.common import SessionDep
from api.services import survey_tables
from api.services.pagination import check_page_size
from api.services.search import MAX_PREFIX_LENGTH, autocomplete, search

router = APIRouter(tags=["search and survey tables"])


@router.get(
    "/search",
    response_model=s.list_of(s.SearchHitOut),
    summary="Full-text search",
    description="Engines whose name, slug or alias contains `q` (an exact match first), then "
    "ranked full-text search over technique names and descriptions, then over paper titles "
    "and abstracts, each best first.",
)
def full_text_search(
    request: Request,
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to find.")],
    limit: Annotated[int, Query(ge=1, description="Most hits (up to the page-size limit).")] = 20,
) -> Any:
    check_page_size(limit, request.app.state.settings.max_page_size, "limit")
    return [
        s.SearchHitOut(kind=hit.kind, id=hit.key, title=hit.title, score=hit.score)
        for hit in search(session, q, limit)
    ]


@router.get(
    "/autocomplete",
    response_model=s.list_of(s.SuggestionOut),
    summary="Names starting with a prefix",
    description="Engines, techniques, matrix columns, categories and papers with a word of "
    "their name starting with `q` (case-insensitively: `spe` suggests Speculative Decoding), "
    "names that start with it first.",
)
def prefix_suggestions(
    request: Request,
    session: SessionDep,
    q: Annotated[
        str,
        Query(min_length=1, max_length=MAX_PREFIX_LENGTH, description="What was typed so far."),
    ],
    limit: Annotated[int, Query(ge=1, description="Most suggestions.")] = 10,
) -> Any:
    check_page_size(limit, request.app.state.settings.max_page_size, "limit")
    return [
        s.SuggestionOut(kind=hit.kind, id=hit.key, name=hit.name)
        for hit in autocomplete(session, q, limit)
    ]


@router.get("/tables", response_model=list[str], summary="Names of the regenerable survey tables")
def list_tables(session: SessionDep) -> Any:
    return survey_tables.table_names(session)


@router.get(
    "/tables/{name}",
    response_model=s.TableOut,
    summary="One survey table, regenerated from the database",
    description="`format=markdown`, `csv` or `csv-excel` (CSV with a byte-order mark) "
    "downloads it.",
    responses={200: {"content": {"text/markdown": {}, "text/csv": {}}}},
)
def get_table(
    name: str,
    session: SessionDep,
    output_format: Annotated[
        str | None, Query(alias="format", pattern="^(json|markdown|csv|csv-excel)$")
    ] = None,
) -> Any:
    table = survey_tables.render_table(session, name)
    if output_format == "markdown":
        return PlainTextResponse(
            table.to_markdown(),
            media_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.md"'},
        )
    if output_format in ("csv", "csv-excel"):
        return PlainTextResponse(
            table.to_csv(bom=output_format == "csv-excel"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return s.TableOut(
        name=table.name,
        title=table.title,
        headers=table.headers,
        rows=table.rows,
        notes=table.notes,
    )
