"""Sources of facts."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.rest import schemas as s
from api.rest.common import (
    SessionDep,
    detail_route,
    presented_json,
)
from api.services import provenance
from models.base import SourceKind

router = APIRouter(tags=["provenance"])


@router.get("/sources", response_model=s.list_of(s.SourceOut), summary="Sources of facts")
def list_sources(
    session: SessionDep,
    kind: Annotated[SourceKind | None, Query(description="Only sources of this kind.")] = None,
) -> Any:
    return presented_json(session, provenance.SOURCE, provenance.sources_of_kind(session, kind))


detail_route(
    router,
    "/sources",
    view=provenance.SOURCE,
    get=provenance.get_source,
    summary="One source",
    jsonld_kind="source",
)
