"""How many rows an export would hold, counted before a byte of it is written."""

import sqlalchemy as sa
from sqlmodel import Session

from api.services.exports.jsonld import node_models
from api.services.exports.papers import PaperSelection, selected_ids


def selection_size(session: Session, selection: PaperSelection) -> int:
    """Papers in a selection (ids, or a SELECT of papers or paper ids)."""
    if isinstance(selection, sa.Select):
        counted = sa.select(sa.func.count()).select_from(selected_ids(selection).subquery())
        return int(session.execute(counted).scalar_one())
    return len(set(selection))


def graph_size(session: Session) -> int:
    """Nodes in the whole-graph export (engines, techniques, papers, …)."""
    return sum(
        int(session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())
        for model in node_models()
    )
