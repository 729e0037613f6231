"""Accepted removals retire survey facts: gone from current reads, still there as of the
version before, `retired` in the change feed; rejected or undecided ones leave them as they
are. Each case edits a copy of the survey's README the way a contributor would."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

import models as m
from api.errors import ConflictError
from api.services.history import session_as_of
from api.services.survey_sync import plan_survey_sync, sync_survey
from api.services.survey_tables import render_table, table_names
from models.base import SourceKind, SupportStatus
from tests.survey_sync.conftest import FIXTURES

SEED = "2025-12-02"
NEXT = "2026-04-01"


def _readme() -> str:
    return (FIXTURES / "README.md").read_text(encoding="utf-8")


def _without(*starts: str) -> Callable[[str], str]:
    """The README without the lines that start with any of `starts`."""

    def edit(text: str) -> str:
        lines = text.splitlines()
        kept = [line for line in lines if not line.startswith(starts)]
        assert len(lines) - len(kept) >= len(starts)
        return "\n".join(kept) + "\n"

    return edit


def _without_section(heading: str) -> Callable[[str], str]:
    """The README without the section under `heading`, up to the next heading."""

    def edit(text: str) -> str:
        lines = text.splitlines()
        start = lines.index(heading)
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("#"))
        return "\n".join(lines[:start] + lines[end:]) + "\n"

    return edit


def _replaced(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert text.count(old) == 1
        return text.replace(old, new)

    return edit


def _without_last_column(heading: str) -> Callable[[str], str]:
    """The README with the last column of the table under `heading` dropped."""

    def edit(text: str) -> str:
        lines = text.splitlines()
        start = next(i for i, line in enumerate(lines) if line.endswith(heading))
        index = start + 1
        while index < len(lines) and not lines[index].startswith("|"):
            index += 1
        while index < len(lines) and lines[index].startswith("|"):
            cells = lines[index].rstrip().rstrip("|").split("|")
            lines[index] = "|".join(cells[:-1]) + "|"
            index += 1
        return "\n".join(lines) + "\n"

    return edit


def _withdrawn_device_price(text: str) -> str:
    return _replaced("| NVIDIA A100 80GB | 2.9 | 2.9 |", "| NVIDIA A100 80GB | - | 2.9 |")(text)


def _engine(session: Session, slug: str) -> m.Engine | None:
    return session.exec(select(m.Engine).where(m.Engine.slug == slug)).first()


def _source(session: Session, slug: str) -> int:
    found = session.exec(select(m.Source.id).where(m.Source.slug == slug)).one()
    assert found is not None
    return found


def _count(session: Session, model: type, *where: Any) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _matrix_rows(session: Session, table: str) -> list[str]:
    return [row[0] for row in render_table(session, table).rows]


def _technique_row(session: Session, table: str, name: str) -> list[str] | None:
    return next((row for row in render_table(session, table).rows if row[0] == name), None)


def _sarathi_precision(session: Session) -> bool:
    return "Sarathi-Serve" in _matrix_rows(session, "precision-matrix")


def _a100_row(session: Session) -> bool:
    return "NVIDIA A100 80GB" in _matrix_rows(session, "device-pricing")


def _mxint8_column(session: Session) -> bool:
    return "MXINT8" in render_table(session, "precision-matrix").headers


def _etc_column(session: Session) -> bool:
    table = render_table(session, "hardware-matrix")
    # The catch-all column lists the platforms no other column names (Groq LPU, …).
    return table.headers[-1] == "ETC" and any(row[-1] != "❌" for row in table.rows)


def _friendli_a100(session: Session) -> bool:
    rows = render_table(session, "device-pricing").rows
    return next(r for r in rows if r[0] == "NVIDIA A100 80GB")[1] == "2.9"


def _qlora_listed(session: Session) -> bool:
    return _technique_row(session, "techniques-fine-tuning", "QLoRA") is not None


def _fine_tuning_table(session: Session) -> bool:
    return "techniques-fine-tuning" in table_names(session)


def _lora_second_reference(session: Session) -> bool:
    row = _technique_row(session, "techniques-fine-tuning", "LoRA")
    return row is not None and "arxiv.org/abs/2311.03285" in row[2]


def _prefillonly(session: Session) -> bool:
    return _engine(session, "prefillonly") is not None


def _powerinfer_second_paper(session: Session) -> bool:
    return (
        _count(session, m.EnginePaper, m.EnginePaper.url == "https://arxiv.org/abs/2406.06282") == 1
    )


@dataclass(frozen=True)
class Removal:
    edit: Callable[[str], str]
    change_id: str
    present: Callable[[Session], bool]
    retired_tables: set[str]
    """The tables whose rows the feed shows as retired once it is accepted."""


REMOVALS = {
    "matrix row": Removal(
        _without("| Sarathi-Serve       | ✅   | ✅   | ❌   | ❌   | ❌   | ✅   |"),
        "row-removed:precision-matrix:Sarathi-Serve",
        _sarathi_precision,
        {"precision_support", "layout_entry"},
    ),
    "price row": Removal(
        _without("| NVIDIA A100 80GB |"),
        "row-removed:device-pricing:NVIDIA A100 80GB",
        _a100_row,
        {"device_price", "layout_entry"},
    ),
    "matrix column": Removal(
        _without_last_column("Numeric Precision Support Matrix"),
        "column-removed:precision-matrix:12",
        _mxint8_column,
        {"precision_support", "layout_entry"},
    ),
    "catch-all column": Removal(
        _without_last_column("Hardware Support Matrix"),
        "column-removed:hardware-matrix:16",
        _etc_column,
        {"platform_support", "layout_entry"},
    ),
    "withdrawn price": Removal(
        _withdrawn_device_price,
        "cell:device-pricing:NVIDIA A100 80GB:Friendli AI",
        _friendli_a100,
        {"device_price"},
    ),
    "technique": Removal(
        _without("| QLoRA "),
        "technique-removed:techniques-fine-tuning:QLoRA",
        _qlora_listed,
        {"technique_citation", "technique"},
    ),
    "reference": Removal(
        _replaced(", [Sheng et al. (2023) ](https://arxiv.org/abs/2311.03285)", ""),
        "cell:techniques-fine-tuning:LoRA:References",
        _lora_second_reference,
        {"technique_citation"},
    ),
    "technique table": Removal(
        _without_section("## 🛠 Fine-Tuning"),
        "table-removed:techniques-fine-tuning",
        _fine_tuning_table,
        {"technique_citation", "technique"},
    ),
    "engine": Removal(
        _without("- PrefillOnly 📄"),
        "engine-removed:PrefillOnly",
        _prefillonly,
        {"engine_paper", "engine"},
    ),
    "engine paper": Removal(
        _replaced(", 📄 [Paper2](https://arxiv.org/abs/2406.06282)", ""),
        "paper-removed:PowerInfer:https://arxiv.org/abs/2406.06282",
        _powerinfer_second_paper,
        {"engine_paper"},
    ),
}


def _retired(session: Session, version: str) -> set[str]:
    version_id = session.exec(
        select(m.SourceVersion.id).where(m.SourceVersion.name == version)
    ).one()
    return set(
        session.exec(
            select(m.FactChange.table_name).where(
                m.FactChange.source_version_id == version_id, m.FactChange.action == "retired"
            )
        )
    )


@pytest.mark.parametrize("case", list(REMOVALS), ids=list(REMOVALS))
def test_a_removal_is_held_then_rejected_then_retired_once_accepted(
    fresh: Session, case: str
) -> None:
    removal = REMOVALS[case]
    text = removal.edit(_readme())
    assert removal.present(fresh)
    plan = plan_survey_sync(fresh, text)
    assert [c.id for c in plan.held] == [removal.change_id]

    # Not decided: held, nothing written.
    assert sync_survey(fresh, text, apply=True).applied == []
    assert removal.present(fresh)
    # Rejected: stays, and the plan remembers the rejection.
    sync_survey(fresh, text, apply=True, reject=[removal.change_id])
    assert removal.present(fresh)
    assert [c.review for c in plan_survey_sync(fresh, text).changes] == ["rejected"]

    # Accepted: retired at the sync's version; the past still has it.
    result = sync_survey(fresh, text, apply=True, accept=[removal.change_id], source_version=NEXT)
    assert ([c.id for c in result.applied], result.source_version) == ([removal.change_id], NEXT)
    fresh.expire_all()
    assert not removal.present(fresh)
    with session_as_of(fresh.get_bind(), SEED) as past:  # type: ignore[arg-type]
        assert removal.present(past)
    assert _retired(fresh, NEXT) == removal.retired_tables
    # The graph now says what the README says: nothing left to propose.
    assert plan_survey_sync(fresh, text).empty


def test_a_retired_row_leaves_its_history_closed_at_the_sync_version(fresh: Session) -> None:
    text = REMOVALS["matrix row"].edit(_readme())
    sarathi = _engine(fresh, "sarathi-serve")
    assert sarathi is not None
    source = _source(fresh, "survey-precision-matrix")
    sync_survey(
        fresh, text, apply=True, accept=[REMOVALS["matrix row"].change_id], source_version=NEXT
    )
    closed = fresh.execute(
        sa.text(
            "SELECT v_from.name, v_to.name, h.status FROM history_precision_support h"
            " JOIN source_version v_from ON v_from.id = h.history_from"
            " JOIN source_version v_to ON v_to.id = h.history_to"
            " WHERE h.engine_id = :engine AND h.source_id = :source"
        ),
        {"engine": sarathi.id, "source": source},
    ).all()
    assert len(closed) == 12
    assert {(row[0], row[1]) for row in closed} == {(SEED, NEXT)}
    assert {row[2] for row in closed} >= {"supported", "not_supported"}
    # The engine itself is in other tables of the survey: it stays, as do its other facts.
    assert _engine(fresh, "sarathi-serve") is not None
    assert "Sarathi-Serve" in _matrix_rows(fresh, "optimization-matrix")


def test_a_technique_other_facts_use_leaves_the_table_but_stays(fresh: Session) -> None:
    """LoRA is a member of an optimization-matrix column: it leaves the survey's table,
    its survey citations are retired, the technique stays. QLoRA, used by nothing else,
    goes."""
    text = REMOVALS["technique table"].edit(_readme())
    lora = fresh.exec(select(m.Technique).where(m.Technique.name == "LoRA")).one()
    cited = [
        c.paper_id
        for c in fresh.exec(
            select(m.TechniqueCitation).where(m.TechniqueCitation.technique_id == lora.id)
        )
    ]
    sync_survey(fresh, text, apply=True, accept=[REMOVALS["technique table"].change_id])
    fresh.expire_all()
    assert lora.in_survey_table is False
    assert _count(fresh, m.TechniqueCitation, m.TechniqueCitation.technique_id == lora.id) == 0
    assert _count(fresh, m.FeatureMember, m.FeatureMember.technique_id == lora.id) >= 1
    assert fresh.exec(select(m.Technique).where(m.Technique.name == "QLoRA")).first() is None
    # The papers it cited are papers still: only the citations are retired.
    assert all(fresh.get(m.Paper, paper_id) is not None for paper_id in cited)
    # The category stays for LoRA; its survey table is gone.
    category = fresh.exec(
        select(m.TechniqueCategory).where(m.TechniqueCategory.slug == "fine-tuning")
    ).one()
    assert category.id == lora.category_id
    with session_as_of(fresh.get_bind(), SEED) as past:  # type: ignore[arg-type]
        row = _technique_row(past, "techniques-fine-tuning", "LoRA")
        assert row is not None and "arxiv.org/abs/2311.03285" in row[2]


def test_an_engine_a_curator_also_uses_keeps_everything_but_its_survey_papers(
    fresh: Session,
) -> None:
    engine = _engine(fresh, "prefillonly")
    assert engine is not None and engine.id is not None
    curator = m.Source(slug="curator-notes", title="A curator's notes", kind=SourceKind.TEXT)
    fresh.add(curator)
    fresh.flush()
    assert curator.id is not None
    feature = fresh.exec(select(m.OptimizationFeature)).first()
    assert feature is not None and feature.id is not None
    fresh.add(
        m.FeatureSupport(
            engine_id=engine.id,
            feature_id=feature.id,
            status=SupportStatus.SUPPORTED,
            source_id=curator.id,
        )
    )
    fresh.commit()
    (paper_id,) = fresh.exec(
        select(m.EnginePaper.paper_id).where(m.EnginePaper.engine_id == engine.id)
    ).all()
    removal = REMOVALS["engine"]
    sync_survey(fresh, removal.edit(_readme()), apply=True, accept=[removal.change_id])
    fresh.expire_all()
    assert _engine(fresh, "prefillonly") is not None
    assert _count(fresh, m.EnginePaper, m.EnginePaper.engine_id == engine.id) == 0
    assert _count(fresh, m.FeatureSupport, m.FeatureSupport.source_id == curator.id) == 1
    assert fresh.get(m.Paper, paper_id) is not None


def test_fixed_columns_and_quadrant_rows_are_not_retired(fresh: Session) -> None:
    text = _without_last_column("Overview of LLM Inference Engines")(_readme())
    (change,) = [c for c in plan_survey_sync(fresh, text).held if c.kind == "column-removed"]
    with pytest.raises(ConflictError) as refused:
        sync_survey(fresh, text, apply=True, accept=[change.id])
    assert "columns of overview are fixed" in refused.value.problems[0].message
