"""Tri-state support facts: engine × matrix column, × platform, × precision."""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

import models as m
from api.errors import InvalidInputError, NotFoundError, Problem
from api.services import techniques
from api.services.views import Attr, Ref, View, column, derived, rows_by_id, slug_ref
from models.base import PlatformKind, PrecisionFamily, SupportStatus


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


@dataclass(frozen=True)
class MatrixColumn:
    id: int
    slug: str
    name: str
    group: str
    """What the column can be filtered by: the technique categories of a matrix column's
    members and their ancestors (`;`-joined slugs), a platform's kind, a precision's family."""


@dataclass(frozen=True)
class MatrixCell:
    status: SupportStatus
    note: str | None
    source: str | None
    """Slug of the source that states the fact; None when no source says anything."""


@dataclass(frozen=True)
class MatrixRow:
    engine: str
    engine_name: str
    cells: tuple[MatrixCell, ...]


@dataclass(frozen=True)
class Matrix:
    kind: FactKind
    columns: tuple[MatrixColumn, ...]
    rows: tuple[MatrixRow, ...]


_NO_FACT = MatrixCell(SupportStatus.UNKNOWN, None, None)


def matrix_columns(session: Session, kind: FactKind) -> tuple[MatrixColumn, ...]:
    """Every target of `kind` (matrix column, platform, precision) in recorded order."""
    target: Any = _FACTS[kind].target
    targets: list[Any] = list(session.exec(select(target).order_by(col(target.id))))
    groups = _column_groups(session, kind, targets)
    return tuple(MatrixColumn(t.id, t.slug, t.name, groups.get(t.id, "")) for t in targets)


def matrix_engines(session: Session) -> list[Any]:
    """Every engine's id, slug and name, by name: the rows a matrix can have (plain rows, so
    ordering a few hundred engines costs no ORM objects)."""
    statement = sa.select(col(m.Engine.id), col(m.Engine.slug), col(m.Engine.name))
    return sorted(session.execute(statement), key=lambda engine: engine.name.casefold())


def matrix_rows(
    session: Session,
    kind: FactKind,
    engines: Sequence[Any],
    columns: Sequence[MatrixColumn],
) -> tuple[MatrixRow, ...]:
    """One row per engine (anything with `id`, `slug`, `name`), in the order given, one cell
    per column: the fact's status, or `unknown` where no source says anything. Reads only
    these engines' facts."""
    facts = _FACTS[kind]
    model = facts.model
    ids = [e.id for e in engines]
    sources = {s.id: s.slug for s in session.exec(select(m.Source))}
    target_column = getattr(model, facts.column)
    # Plain rows, not ORM objects: a page of the matrix is hundreds of facts.
    statement = sa.select(
        model.engine_id, target_column, model.status, model.note, model.source_id
    ).where(col(model.engine_id).in_(ids))
    stated = {
        (engine_id, target_id): MatrixCell(status, note, sources.get(source_id))
        for engine_id, target_id, status, note, source_id in session.execute(statement)
    }
    return tuple(
        MatrixRow(
            e.slug,
            e.name,
            tuple(stated.get((e.id or 0, c.id), _NO_FACT) for c in columns),
        )
        for e in engines
    )


def supported_counts(session: Session, kind: FactKind, target_ids: Sequence[int]) -> dict[int, int]:
    """Engine id → how many of these targets it is stated to support (one grouped query)."""
    facts = _FACTS[kind]
    model = facts.model
    statement = (
        sa.select(model.engine_id, sa.func.count())
        .where(model.status == SupportStatus.SUPPORTED)
        .where(getattr(model, facts.column).in_(list(target_ids)))
        .group_by(model.engine_id)
    )
    return {int(engine): int(count) for engine, count in session.execute(statement)}


def column_statuses(session: Session, kind: FactKind, target_id: int) -> dict[int, SupportStatus]:
    """Engine id → its stated status for one target."""
    facts = _FACTS[kind]
    model = facts.model
    statement = select(model.engine_id, model.status).where(
        getattr(model, facts.column) == target_id
    )
    return {int(engine): status for engine, status in session.exec(statement)}


def support_matrix(session: Session, kind: FactKind, engines: Sequence[m.Engine]) -> Matrix:
    """`engines` × every target of `kind`."""
    columns = matrix_columns(session, kind)
    return Matrix(kind, columns, matrix_rows(session, kind, engines, columns))


