"""A column added at the end of a support matrix, once a reviewer accepts it: the precision,
optimization feature or platform it stands for, its place in the survey's layout, and a fact
for every row's cell.

What the column stands for is found by name first. Failing that, a precision is created when
its name says its family and bits (`FP6`, `INT2`, `MXFP6`, `NF4`, `BF16`), and an
optimization column when a technique of that name exists (a column of one technique); a
group column or a new platform (its kind: OS, CPU architecture, accelerator, …) is a
curator's to create, after which the column can be accepted.
"""

import re

from sqlmodel import Session, select

import models as m
from api.services.survey_sync.layout_cache import Layout
from api.services.survey_sync.plan import MATRICES, Change, Plan
from api.services.survey_sync.values import support_value
from models.base import FeatureKind, LayoutAxis, PrecisionFamily

_PRECISION = re.compile(r"^(MX)?(FP|BF|INT|NF)(\d{1,2})$", re.IGNORECASE)
_FAMILIES = {"fp": PrecisionFamily.FLOAT, "bf": PrecisionFamily.FLOAT}
_FAMILIES |= {"int": PrecisionFamily.INTEGER, "nf": PrecisionFamily.NORMAL_FLOAT}
_SLUG = re.compile(r"[^a-z0-9]+")


def _free_slug(
    session: Session, model: type[m.Precision | m.OptimizationFeature], name: str
) -> str:
    """A slug from the name that no row of `model` has yet (precision slugs: 40 at most)."""
    base = (_SLUG.sub("-", name.casefold()).strip("-") or "column")[:36]
    taken = set(session.exec(select(model.slug)))
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def refusal(session: Session, plan: Plan, change: Change) -> str | None:
    """Why an accepted new column cannot be written, or None when it can."""
    if change.table not in MATRICES:
        return f"the columns of {change.table} are fixed; a curator changes them"
    if any(c.kind == "column-renamed" and c.table == change.table for c in plan.changes):
        return "the columns shifted (a column was inserted, not added at the end): a curator"
    name = change.new or ""
    if _target(session, change.table, name) is None:
        why = _creatable(session, change.table, name)
        if why is not None:
            return why
    assert plan.parsed is not None
    table = plan.parsed.tables[change.table]
    position = table.headers.index(name)
    for row in table.rows:
        try:
            support_value(row.cells[position])
        except ValueError as error:
            return f"line {row.line}: {error}"
    return None


def _creatable(session: Session, table: str, name: str) -> str | None:
    """Why the column's target cannot be created, or None when it can."""
    if table == "precision-matrix":
        if _PRECISION.match(name) is None:
            return f"no precision named {name!r}, and its name gives no family and bits"
        return None
    if table == "optimization-matrix":
        if _technique(session, name) is None:
            return f"no technique named {name!r}: a column of several is a curator's"
        return None
    return f"no platform named {name!r}: a new platform's kind is a curator's; create it first"


def _technique(session: Session, name: str) -> m.Technique | None:
    return session.exec(select(m.Technique).where(m.Technique.name == name)).first()


_TARGETS: dict[str, type[m.Platform] | type[m.Precision] | type[m.OptimizationFeature]] = {
    "hardware-matrix": m.Platform,
    "precision-matrix": m.Precision,
    "optimization-matrix": m.OptimizationFeature,
}


def _target(session: Session, table: str, name: str) -> int | None:
    model = _TARGETS[table]
    names = session.exec(select(model.id, model.name)).all()
    return next((id_ for id_, known in names if known.casefold() == name.casefold()), None)


def _create(session: Session, table: str, name: str) -> int:
    if table == "precision-matrix":
        match = _PRECISION.match(name)
        assert match is not None  # refusal() checked it
        prefix, kind, bits = match.groups()
        family = PrecisionFamily.MICROSCALING if prefix else _FAMILIES[kind.casefold()]
        precision = m.Precision(
            slug=_free_slug(session, m.Precision, name), name=name, bits=int(bits), family=family
        )
        session.add(precision)
        session.flush()
        assert precision.id is not None
        return precision.id
    technique = _technique(session, name)
    assert technique is not None and technique.id is not None
    feature = m.OptimizationFeature(
        slug=_free_slug(session, m.OptimizationFeature, name),
        name=name[:200],
        kind=FeatureKind.TECHNIQUE,
    )
    session.add(feature)
    session.flush()
    assert feature.id is not None
    session.add(m.FeatureMember(feature_id=feature.id, technique_id=technique.id))
    return feature.id


def write(session: Session, layout: Layout, plan: Plan, change: Change) -> None:
    name = change.new or ""
    target = _target(session, change.table, name) or _create(session, change.table, name)
    _, target_column = MATRICES[change.table]
    source_id = layout.source_id(f"survey-{change.table}")
    layout.add(source_id, LayoutAxis.COLUMN, name[:200], cell="", **{target_column: target})
    assert plan.parsed is not None
    table = plan.parsed.tables[change.table]
    position = table.headers.index(name)
    rows = layout.all(source_id, LayoutAxis.ROW)
    for row in table.rows:
        entry = rows.get(" ".join(row.cells[0].split()))
        if entry is None or entry.engine_id is None:
            continue  # a row the graph does not have is a change of its own
        status, note = support_value(row.cells[position])
        layout.set_fact(change.table, entry.engine_id, target, status, note)
