"""Resolving user-given names to rows, with "did you mean" suggestions on a miss."""

import difflib
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

import models as m
from api.errors import InvalidInputError, NotFoundError, Problem

Model = TypeVar("Model", bound=SQLModel)


SUGGESTED_LENGTH = 100
"""Longest name compared for "did you mean": difflib's time grows with the product of the
lengths, and no slug is longer, so a megabyte-long value costs what a short one does."""
MOST_SUGGESTED = 10
"""Unknown values of one list that get suggestions; the others are named without, so the
work is bounded however many a caller sends."""


def closest(value: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    by_fold = {c.casefold(): c for c in candidates}
    matches = difflib.get_close_matches(
        value[:SUGGESTED_LENGTH].casefold(), list(by_fold), n=limit, cutoff=0.5
    )
    return [by_fold[match] for match in matches]


def unknown_problems(
    kind: str, values: Sequence[str], known: Sequence[str], field: str
) -> list[Problem]:
    """One problem per unknown value, the first `MOST_SUGGESTED` with "did you mean"."""
    problems = []
    for index, value in enumerate(values):
        suggestions = closest(value, known) if index < MOST_SUGGESTED else []
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        problems.append(Problem(f"unknown {kind}{hint}", field=field, value=value))
    return problems


def not_found(kind: str, value: str, candidates: Iterable[str], field: str) -> NotFoundError:
    suggestions = closest(value, candidates)
    hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
    return NotFoundError(
        f"no {kind} {value!r}",
        [Problem(f"unknown {kind}{hint}", field=field, value=value)],
    )


def by_slug(session: Session, model: type[Model], slug: str, kind: str, field: str) -> Model:
    row = session.exec(select(model).where(col(model.slug) == slug)).first()  # type: ignore[attr-defined]
    if row is None:
        raise not_found(kind, slug, session.exec(select(model.slug)), field)  # type: ignore[attr-defined]
    return row


NO_MATCH = " no such slug "
"""Stands in a filter for a slug that names no row (`api/services/unknown_slugs.py`): it
matches nothing. No slug is spelled so (blanks), and where it is compared with a column as
text it is text every database stores (a NUL here reached PostgreSQL as an error)."""
NO_ROW = -1
"""The id `NO_MATCH` resolves to: no row has a negative id."""


def ids_by_slug(
    session: Session, model: type[SQLModel], slugs: Sequence[str], kind: str, field: str
) -> dict[str, int]:
    """All slugs must exist; every unknown one is reported at once (as a bad input).
    `NO_MATCH` resolves to `NO_ROW`."""
    if NO_MATCH in slugs:
        rest = [s for s in slugs if s != NO_MATCH]
        return {**ids_by_slug(session, model, rest, kind, field), NO_MATCH: NO_ROW}
    if not slugs:
        return {}
    slug_column: Any = model.slug  # type: ignore[attr-defined]
    id_column: Any = model.id  # type: ignore[attr-defined]
    found = {
        s: i
        for s, i in session.execute(sa.select(slug_column, id_column).where(slug_column.in_(slugs)))
    }
    missing = [s for s in slugs if s not in found]
    if missing:
        known = list(session.scalars(sa.select(slug_column)))
        raise InvalidInputError(f"unknown {kind}", unknown_problems(kind, missing, known, field))
    return found


def engine_by_name(session: Session, name: str) -> m.Engine | None:
    """Slug, display name or alias, case-insensitively ("LLaMA.cpp" finds llama.cpp)."""
    folded = name.casefold()
    engine = session.exec(
        select(m.Engine).where(
            sa.or_(col(m.Engine.slug) == name, sa.func.lower(m.Engine.name) == folded)
        )
    ).first()
    if engine is not None:
        return engine
    return session.exec(
        select(m.Engine)
        .join(m.EngineAlias, col(m.EngineAlias.engine_id) == m.Engine.id)
        .where(m.EngineAlias.normalized == folded)
    ).first()


def find_by_slug(session: Session, model: type[Model], slug: str) -> Model | None:
    """The row of `model` with this slug, or None (GraphQL lookups answer null)."""
    slug_column: Any = model.slug  # type: ignore[attr-defined]
    return session.exec(select(model).where(slug_column == slug)).first()