def _column_groups(session: Session, kind: FactKind, targets: Sequence[Any]) -> dict[int, str]:
    if kind == FactKind.PLATFORM:
        return {t.id: t.kind.value for t in targets}
    if kind == FactKind.PRECISION:
        return {t.id: t.family.value for t in targets}
    # A matrix column belongs to the categories of its member techniques and their ancestors,
    # so filtering by `compression` keeps the quantization columns.
    categories = {c.id: c for c in session.exec(select(m.TechniqueCategory))}
    members = session.exec(
        select(m.FeatureMember.feature_id, m.Technique.category_id).join(
            m.Technique, col(m.Technique.id) == m.FeatureMember.technique_id
        )
    )
    groups: dict[int, set[str]] = {}
    for feature_id, category_id in members:
        category = categories.get(category_id)
        while category is not None:
            groups.setdefault(feature_id, set()).add(category.slug)
            category = categories.get(category.parent_id)
    return {feature: ";".join(sorted(slugs)) for feature, slugs in groups.items()}


# --- one view of a matrix: what the matrix pages and the heatmap charts both show ---------

ROWS_PER_PAGE = 30
"""Engines per view of a matrix: the survey's 27 fit on one; a larger graph pages."""
_RANK = {SupportStatus.SUPPORTED: 0, SupportStatus.NOT_SUPPORTED: 1, SupportStatus.UNKNOWN: 2}


@dataclass(frozen=True)
class MatrixView:
    kind: FactKind
    category: str
    sort: str
    page: int
    pages: int
    engines_total: int
    columns: tuple[MatrixColumn, ...]
    rows: tuple[MatrixRow, ...]


def matrix_groups(session: Session, kind: FactKind) -> list[tuple[str, str]]:
    """What a matrix's columns can be filtered by: (value, label)."""
    if kind == FactKind.PLATFORM:
        return [(k.value, k.value.replace("_", " ")) for k in PlatformKind]
    if kind == FactKind.PRECISION:
        return [(f.value, f.value.replace("_", " ")) for f in PrecisionFamily]
    return [(c.slug, c.name) for c in techniques.list_categories(session)]


def matrix_view(
    session: Session, kind: FactKind, *, category: str = "", sort: str = "name", page: int = 1
) -> MatrixView:
    """One page of a matrix: the columns of `category` (all when empty), engines in the order
    `sort` asks for, `ROWS_PER_PAGE` of them from page `page` (1-based), one cell each."""
    # A category, column or page the matrix does not have is not found (404): the request is
    # well formed, the part of the matrix it names does not exist (as an unknown slug).
    groups = dict(matrix_groups(session, kind))
    if category and category not in groups:
        raise NotFoundError(
            "no such category in this matrix",
            [Problem(f"one of {', '.join(groups)}", "query", "category", category)],
        )
    every_column = matrix_columns(session, kind)
    columns = tuple(c for c in every_column if not category or category in c.group.split(";"))
    ordered = _ordered(session, kind, sort, columns, every_column)
    pages = max(1, -(-len(ordered) // ROWS_PER_PAGE))
    if page < 1:
        raise InvalidInputError(
            "invalid request", [Problem(f"a whole number from 1 to {pages}", "query", "page", page)]
        )
    if page > pages:
        raise NotFoundError(
            f"the matrix has {pages} page(s)",
            [Problem(f"a whole number from 1 to {pages}", "query", "page", page)],
        )
    shown = ordered[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE]
    rows = matrix_rows(session, kind, shown, columns)
    return MatrixView(kind, category, sort, page, pages, len(ordered), columns, rows)


def _ordered(
    session: Session,
    kind: FactKind,
    sort: str,
    columns: Sequence[MatrixColumn],
    every_column: Sequence[MatrixColumn],
) -> list[Any]:
    """Every engine in the order asked for: `name`, `-supported` (most supported among the
    shown columns first) or a column's slug (supported there first, then not supported, then
    unknown); ties by name."""
    engines = matrix_engines(session)
    if sort == "name":
        return engines
    if sort == "-supported":
        counts = supported_counts(session, kind, [c.id for c in columns])
        return sorted(engines, key=lambda engine: -counts.get(engine.id or 0, 0))
    by_slug = {c.slug: c for c in every_column}
    if sort not in by_slug:
        raise NotFoundError(
            "no such column in this matrix",
            [Problem("`name`, `-supported` or a column's slug", "query", "sort", sort)],
        )
    statuses = column_statuses(session, kind, by_slug[sort].id)
    return sorted(
        engines,
        key=lambda engine: _RANK.get(statuses.get(engine.id or 0, SupportStatus.UNKNOWN), 2),
    )
