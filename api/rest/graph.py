"""Whole-graph downloads for network and linked-data tools."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from api.rest.common import SessionDep, jsonld_base
from api.rest.export_limit import NARROW_GRAPH, check_export_size
from api.services.exports import MEDIA_TYPES, graph_jsonld_stream, graphml_stream
from api.services.exports.size import graph_size

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
    stream = (
        graph_jsonld_stream(session, jsonld_base(request))
        if output_format == "jsonld"
        else graphml_stream(session)
    )
    media_type, suffix = MEDIA_TYPES[output_format]
    return StreamingResponse(
        stream,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="infergraph{suffix}"'},
    )
