"""New rows of the price tables: a device and an LLM the graph did not have, created with
what their names say, priced per provider, versioned, in the feed."""

import pytest
from sqlmodel import Session, col, select

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
        "- / -",
        "0.10 / 0.30",
        "- / -",
        "0.80 / 0.80",
    ]
    # Together AI's `‡` says its prices are Turbo mode; the new one is too. Fireworks AI's
    # column has no footnote and its price no mode.
    assert _terms(fresh, "Mistral Small 24B") == {
        "Fireworks AI": (None, None),
        "Together Inference": (None, "Turbo"),
    }
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
        "| Mistral Small 24B | - / - | 0.10 / 0.30 |",
        "| Mistral Small 24B | - / - | 0.10* / 0.30* |",
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


def _terms(session: Session, model: str) -> dict[str, tuple[str | None, str | None]]:
    """A model's survey prices: (model variant, pricing mode) by provider name."""
    rows = session.exec(
        select(m.Engine.name, m.ModelPrice.model_variant, m.ModelPrice.pricing_mode)
        .join(m.LLMModel, col(m.LLMModel.id) == col(m.ModelPrice.model_id))
        .join(m.Engine, col(m.Engine.id) == col(m.ModelPrice.provider_id))
        .where(m.LLMModel.name == model)
    ).all()
    return {name: (variant, mode) for name, variant, mode in rows}


FRIENDLI_HELD = (
    "Friendli AI's prices differ in model variant or pricing mode (its footnote qualifies "
    "only some): a curator sets this price's"
)


def test_a_new_price_under_a_footnote_that_qualifies_only_some_prices_is_held(
    fresh: Session,
) -> None:
    # Friendli AI's `†` ("Llama is Instruct model") marks its Llama prices only: which a new
    # model's price is, the README does not say, so a curator decides. A new row with such a
    # price is held whole; a new cell is held alone, while Together AI's new cell (all its
    # prices are Turbo) is written Turbo.
    text = _readme().replace(
        "| Mistral Small 24B | - / - | 0.10 / 0.30 |",
        "| Mistral Small 24B | 0.20 / 0.40 | 0.10 / 0.30 |",
    )
    text = (
        text.replace(
            "| DeepSeek-V3 | - / - | 0.90 / 0.90 | - / - | 1.25 / 1.25 |",
            "| DeepSeek-V3 | 1.00 / 1.00 | 0.90 / 0.90 | - / - | 1.25 / 1.25 |",
        )
        .replace(
            "| Qwen 2.5 Coder 32B | - / - | - / - | 0.79 / 0.79 | 0.80 / 0.80 |",
            "| Qwen 2.5 Coder 32B | - / - | 0.50 / 0.50 | 0.79 / 0.79 | 0.80 / 0.80 |",
        )
        .replace(
            "| Llama 3.1 405B | - / - | 3.00 / 3.00 | - / - | 3.50 / 3.50 |",
            "| Llama 3.1 405B | - / - | 3.00 / 3.00 | 2.00 / 2.50 | 3.50 / 3.50 |",
        )
    )
    plan = plan_survey_sync(fresh, text)
    assert {
        (c.id, c.held, c.reason if c.held else "")
        for c in plan.changes
        if c.kind != "row-added" or "Mistral" in c.id
    } == {
        ("row-added:model-pricing:Mistral Small 24B", True, FRIENDLI_HELD),
        ("cell:model-pricing:DeepSeek-V3:Friendli AI†", True, FRIENDLI_HELD),
        ("cell:model-pricing:Qwen 2.5 Coder 32B:Fireworks AI", False, ""),
        ("cell:model-pricing:Llama 3.1 405B:GroqCloud", False, ""),
    }
    sync_survey(fresh, text, apply=True, source_version=NEXT)
    assert _terms(fresh, "Mistral Small 24B") == {}
    assert _terms(fresh, "DeepSeek-V3") == {
        "Fireworks AI": (None, None),
        "Together Inference": (None, "Turbo"),
    }
    assert _terms(fresh, "Qwen 2.5 Coder 32B")["Fireworks AI"] == (None, None)
    assert _terms(fresh, "Llama 3.1 405B")["GroqCloud"] == (None, None)


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


SUBSTITUTE = "DeepSeek-R1 Distill Llama 70B"


def _served(session: Session, model: str, provider: str) -> tuple[str, str, str | None]:
    price = session.exec(
        select(m.ModelPrice)
        .join(m.LLMModel, col(m.LLMModel.id) == col(m.ModelPrice.model_id))
        .join(m.Engine, col(m.Engine.id) == col(m.ModelPrice.provider_id))
        .where(m.LLMModel.name == model, m.Engine.name == provider)
    ).one()
    served = session.get(m.LLMModel, price.served_model_id) if price.served_model_id else None
    return (
        f"{price.input_usd_per_mtok:.2f}",
        f"{price.output_usd_per_mtok:.2f}",
        served.name if served else None,
    )


def test_starred_prices_are_for_the_model_the_note_names(fresh: Session) -> None:
    text = _readme("substituted_prices.md")
    plan = plan_survey_sync(fresh, text)
    assert [(c.row, c.column, c.old, c.new, c.held) for c in plan.changes] == [
        ("DeepSeek-R1", "GroqCloud", "0.75* / 0.99*", "0.80* / 1.10*", False),
        ("Llama 3.3 70B", "Fireworks AI", "- / -", "0.70* / 0.90*", False),
    ]
    assert plan.changes[1].reason == f"priced for {SUBSTITUTE} (the table's `\\*` note)"
    sync_survey(fresh, text, apply=True, source_version=NEXT)
    assert _served(fresh, "DeepSeek-R1", "GroqCloud") == ("0.80", "1.10", SUBSTITUTE)
    assert _served(fresh, "Llama 3.3 70B", "Fireworks AI") == ("0.70", "0.90", SUBSTITUTE)
    table = render_table(fresh, "model-pricing")
    assert table.notes[-1] == f"\\* {SUBSTITUTE}"
    assert plan_survey_sync(fresh, text).empty
    with session_as_of(fresh.get_bind(), "2025-12-02") as past:  # type: ignore[arg-type]
        assert _row(past, "model-pricing", "Llama 3.3 70B") == [
            "Llama 3.3 70B",
            "0.60 / 0.60",
            "- / -",
            "0.59 / 0.79",
            "0.88 / 0.88",
        ]
    # A plain price again: the substitute goes with the star.
    plain = text.replace("0.80* / 1.10*", "0.80 / 1.10")
    sync_survey(fresh, plain, apply=True)
    assert _served(fresh, "DeepSeek-R1", "GroqCloud") == ("0.80", "1.10", None)
    assert plan_survey_sync(fresh, plain).empty


@pytest.mark.parametrize(
    ("note", "reason"),
    [
        (
            f"- \\* {SUBSTITUTE}\n- \\* Llama 3.1 8B",
            "a price for a substituted model (`*`) and no single `\\*` note naming it",
        ),
        (
            "- \\* Mistral Tiny 1B",
            "the `\\*` note names 'Mistral Tiny 1B', a model the graph lacks",
        ),
    ],
)
def test_a_starred_price_without_one_known_substitute_is_held(
    fresh: Session, note: str, reason: str
) -> None:
    text = _readme("substituted_prices.md").replace(f"- \\* {SUBSTITUTE}", note)
    plan = plan_survey_sync(fresh, text)
    assert {(c.held, c.reason) for c in plan.changes} == {(True, reason)}
