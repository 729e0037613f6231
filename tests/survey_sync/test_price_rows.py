"""New rows of the price tables: a device and an LLM the graph did not have, created with
what their names say, priced per provider, versioned, in the feed."""

import pytest
from sqlmodel import Session, select

import models as m
from api.errors import InvalidInputError
from api.services.history import session_as_of
from api.services.survey_sync import plan_survey_sync, sync_survey
from api.services.survey_tables import render_table
from tests.survey_sync.conftest import FIXTURES

NEXT = "2026-04-01"


def _readme(name: str = "new_price_rows.md") -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _row(session: Session, table: str, label: str) -> list[str] | None:
    return next((row for row in render_table(session, table).rows if row[0] == label), None)


def test_a_new_device_and_model_row_are_created_and_priced(fresh: Session) -> None:
    plan = plan_survey_sync(fresh, _readme())
    assert [(c.id, c.held) for c in plan.changes] == [
        ("row-added:model-pricing:Mistral Small 24B", False),
        ("row-added:device-pricing:NVIDIA B200 192GB", False),
    ]
    assert "a new device row: joins the graph's entry" in plan.changes[1].reason
    result = sync_survey(fresh, _readme(), apply=True, source_version=NEXT)
    assert len(result.applied) == 2
    device = fresh.exec(select(m.Device).where(m.Device.name == "NVIDIA B200 192GB")).one()
    assert (device.slug, device.vendor, device.memory_gb) == ("nvidia-b200-192gb", "NVIDIA", 192)
    model = fresh.exec(select(m.LLMModel).where(m.LLMModel.name == "Mistral Small 24B")).one()
    assert (model.slug, model.parameters_billion, model.family) == ("mistral-small-24b", 24.0, None)
    assert _row(fresh, "device-pricing", "NVIDIA B200 192GB") == [
        "NVIDIA B200 192GB",
        "7.5",
        "9.5",
        "-",
        "-",
    ]
    assert _row(fresh, "model-pricing", "Mistral Small 24B") == [
        "Mistral Small 24B",
        "0.10 / 0.30",
        "- / -",
        "- / -",
        "0.80 / 0.80",
    ]
    assert plan_survey_sync(fresh, _readme()).empty
    with session_as_of(fresh.get_bind(), "2025-12-02") as past:  # type: ignore[arg-type]
        assert _row(past, "device-pricing", "NVIDIA B200 192GB") is None
        assert past.exec(select(m.Device).where(m.Device.slug == device.slug)).first() is None
    version = fresh.exec(select(m.SourceVersion.id).where(m.SourceVersion.name == NEXT)).one()
    added = fresh.exec(
        select(m.FactChange.table_name, m.FactChange.action).where(
            m.FactChange.source_version_id == version
        )
    ).all()
    assert sorted(set(added)) == [
        ("device", "added"),
        ("device_price", "added"),
        ("layout_entry", "added"),
        ("llm_model", "added"),
        ("model_price", "added"),
    ]
    assert sum(table == "device_price" for table, _ in added) == 2


def test_a_new_row_with_a_substituted_price_is_held(fresh: Session) -> None:
    text = _readme().replace(
        "| Mistral Small 24B | 0.10 / 0.30 |", "| Mistral Small 24B | 0.10* / 0.30* |"
    )
    plan = plan_survey_sync(fresh, text)
    held = [c for c in plan.changes if c.held]
    assert [(c.id, c.reason) for c in held] == [
        (
            "row-added:model-pricing:Mistral Small 24B",
            "a price for a substituted model (`*`): the footnote needs a curator",
        )
    ]
    sync_survey(fresh, text, apply=True)
    assert (
        fresh.exec(select(m.LLMModel).where(m.LLMModel.name == "Mistral Small 24B")).first() is None
    )
    assert _row(fresh, "device-pricing", "NVIDIA B200 192GB") is not None


def test_an_unreadable_price_in_a_new_row_is_a_line_not_understood(fresh: Session) -> None:
    text = _readme().replace("| NVIDIA B200 192GB | 7.5 |", "| NVIDIA B200 192GB | cheap |")
    plan = plan_survey_sync(fresh, text)
    line = text.splitlines().index("| NVIDIA B200 192GB | cheap | 9.5 | - | - |") + 1
    assert [(item.line, item.reason) for item in plan.unparsed] == [
        (line, "'cheap' is not a price such as 2.9 or 0.60")
    ]
    with pytest.raises(InvalidInputError):
        sync_survey(fresh, text, apply=True)
    assert fresh.exec(select(m.Device).where(m.Device.name == "NVIDIA B200 192GB")).first() is None
