"""A well-spelled slug that names no row makes a REST filter match nothing, with a warning.

Research tools keep queries: a saved `filter=engine:old-name` must still answer after the
engine was renamed or merged, with what matches (nothing for that slug) and a word on why,
rather than turn into an error a script stops at. OpenAlex answers an unknown id in a filter
the same way (an empty result). The REST document can then say exactly which filters are
accepted (their grammar: `api/services/filter_pattern.py`), which it could not if acceptance
depended on the rows stored at the time.

An unknown slug is replaced by `lookup.NO_MATCH`, which every lookup resolves to no row: an
"any of" keeps its known alternatives, an "all of" or a single value matches nothing. GraphQL,
the CLI and MCP keep refusing unknown slugs with "did you mean" (their callers are people and
typed clients, who want the typo named at once); REST gives the same "did you mean" as a
warning in `meta.warnings`.
"""

import dataclasses
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col

import models as m
from api.errors import Problem
from api.services.lookup import NO_MATCH, unknown_problems
from api.services.vocabulary import FIELD_PREFIX, Key, Slugs, Support, SupportCondition, keys


def unmatched_unknown(session: Session, f: Any) -> tuple[Any, list[Problem]]:
    """`f` with every slug naming no row replaced by `NO_MATCH`, and one warning per such
    slug (the closest known slugs suggested), fields named canonically (`filter.<field>`)."""
    changes: dict[str, Any] = {}
    warnings: list[Problem] = []
    for name, declared in keys(type(f)).items():
        value = getattr(f, name)
        if not value or not isinstance(declared.kind, Slugs | Support):
            continue
        given = _slugs(value)
        known = _known(session, declared, given)
        unknown = [slug for slug in given if slug not in known]
        if not unknown:
            continue
        warnings += [
            Problem(problem.message + " (matches nothing)", field=problem.field, value=slug)
            for problem, slug in zip(
                unknown_problems(
                    declared.kind.label, unknown, _all_slugs(session, declared), FIELD_PREFIX + name
                ),
                unknown,
                strict=True,
            )
        ]
        changes[name] = _replaced(value, set(unknown))
    return (dataclasses.replace(f, **changes) if changes else f), warnings


def _slugs(value: Any) -> list[str]:
    if isinstance(value, SupportCondition):
        return value.targets
    return list(value) if isinstance(value, tuple) else [value]


def _replaced(value: Any, unknown: set[str]) -> Any:
    def swap(slugs: Sequence[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(NO_MATCH if slug in unknown else slug for slug in slugs))

    if isinstance(value, SupportCondition):
        return SupportCondition(swap(value.all_of), swap(value.any_of), value.status)
    if isinstance(value, tuple):
        return swap(value)
    return NO_MATCH


def _models(declared: Key) -> list[type[SQLModel]]:
    kind = declared.kind
    assert isinstance(kind, Slugs | Support)
    # A technique condition without a model resolves through the matrix: a technique slug
    # or a matrix column's (engines.technique_feature_ids).
    return [kind.model] if kind.model is not None else [m.Technique, m.OptimizationFeature]


def _known(session: Session, declared: Key, slugs: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for model in _models(declared):
        column: Any = col(model.slug)  # type: ignore[attr-defined]
        found |= set(session.scalars(sa.select(column).where(column.in_(list(slugs)))))
    return found


def _all_slugs(session: Session, declared: Key) -> list[str]:
    every: list[str] = []
    for model in _models(declared):
        every += session.scalars(sa.select(col(model.slug))).all()  # type: ignore[attr-defined]
    return every
