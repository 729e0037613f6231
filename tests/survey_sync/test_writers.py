"""What --apply now writes (new engines, techniques and their references) and what a
reviewer's accept and reject do, remembered across syncs."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

import models as m
from api.errors import ConflictError, InvalidInputError
from api.services.ingest.readers.arxiv_client import ArxivClient
from api.services.survey_sync import plan_survey_sync, sync_survey
from api.services.survey_tables import render_table
from models.base import OrganizationKind, SupportStatus
from tests.ingest.arxiv_server import CannedResponse, FakeArxiv, fake_arxiv_fixture

__all__ = ["fake_arxiv_fixture"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "survey_sync"
PROMPT_CACHE = (FIXTURES / "arxiv_prompt_cache.xml").read_bytes()


@pytest.fixture
def fresh(seeded_copy: sa.Engine) -> Iterator[Session]:
    with Session(seeded_copy) as session:
        yield session


def readme(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def client(fake: FakeArxiv) -> ArxivClient:
    # One attempt: an unreachable arXiv is reported at once, not after minutes of backoff.
    return ArxivClient(fake.base_url, delay=0, max_attempts=1)


def papers(session: Session) -> int:
    return session.exec(select(func.count()).select_from(m.Paper)).one()


def test_a_new_engine_row_and_bullet_make_one_engine(fresh: Session) -> None:
    plan = plan_survey_sync(fresh, readme("new_engine_row.md"))
    assert [(c.kind, c.held) for c in plan.changes] == [
        ("row-added", False),
        ("engine-added", False),
    ]
    result = sync_survey(fresh, readme("new_engine_row.md"), apply=True)
    assert [c.id for c in result.applied] == [
        "row-added:overview:Aphrodite",
        "engine-added:Aphrodite",
    ]
    (engine,) = fresh.exec(select(m.Engine).where(m.Engine.name == "Aphrodite")).all()
    assert (engine.slug, engine.repo_url, engine.github_stars, engine.is_commercial) == (
        "aphrodite",
        "https://github.com/aphrodite-engine/aphrodite-engine",
        1500,
        False,
    )
    assert (engine.release_year, engine.release_month, engine.has_forum) == (2023, 5, False)
    organization = fresh.get(m.Organization, engine.organization_id)
    assert organization is not None
    assert (organization.name, organization.kind) == ("PygmalionAI", OrganizationKind.COMMUNITY)
    row = next(r for r in render_table(fresh, "overview").rows if r[0] == "Aphrodite")
    assert (
        row
        == ["Aphrodite", "Community (PygmalionAI)", "May. 2023", "✅", "1.5K", "🟡"] + ["❌"] * 3
    )
    assert plan_survey_sync(fresh, readme("new_engine_row.md")).empty


def test_a_new_technique_gets_its_references_from_arxiv(
    fresh: Session, fake_arxiv: FakeArxiv
) -> None:
    plan = plan_survey_sync(fresh, readme("new_technique.md"))
    ((kind, held, reason),) = [(c.kind, c.held, c.reason) for c in plan.changes]
    assert (kind, held) == ("technique-added", False)
    assert "a curator writes it" in reason
    fake_arxiv.queue(CannedResponse(body=PROMPT_CACHE))
    before = papers(fresh)
    result = sync_survey(fresh, readme("new_technique.md"), apply=True, arxiv=client(fake_arxiv))
    assert [r.params.get("id_list") for r in fake_arxiv.requests] == ["2311.04934"]
    assert [(r.url, r.outcome, r.paper) for r in result.references] == [
        ("https://arxiv.org/abs/2311.04934", "added from arXiv", "gim2023prompt"),
        ("https://aclanthology.org/2023.nlposs-1.24/", "added from the README", "survey-bang2023"),
    ]
    technique = fresh.exec(select(m.Technique).where(m.Technique.name == "Semantic Caching")).one()
    # InferGraph's own words only: the README's description is not copied.
    assert technique.description == ""
    citations = fresh.exec(
        select(m.TechniqueCitation)
        .where(m.TechniqueCitation.technique_id == technique.id)
        .order_by(m.TechniqueCitation.position)  # type: ignore[arg-type]
    ).all()
    assert [(c.position, c.label) for c in citations] == [
        (0, "Gim et al. (2024)"),
        (1, "Bang (2023)"),
    ]
    fetched = fresh.get(m.Paper, citations[0].paper_id)
    assert fetched is not None
    assert (fetched.arxiv_id, fetched.title, fetched.year, fetched.arxiv_version) == (
        "2311.04934",
        "Prompt Cache: Modular Attention Reuse for Low-Latency Inference",
        2023,
        2,
    )
    authors = fresh.exec(
        select(m.Author.family)
        .join(m.PaperAuthor)
        .where(m.PaperAuthor.paper_id == fetched.id)
        .order_by(m.PaperAuthor.position)  # type: ignore[arg-type]
    ).all()
    assert authors[:2] == ["Gim", "Chen"]
    plain = fresh.get(m.Paper, citations[1].paper_id)
    assert plain is not None
    assert (plain.url, plain.title, plain.doi) == (
        "https://aclanthology.org/2023.nlposs-1.24/",
        None,
        None,
    )
    assert papers(fresh) == before + 2
    # Synced again: nothing to do, no arXiv request, no second paper.
    assert plan_survey_sync(fresh, readme("new_technique.md")).empty
    assert sync_survey(fresh, readme("new_technique.md"), apply=True).applied == []
    assert (papers(fresh), len(fake_arxiv.requests)) == (before + 2, 1)


def test_a_reference_already_in_the_graph_is_joined_not_fetched(
    fresh: Session, fake_arxiv: FakeArxiv
) -> None:
    text = readme("new_technique.md").replace(
        "https://arxiv.org/abs/2311.04934", "https://arxiv.org/abs/2309.06180"
    )
    before = papers(fresh)
    result = sync_survey(fresh, text, apply=True, arxiv=client(fake_arxiv))
    assert fake_arxiv.requests == []
    joined = result.references[0]
    assert (joined.outcome, joined.paper) == ("joined", "kwon2023efficient")
    assert papers(fresh) == before + 1  # the ACL Anthology link only


def test_an_unreachable_arxiv_is_said_per_reference(fresh: Session, fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.queue(CannedResponse(status=503, body=b"down"))
    result = sync_survey(fresh, readme("new_technique.md"), apply=True, arxiv=client(fake_arxiv))
    first = result.references[0]
    assert (first.outcome, first.paper) == ("added from the README", "survey-gimetal2024")
    assert first.message.startswith("arXiv could not be asked")
    paper = fresh.exec(select(m.Paper).where(m.Paper.arxiv_id == "2311.04934")).one()
    # What the README gives, no more: the id and the link; no title from the label.
    assert (paper.title, paper.url) == (None, "https://arxiv.org/abs/2311.04934")


def test_a_renamed_column_accepted_takes_the_new_label(fresh: Session) -> None:
    change_id = "column-renamed:optimization-matrix:6"
    result = sync_survey(fresh, readme("renamed_column.md"), apply=True, accept=[change_id])
    assert [c.id for c in result.applied] == [change_id]
    headers = render_table(fresh, "optimization-matrix").headers
    assert headers[6] == "Fully Sharded DP"
    assert plan_survey_sync(fresh, readme("renamed_column.md")).empty


def test_a_rejection_is_remembered_until_the_readme_changes_the_cell_again(
    fresh: Session,
) -> None:
    change_id = "column-renamed:optimization-matrix:6"
    sync_survey(fresh, readme("renamed_column.md"), apply=True, reject=[change_id], reviewer="ann")
    again = plan_survey_sync(fresh, readme("renamed_column.md"))
    ((change,),) = [again.changes]
    assert (change.review, change.reviewed_by, again.held) == ("rejected", "ann", [])
    assert change.reviewed_at is not None
    assert render_table(fresh, "optimization-matrix").headers[6] == "FSDP"
    # The README spells it anew: the old rejection no longer covers it.
    other = readme("renamed_column.md").replace("Fully Sharded DP", "Fully Sharded Data Par.")
    (proposed,) = plan_survey_sync(fresh, other).changes
    assert (proposed.review, proposed.held, proposed.new) == (
        None,
        True,
        "Fully Sharded Data Par.",
    )


def test_a_removed_row_accepted_is_recorded_and_its_facts_retired(fresh: Session) -> None:
    change_id = "row-removed:precision-matrix:Sarathi-Serve"
    count = fresh.exec(select(func.count()).select_from(m.PrecisionSupport)).one()
    sync_survey(fresh, readme("removed_row.md"), apply=True, accept=[change_id], reviewer="bo")
    review = fresh.exec(select(m.SurveyReview).where(m.SurveyReview.change_id == change_id)).one()
    assert (review.decision, review.decided_by) == ("accepted", "bo")
    # Its twelve precision facts are retired (tests/survey_sync/test_retire.py: history).
    assert fresh.exec(select(func.count()).select_from(m.PrecisionSupport)).one() == count - 12
    assert plan_survey_sync(fresh, readme("removed_row.md")).empty


MOVED = (
    "- [Sarathi-Serve](https://github.com/microsoft/sarathi-serve) 📄 [Paper](https://arxiv.org/abs/2403.02310)",
    "- [Sarathi-Serve](https://github.com/microsoft/sarathi-serve)",
)


def _moved_between_known() -> str:
    text = readme("README.md")
    vattention = next(line for line in text.splitlines() if line.startswith("- [vAttention]"))
    assert text.count(MOVED[0]) == 1
    text = text.replace(MOVED[0], MOVED[1])
    return text.replace(vattention, vattention + ", 📄 [Paper2](https://arxiv.org/abs/2403.02310)")


def test_a_paper_move_rejected_stays_and_is_not_proposed_again(fresh: Session) -> None:
    text = _moved_between_known()
    change_id = "paper-moved:https://arxiv.org/abs/2403.02310"
    assert [c.id for c in plan_survey_sync(fresh, text).held] == [change_id]
    result = sync_survey(fresh, text, apply=True, reject=[change_id])
    assert ([c.id for c in result.rejected], result.applied) == ([change_id], [])
    row = fresh.exec(
        select(m.EnginePaper).where(m.EnginePaper.url == "https://arxiv.org/abs/2403.02310")
    ).one()
    sarathi = fresh.exec(select(m.Engine).where(m.Engine.slug == "sarathi-serve")).one()
    assert row.engine_id == sarathi.id
    later = plan_survey_sync(fresh, text)
    assert later.held == [] and [c.review for c in later.changes] == ["rejected"]
    # A reviewer may change their mind: accepting it now moves the paper.
    sync_survey(fresh, text, apply=True, accept=[change_id])
    fresh.refresh(row)
    assert row.engine_id != sarathi.id


def test_papers_moved_onto_a_new_engine_follow_it_once_accepted(fresh: Session) -> None:
    moved = [
        "paper-moved:https://arxiv.org/abs/2312.12456",
        "paper-moved:https://arxiv.org/abs/2406.06282",
    ]
    result = sync_survey(fresh, readme("paper_moved.md"), apply=True, accept=moved)
    assert [c.id for c in result.applied] == ["engine-added:PowerInfer-2", *moved]
    engine = fresh.exec(select(m.Engine).where(m.Engine.name == "PowerInfer-2")).one()
    assert engine.web_url == "https://powerinfer.ai/v2/"
    rows = fresh.exec(
        select(m.EnginePaper.url, m.EnginePaper.position).where(
            m.EnginePaper.engine_id == engine.id
        )
    ).all()
    assert sorted(rows) == [
        ("https://arxiv.org/abs/2312.12456", 0),
        ("https://arxiv.org/abs/2406.06282", 1),
    ]
    assert plan_survey_sync(fresh, readme("paper_moved.md")).empty


def test_unknown_ids_and_writerless_accepts_write_nothing(fresh: Session) -> None:
    text = readme("new_engine_row.md").replace(
        "## 📋 Overview", "## 🚪 LLM Gateways\n\n## 📋 Overview", 1
    )
    # Which ids a plan holds depends on the README and the graph of the moment: 409.
    with pytest.raises(ConflictError) as refused:
        sync_survey(fresh, text, apply=True, reject=["nope"], accept=["table-added:x"])
    assert [(p.field, p.value) for p in refused.value.problems] == [
        ("accept", "table-added:x"),
        ("reject", "nope"),
    ]
    assert fresh.exec(select(m.Engine).where(m.Engine.name == "Aphrodite")).first() is None
    assert fresh.exec(select(func.count()).select_from(m.SurveyReview)).one() == 0


def test_a_withdrawn_price_accepted_retires_its_row(fresh: Session) -> None:
    text = readme("README.md")
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("| Llama 3.1 8B"))
    cells = lines[index].split("|")
    column = next(i for i, cell in enumerate(cells[2:], start=2) if "/" in cell and "-" not in cell)
    cells[column] = " - / - "
    lines[index] = "|".join(cells)
    plan = plan_survey_sync(fresh, "\n".join(lines) + "\n")
    (change,) = plan.changes
    assert (change.kind, change.held, change.new) == ("cell-changed", True, "- / -")
    count = fresh.exec(select(func.count()).select_from(m.ModelPrice)).one()
    sync_survey(fresh, "\n".join(lines) + "\n", apply=True, accept=[change.id])
    assert fresh.exec(select(func.count()).select_from(m.ModelPrice)).one() == count - 1
    # No row is the data model's "not offered": the table now says `- / -` as the README.
    assert plan_survey_sync(fresh, "\n".join(lines) + "\n").empty


def test_a_new_model_price_is_written(fresh: Session) -> None:
    table = render_table(fresh, "model-pricing")
    # Fireworks AI's column: no footnote qualifies its prices (Friendli AI's `†` marks only
    # some, so a new price there is held: test_price_rows.py).
    column = table.headers.index("Fireworks AI")
    position, row = next((i, r) for i, r in enumerate(table.rows) if r[column] == "- / -")
    text = readme("README.md")
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"| {row[0]} "))
    cells = lines[index].split("|")
    assert cells[column + 1].strip() == "- / -"
    cells[column + 1] = " 0.42 / 0.84 "
    lines[index] = "|".join(cells)
    new_text = "\n".join(lines) + "\n"
    (change,) = plan_survey_sync(fresh, new_text).changes
    assert (change.held, change.old, change.new) == (False, "- / -", "0.42 / 0.84")
    sync_survey(fresh, new_text, apply=True)
    assert render_table(fresh, "model-pricing").rows[position][column] == "0.42 / 0.84"
    assert plan_survey_sync(fresh, new_text).empty


def test_an_accepted_removal_leaves_the_other_rows_facts_alone(fresh: Session) -> None:
    sarathi = fresh.exec(select(m.Engine.id).where(m.Engine.slug == "sarathi-serve")).one()
    others = select(m.PrecisionSupport.engine_id, m.PrecisionSupport.status).where(
        m.PrecisionSupport.engine_id != sarathi
    )
    facts = fresh.exec(others).all()
    sync_survey(
        fresh,
        readme("removed_row.md"),
        apply=True,
        accept=["row-removed:precision-matrix:Sarathi-Serve"],
    )
    assert fresh.exec(others).all() == facts
    assert SupportStatus.SUPPORTED in {status for _, status in facts}


def test_a_new_technique_table_becomes_a_category_and_joins_known_papers(
    fresh: Session, fake_arxiv: FakeArxiv
) -> None:
    plan = plan_survey_sync(fresh, readme("new_technique_table.md"))
    assert [(c.kind, c.row, c.held) for c in plan.changes] == [
        ("table-added", None, False),
        ("technique-added", "KV Cache Offloading", False),
        ("technique-added", "Weight Streaming", False),
    ]
    before = papers(fresh)
    result = sync_survey(
        fresh, readme("new_technique_table.md"), apply=True, arxiv=client(fake_arxiv)
    )
    # The DOI link and the arXiv link are one stored paper: joined, neither fetched nor copied.
    assert [(r.outcome, r.paper) for r in result.references] == [
        ("joined", "kwon2023efficient"),
        ("joined", "kwon2023efficient"),
    ]
    assert "by doi" in result.references[0].message
    assert (papers(fresh), fake_arxiv.requests) == (before, [])
    category = fresh.exec(
        select(m.TechniqueCategory).where(m.TechniqueCategory.slug == "memory-offloading")
    ).one()
    assert (category.name, category.parent_id, category.description) == (
        "Memory Offloading",
        None,
        None,
    )
    table = render_table(fresh, "techniques-memory-offloading")
    assert [row[0] for row in table.rows] == ["KV Cache Offloading", "Weight Streaming"]
    assert plan_survey_sync(fresh, readme("new_technique_table.md")).empty


QUADRANT_SINGLE = "| llama.cpp, MAX, MLC LLM, Ollama, PowerInfer, TGI "
QUADRANT_MULTI_HOMOGENEOUS = "| DistServe, TensorRT-LLM, GroqCloud "


def test_the_quadrant_places_a_new_engine_and_holds_a_move(fresh: Session) -> None:
    text = readme("new_engine_row.md")
    assert text.count(QUADRANT_SINGLE) == 1 and text.count(QUADRANT_MULTI_HOMOGENEOUS) == 1
    # Aphrodite (new) joins a cell; TGI moves from single-node to multi-node.
    text = text.replace(
        QUADRANT_SINGLE, "| llama.cpp, MAX, MLC LLM, Ollama, PowerInfer, Aphrodite "
    )
    text = text.replace(QUADRANT_MULTI_HOMOGENEOUS, "| DistServe, TensorRT-LLM, GroqCloud, TGI ")
    plan = plan_survey_sync(fresh, text)
    quadrant = {(c.row, c.held): c for c in plan.changes if c.table == "deployment-quadrant"}
    assert sorted(quadrant) == [("🖥 **Single-Node**", True), ("🖧 **Multi-Node**", True)]
    # The single-node cell both gains Aphrodite and loses TGI: a reviewer decides.
    single = quadrant[("🖥 **Single-Node**", True)]
    multi = quadrant[("🖧 **Multi-Node**", True)]
    assert "moves from another cell" in multi.reason
    sync_survey(fresh, text, apply=True, accept=[single.id, multi.id])
    rows = render_table(fresh, "deployment-quadrant").rows
    assert rows[0][1] == "llama.cpp, MAX, MLC LLM, Ollama, PowerInfer, Aphrodite"
    assert rows[1][2] == "DistServe, TensorRT-LLM, GroqCloud, TGI"
    assert plan_survey_sync(fresh, text).empty


def test_a_name_too_long_for_the_graph_is_not_understood(fresh: Session) -> None:
    long_name = "A" * 201
    text = readme("new_engine_row.md").replace("| Aphrodite |", f"| {long_name} |")
    plan = plan_survey_sync(fresh, text)
    ((line, reason),) = [(u.line, u.reason) for u in plan.unparsed]
    assert (line, reason) == (114, "a name of 201 characters; at most 200")
    with pytest.raises(InvalidInputError):
        sync_survey(fresh, text, apply=True)
    assert fresh.exec(select(m.Engine).where(m.Engine.name == long_name)).first() is None
