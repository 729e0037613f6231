"""Tri-state support facts: engine × matrix column, × platform, × precision."""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import Session, SQLModel, col, select

import models as m
from api.services.views import Attr, Ref, View, column, derived, rows_by_id, slug_ref
from models.base import SupportStatus


class FactKind(StrEnum):
    FEATURE = "feature"
    PLATFORM = "platform"
    PRECISION = "precision"


@dataclass(frozen=True)
class _Facts:
    model: type[Any]
    target: type[SQLModel]
    column: str


_FACTS = {
    FactKind.FEATURE: _Facts(m.FeatureSupport, m.OptimizationFeature, "feature_id"),
    FactKind.PLATFORM: _Facts(m.PlatformSupport, m.Platform, "platform_id"),
    FactKind.PRECISION: _Facts(m.PrecisionSupport, m.Precision, "precision_id"),
}


def _target_names(facts: _Facts) -> Ref:
    def load(session: Session, rows: Sequence[Any]) -> dict[Any, Any]:
        targets = rows_by_id(session, facts.target, {getattr(r, facts.column) for r in rows})
        return {r.id: targets[getattr(r, facts.column)].name for r in rows}

    return Ref("target_name", str, "Name of the matrix column, platform or precision.", load)


def _view(kind: FactKind) -> View:
    facts = _FACTS[kind]
    kind_attr: Attr = derived(
        "target_kind",
        str,
        "`feature`, `platform` or `precision`.",
        lambda _row: kind.value,
        graphql=False,
    )
    return View(
        facts.model,
        (kind_attr, column(facts.model, "status"), column(facts.model, "note")),
        (
            slug_ref("engine", "Engine slug.", m.Engine, "engine_id"),
            slug_ref(
                "target",
                "Slug of the matrix column, platform or precision.",
                facts.target,
                facts.column,
            ),
            _target_names(facts),
            slug_ref("source", "Source slug.", m.Source, "source_id"),
        ),
    )


SUPPORT_VIEWS = {kind: _view(kind) for kind in FactKind}


def engine_facts(
    session: Session, engine: m.Engine, kind: FactKind, status: SupportStatus | None = None
) -> list[Any]:
    """Every fact of one kind about an engine, in the order they were recorded."""
    model = _FACTS[kind].model
    statement = select(model).where(model.engine_id == engine.id).order_by(col(model.id))
    if status is not None:
        statement = statement.where(model.status == status)
    return list(session.exec(statement))


def target_facts(
    session: Session, kind: FactKind, target: Any, status: SupportStatus | None = None
) -> list[Any]:
    """Every engine's fact about one matrix column, platform or precision, by engine."""
    facts = _FACTS[kind]
    model = facts.model
    statement = select(model).where(getattr(model, facts.column) == target.id)
    if status is not None:
        statement = statement.where(model.status == status)
    return list(session.exec(statement.order_by(col(model.engine_id))))
