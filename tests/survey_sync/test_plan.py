"""Plans for modified copies of the survey README, and what --apply writes (and holds)."""

import pytest
from sqlmodel import Session, func, select

import models as m
from api.errors import ConflictError, InvalidInputError
from api.services.survey_sync import plan_survey_sync, sync_survey
from api.services.survey_tables import render_table
from models.base import SupportStatus
from tests.survey_sync.conftest import FIXTURES


def readme(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def summary(session: Session, name: str) -> list[tuple[object, ...]]:
    plan = plan_survey_sync(session, readme(name))
    return [(c.kind, c.table, c.row, c.column, c.old, c.new, c.held) for c in plan.changes]


@pytest.mark.parametrize("name", ["README.md", "rough_shape.md"])
def test_syncing_the_same_facts_is_a_no_op(session: Session, name: str) -> None:
    plan = plan_survey_sync(session, readme(name))
    assert plan.empty and plan.complete
    result = sync_survey(session, readme(name), apply=True)
    assert result.applied == []


def test_a_changed_cell_names_engine_column_old_and_new(session: Session) -> None:
    assert summary(session, "changed_cell.md") == [
        ("cell-changed", "overview", "vLLM", "GitHub Stars", "43.4K", "45.1K", False),
        ("cell-changed", "optimization-matrix", "Ollama", "Dynamic Batching", "❌", "✅", False),
    ]


def test_apply_writes_the_cells_in_one_go_and_then_the_plan_is_empty(fresh: Session) -> None:
    other_sources = fresh.exec(
        select(func.count())
        .select_from(m.FeatureSupport)
        .where(
            m.FeatureSupport.source_id
            != select(m.Source.id)
            .where(m.Source.slug == "survey-optimization-matrix")
            .scalar_subquery()
        )
    ).one()
    result = sync_survey(fresh, readme("changed_cell.md"), apply=True)
    assert [c.id for c in result.applied] == [
        "cell:overview:vLLM:GitHub Stars",
        "cell:optimization-matrix:Ollama:Dynamic Batching",
    ]
    vllm = fresh.exec(select(m.Engine).where(m.Engine.slug == "vllm")).one()
    assert vllm.github_stars == 45100
    ollama_row = render_table(fresh, "optimization-matrix").rows[0]
    assert ollama_row[:2] == ["Ollama", "✅"]
    assert plan_survey_sync(fresh, readme("changed_cell.md")).empty
    # The old README is now the one that differs, by exactly those two cells.
    back = plan_survey_sync(fresh, readme("README.md"))
    assert [(c.row, c.old, c.new) for c in back.changes] == [
        ("vLLM", "45.1K", "43.4K"),
        ("Ollama", "✅", "❌"),
    ]
    after = fresh.exec(
        select(func.count())
        .select_from(m.FeatureSupport)
        .where(
            m.FeatureSupport.source_id
            != select(m.Source.id)
            .where(m.Source.slug == "survey-optimization-matrix")
            .scalar_subquery()
        )
    ).one()
    assert after == other_sources


def test_a_dash_becomes_unknown_and_the_fact_row_stays(fresh: Session) -> None:
    text = readme("README.md")
    line = next(x for x in text.splitlines() if x.startswith("| Ollama                 | ❌"))
    changed = text.replace(line, line.replace("| ❌               |", "| -                |", 1))
    result = sync_survey(fresh, changed, apply=True)
    assert [(c.row, c.column, c.old, c.new) for c in result.applied] == [
        ("Ollama", "Dynamic Batching", "❌", "-")
    ]
    facts = fresh.exec(
        select(m.FeatureSupport)
        .join(m.Engine, m.Engine.id == m.FeatureSupport.engine_id)  # type: ignore[arg-type]
        .join(
            m.OptimizationFeature,
            m.OptimizationFeature.id == m.FeatureSupport.feature_id,  # type: ignore[arg-type]
        )
        .where(m.Engine.slug == "ollama", m.OptimizationFeature.slug == "dynamic-batching")
    ).all()
    assert [f.status for f in facts] == [SupportStatus.UNKNOWN]


def test_a_new_engine_row_is_applicable(session: Session) -> None:
    assert summary(session, "new_engine_row.md") == [
        (
            "row-added",
            "overview",
            "Aphrodite",
            None,
            None,
            "Community (PygmalionAI) | May. 2023 | ✅ | 1.5K | 🟡 | ❌ | ❌ | ❌",
            False,
        ),
        (
            "engine-added",
            "engine-lists",
            "Aphrodite",
            None,
            None,
            "https://github.com/aphrodite-engine/aphrodite-engine",
            False,
        ),
    ]


def test_a_new_technique_with_two_references(session: Session) -> None:
    (change,) = plan_survey_sync(session, readme("new_technique.md")).changes
    assert (change.kind, change.table, change.row, change.held) == (
        "technique-added",
        "techniques-caching",
        "Semantic Caching",
        False,
    )
    assert change.new is not None
    assert "[Gim et al. (2024)](https://arxiv.org/abs/2311.04934)" in change.new
    assert "[Bang (2023)](https://aclanthology.org/2023.nlposs-1.24/)" in change.new


def test_a_renamed_column_is_held_and_its_cells_are_not_compared(session: Session) -> None:
    assert summary(session, "renamed_column.md") == [
        (
            "column-renamed",
            "optimization-matrix",
            None,
            "Fully Sharded DP",
            "FSDP",
            "Fully Sharded DP",
            True,
        )
    ]
    assert sync_survey(session, readme("renamed_column.md"), apply=True).applied == []


def test_a_removed_row_is_held(session: Session) -> None:
    ((kind, table, row, _, old, new, held),) = summary(session, "removed_row.md")
    assert (kind, table, row, new, held) == (
        "row-removed",
        "precision-matrix",
        "Sarathi-Serve",
        None,
        True,
    )
    assert old == "✅ | ✅ | ❌ | ❌ | ❌ | ✅ | ❌ | ❌ | ❌ | ❌ | ❌ | ❌"
    sync_survey(session, readme("removed_row.md"), apply=True)
    names = [row[0] for row in render_table(session, "precision-matrix").rows]
    assert "Sarathi-Serve" in names


def test_papers_moved_onto_a_new_engine_are_held(session: Session) -> None:
    plan = plan_survey_sync(session, readme("paper_moved.md"))
    moved = [(c.id, c.old, c.new, c.line) for c in plan.changes if c.kind == "paper-moved"]
    assert moved == [
        ("paper-moved:https://arxiv.org/abs/2312.12456", "PowerInfer", "PowerInfer-2", 66),
        ("paper-moved:https://arxiv.org/abs/2406.06282", "PowerInfer", "PowerInfer-2", 66),
    ]
    # The new engine itself needs no judgement; the papers it takes over do.
    assert [(c.kind, c.held) for c in plan.changes if c.kind != "paper-moved"] == [
        ("engine-added", False)
    ]
    assert all(c.held for c in plan.changes if c.kind == "paper-moved")
    # Not reported a second time as papers PowerInfer lost.
    assert not [c for c in plan.changes if c.kind == "paper-removed"]


def test_a_paper_moved_between_known_engines_is_held(session: Session) -> None:
    text = _moved_between_known()
    plan = plan_survey_sync(session, text)
    assert [(c.kind, c.old, c.new, c.held) for c in plan.changes] == [
        ("paper-moved", "Sarathi-Serve", "vAttention", True)
    ]


def test_a_malformed_table_blocks_apply_unless_skip_unparsed(fresh: Session) -> None:
    plan = plan_survey_sync(fresh, readme("malformed_table.md"))
    assert [(u.line, u.reason) for u in plan.unparsed] == [
        (349, "12 cells where the header has 13"),
        (302, "'✅?' is not ✅, ❌ or - (with an optional note in brackets)"),
    ]
    assert not plan.complete
    # The unreadable NanoFlow row is not mistaken for a removed one.
    assert [c.kind for c in plan.changes] == ["cell-changed"]
    assert plan.changes[0].held
    text = readme("malformed_table.md").replace(
        "| vLLM | Academic (vLLM Team) | Feb. 2023 | ✅ | 43.4K |",
        "| vLLM | Academic (vLLM Team) | Feb. 2023 | ✅ | 45.1K |",
    )
    with pytest.raises(InvalidInputError) as refused:
        sync_survey(fresh, text, file="new.md", apply=True)
    assert [p.location for p in refused.value.problems] == ["new.md:349", "new.md:302"]
    vllm = fresh.exec(select(m.Engine).where(m.Engine.slug == "vllm")).one()
    assert vllm.github_stars == 43400
    result = sync_survey(fresh, text, apply=True, skip_unparsed=True)
    assert [c.id for c in result.applied] == ["cell:overview:vLLM:GitHub Stars"]
    fresh.refresh(vllm)
    assert vllm.github_stars == 45100


def test_a_new_section_is_held_as_a_new_kind_of_entry(session: Session) -> None:
    text = readme("README.md").replace(
        "## 📋 Overview of LLM Inference Engines",
        "## 🚪 LLM Gateways\n\n- [LiteLLM](https://github.com/BerriAI/litellm)\n\n"
        "## 📋 Overview of LLM Inference Engines",
    )
    plan = plan_survey_sync(session, text)
    assert [(c.kind, c.row, c.held) for c in plan.changes] == [
        ("section-added", "🚪 LLM Gateways", True)
    ]
    assert plan.to_json()["new_sections"] == [
        {"heading": "🚪 LLM Gateways", "line": 83, "level": 2}
    ]


MOVED_BETWEEN_KNOWN = (
    (
        "- [Sarathi-Serve](https://github.com/microsoft/sarathi-serve) 📄"
        " [Paper](https://arxiv.org/abs/2403.02310)",
        "- [Sarathi-Serve](https://github.com/microsoft/sarathi-serve)",
    ),
    (
        "- [vAttention](https://github.com/microsoft/vattention) 📄"
        " [Paper](https://arxiv.org/abs/2405.04437)",
        "- [vAttention](https://github.com/microsoft/vattention) 📄"
        " [Paper](https://arxiv.org/abs/2405.04437), 📄 [Paper2](https://arxiv.org/abs/2403.02310)",
    ),
)


def _moved_between_known() -> str:
    text = readme("README.md")
    for old, new in MOVED_BETWEEN_KNOWN:
        assert text.count(old) == 1
        text = text.replace(old, new)
    return text


def test_an_accepted_paper_move_is_written_and_leaves_the_plan(fresh: Session) -> None:
    text = _moved_between_known()
    change_id = "paper-moved:https://arxiv.org/abs/2403.02310"
    # Held: a plain apply leaves the paper where it was.
    assert sync_survey(fresh, text, apply=True).applied == []
    assert [c.id for c in plan_survey_sync(fresh, text).held] == [change_id]
    result = sync_survey(fresh, text, apply=True, accept=[change_id])
    assert [c.id for c in result.applied] == [change_id]
    row = fresh.exec(
        select(m.EnginePaper).where(m.EnginePaper.url == "https://arxiv.org/abs/2403.02310")
    ).one()
    vattention = fresh.exec(select(m.Engine).where(m.Engine.slug == "vattention")).one()
    assert (row.engine_id, row.position) == (vattention.id, 1)
    assert plan_survey_sync(fresh, text).empty


def test_accepting_what_cannot_be_written_refuses_everything(session: Session) -> None:
    with pytest.raises(ConflictError) as refused:
        # A technique row named like one the graph has elsewhere: held, and no writer.
        sync_survey(
            session,
            readme("new_technique.md").replace("| Semantic Caching |", "| vAttention |"),
            apply=True,
            accept=["technique-added:techniques-caching:vAttention", "no-such-change"],
        )
    messages = [(p.message.split(":")[0], p.value) for p in refused.value.problems]
    assert messages == [
        ("cannot be accepted", "technique-added:techniques-caching:vAttention"),
        ("the plan holds no change with this id", "no-such-change"),
    ]


def test_a_note_inside_a_cell_is_written_with_its_status(fresh: Session) -> None:
    text = readme("README.md")
    line = next(x for x in text.splitlines() if x.startswith("| vLLM              | ✅"))
    cells = line.split("|")
    cells[3] = " ✅ (WSL only) "  # Windows
    text = text.replace(line, "|".join(cells))
    result = sync_survey(fresh, text, apply=True)
    assert [(c.table, c.row, c.column, c.old, c.new) for c in result.applied] == [
        ("hardware-matrix", "vLLM", "Windows", "❌", "✅ (WSL only)")
    ]
    vllm_row = next(r for r in render_table(fresh, "hardware-matrix").rows if r[0] == "vLLM")
    assert vllm_row[2] == "✅ (WSL only)"
    assert plan_survey_sync(fresh, text).empty
    too_long = text.replace("✅ (WSL only)", "✅ (" + "x" * 301 + ")")
    assert [u.reason for u in plan_survey_sync(fresh, too_long).unparsed] == [
        "a note of 301 characters; at most 300 are kept"
    ]


def test_a_release_date_is_written_and_an_unreadable_one_is_not(fresh: Session) -> None:
    base = readme("README.md")
    old = "| SGLang | Academic (SGLang Team) | Jan. 2024 |"
    assert base.count(old) == 1
    result = sync_survey(fresh, base.replace(old, old.replace("Jan.", "Mar.")), apply=True)
    assert [(c.row, c.column, c.old, c.new) for c in result.applied] == [
        ("SGLang", "Release Date", "Jan. 2024", "Mar. 2024")
    ]
    sglang = fresh.exec(select(m.Engine).where(m.Engine.slug == "sglang")).one()
    assert (sglang.release_year, sglang.release_month) == (2024, 3)
    plan = plan_survey_sync(fresh, base.replace(old, old.replace("Jan. 2024", "Spring 2024")))
    assert [(u.line, u.reason) for u in plan.unparsed] == [
        (97, "'Spring 2024' is not a release month such as Jun. 2023 or -")
    ]
    hostile = base.replace(old, old.replace("Jan. 2024", "Jan. 9999")).replace(
        "| SGLang | Academic (SGLang Team) | Jan. 9999 | ✅ | 12.8K |",
        "| SGLang | Academic (SGLang Team) | Jan. 9999 | ✅ | 99999999999K |",
    )
    assert [u.reason for u in plan_survey_sync(fresh, hostile).unparsed] == [
        "'Jan. 9999': the year must be between 1990 and 2100",
        "'99999999999K' is more stars than any repository has",
    ]


def test_prices_changed_in_place_are_written_and_withdrawn_ones_held(fresh: Session) -> None:
    edits = (
        (
            "| NVIDIA A100 80GB | 2.9 | 2.9 | - | 2.56 |",
            "| NVIDIA A100 80GB | 3.1 | - | - | 2.56 |",
        ),
        ("| AMD MI300X | - | 4.99 | - | - |", "| AMD MI300X | 5.5 | 4.99 | - | - |"),
        (
            "| Llama 3.3 70B | 0.60 / 0.60 | - / - | 0.59 / 0.79 | 0.88 / 0.88 |",
            "| Llama 3.3 70B | 0.55 / 0.65 | - / - | 0.59 / 0.79 | - / - |",
        ),
    )
    text = readme("README.md")
    for old, new in edits:
        assert text.count(old) == 1
        text = text.replace(old, new)
    result = sync_survey(fresh, text, apply=True)
    assert [(c.table, c.row, c.column, c.old, c.new) for c in result.applied] == [
        ("model-pricing", "Llama 3.3 70B", "Friendli AI†", "0.60 / 0.60", "0.55 / 0.65"),
        ("device-pricing", "NVIDIA A100 80GB", "Friendli AI", "2.9", "3.1"),
        ("device-pricing", "AMD MI300X", "Friendli AI", "-", "5.5"),
    ]
    assert [(c.row, c.column, c.new) for c in result.plan.held] == [
        ("Llama 3.3 70B", "Together AI‡", "- / -"),
        ("NVIDIA A100 80GB", "Fireworks AI", "-"),
    ]
    devices = {r[0]: r for r in render_table(fresh, "device-pricing").rows}
    assert devices["NVIDIA A100 80GB"][1:3] == ["3.1", "2.9"]
    assert devices["AMD MI300X"][1] == "5.5"
    models = {r[0]: r for r in render_table(fresh, "model-pricing").rows}
    assert models["Llama 3.3 70B"][1] == "0.55 / 0.65"
    assert [c.id for c in plan_survey_sync(fresh, text).changes] == [c.id for c in result.plan.held]


def test_a_price_the_column_cannot_hold_is_not_understood(session: Session) -> None:
    old = "| NVIDIA A100 80GB | 2.9 | 2.9 | - | 2.56 |"
    text = readme("README.md").replace(old, old.replace("2.56", "25600000.5"))
    assert [u.reason for u in plan_survey_sync(session, text).unparsed] == [
        "'25600000.5' is not a price such as 2.9 or 0.60"
    ]
