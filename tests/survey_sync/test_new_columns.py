"""A column added at the end of a support matrix: held; accepted, the precision or the
optimization column it stands for (found by name, or created where its name says enough),
its layout and a fact per row; a new platform stays a curator's."""

import pytest
from sqlmodel import Session, func, select

import models as m
from api.errors import ConflictError
from api.services.history import session_as_of
from api.services.survey_sync import plan_survey_sync, sync_survey
from api.services.survey_tables import render_table
from models.base import FeatureKind, PrecisionFamily, SupportStatus
from tests.survey_sync.conftest import FIXTURES

PRECISION = "column-added:precision-matrix:13"
OPTIMIZATION = "column-added:optimization-matrix:24"


def _readme() -> str:
    return (FIXTURES / "new_columns.md").read_text(encoding="utf-8")


def test_new_columns_are_held_then_written_once_accepted(fresh: Session) -> None:
    plan = plan_survey_sync(fresh, _readme())
    assert [(c.id, c.new) for c in plan.held] == [(OPTIMIZATION, "QLoRA"), (PRECISION, "FP6")]
    assert sync_survey(fresh, _readme(), apply=True).applied == []
    assert "FP6" not in render_table(fresh, "precision-matrix").headers

    sync_survey(fresh, _readme(), apply=True, accept=[PRECISION, OPTIMIZATION], source_version="v2")
    fp6 = fresh.exec(select(m.Precision).where(m.Precision.name == "FP6")).one()
    assert (fp6.slug, fp6.bits, fp6.family) == ("fp6", 6, PrecisionFamily.FLOAT)
    precision = render_table(fresh, "precision-matrix")
    assert precision.headers[-1] == "FP6"
    # Every third row supports it in the fixture, the others do not.
    assert [row[-1] for row in precision.rows] == [
        "✅" if n % 3 == 0 else "❌" for n in range(len(precision.rows))
    ]
    qlora = fresh.exec(
        select(m.OptimizationFeature).where(m.OptimizationFeature.name == "QLoRA")
    ).one()
    assert qlora.kind == FeatureKind.TECHNIQUE
    technique = fresh.exec(select(m.Technique).where(m.Technique.name == "QLoRA")).one()
    member = fresh.exec(select(m.FeatureMember).where(m.FeatureMember.feature_id == qlora.id)).one()
    assert member.technique_id == technique.id
    facts = fresh.exec(
        select(m.FeatureSupport.status).where(m.FeatureSupport.feature_id == qlora.id)
    ).all()
    assert sorted(facts).count(SupportStatus.SUPPORTED) == 1
    assert len(facts) == len(render_table(fresh, "optimization-matrix").rows)
    assert plan_survey_sync(fresh, _readme()).empty
    with session_as_of(fresh.get_bind(), "2025-12-02") as past:  # type: ignore[arg-type]
        assert "FP6" not in render_table(past, "precision-matrix").headers
        assert past.exec(select(m.Precision).where(m.Precision.slug == "fp6")).first() is None


def test_a_new_platform_column_is_a_curators(fresh: Session) -> None:
    lines = (FIXTURES / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith("Hardware Support Matrix"))
    index = next(i for i in range(start, len(lines)) if lines[i].startswith("|"))
    lines[index] += " Apple Neural Engine |"
    lines[index + 1] += "---|"
    index += 2
    while lines[index].startswith("|"):
        lines[index] += " ❌ |"
        index += 1
    text = "\n".join(lines) + "\n"
    (change,) = plan_survey_sync(fresh, text).held
    assert (change.kind, change.new) == ("column-added", "Apple Neural Engine")
    platforms = fresh.exec(select(func.count()).select_from(m.Platform)).one()
    with pytest.raises(ConflictError) as refused:
        sync_survey(fresh, text, apply=True, accept=[change.id])
    assert "a new platform's kind is a curator's" in refused.value.problems[0].message
    assert fresh.exec(select(func.count()).select_from(m.Platform)).one() == platforms
