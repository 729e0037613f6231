"""Whole-graph downloads for network and linked-data tools, and papers behind an engine."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlmodel import col, select

import models as m
from api.rest import schemas as s
from api.rest.common import PAPER_DOWNLOADS, SessionDep, get_by_slug
from api.rest.export_limit import NARROW_GRAPH, NARROW_PAPERS, check_export_size
from api.rest.literature import PaperFormatParam, paper_download, paper_format, paper_set_response
from api.services.exports import MEDIA_TYPES, engine_papers, graph_jsonld_stream, graphml_stream
from api.services.exports.size import graph_size, selection_size

router = APIRouter(tags=["exports"])


@router.get(
    "/graph",
    summary="The whole graph",
    description="`format=jsonld` (schema.org vocabulary, default) or `graphml` (Gephi, "
    "networkx). Streamed: memory does not grow with the graph.",
    responses={
        200: {
            "content": {
                "application/ld+json": {"schema": {"type": "object"}},
                "application/graphml+xml": {"schema": {"type": "string"}},
            },
            "description": "The graph as a download.",
        }
    },
    response_class=StreamingResponse,
)
def whole_graph(
    request: Request,
    session: SessionDep,
    output_format: Annotated[str, Query(alias="format", pattern="^(jsonld|graphml)$")] = "jsonld",
) -> Any:
    check_export_size(request, graph_size(session), narrow=NARROW_GRAPH)
    stream = graph_jsonld_stream(session) if output_format == "jsonld" else graphml_stream(session)
    media_type, suffix = MEDIA_TYPES[output_format]
    return StreamingResponse(
        stream,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="infergraph{suffix}"'},
    )


@router.get(
    "/engines/{slug}/technique-papers",
    response_model=list[s.PaperOut],
    responses=PAPER_DOWNLOADS,
    summary="Everything behind an engine",
    description="The works cited by every technique of the matrix columns the engine supports, "
    "plus the engine's own papers; `format=bibtex` or `csl-json` for a reference manager.",
)
def engine_technique_papers(
    request: Request, slug: str, session: SessionDep, output_format: PaperFormatParam = None
) -> Any:
    get_by_slug(session, m.Engine, slug, "engine")
    selection = engine_papers(session, slug)
    check_export_size(request, selection_size(session, selection), narrow=NARROW_PAPERS)
    chosen = paper_format(request, output_format)
    if chosen in ("bibtex", "csl-json"):
        return paper_download(session, selection, chosen, f"engine-{slug}")
    rows = list(
        session.exec(
            select(m.Paper).where(col(m.Paper.id).in_(selection)).order_by(col(m.Paper.bibtex_key))
        )
    )
    return paper_set_response(request, session, rows, chosen, f"engine-{slug}")
