"""The backend-independent value forms that dumps and content hashes rely on."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from api.services.exports.values import from_json_value, to_json_value
from models.base import SupportStatus


@pytest.mark.parametrize(
    ("stored", "json_form"),
    [
        (Decimal("1.5000"), "1.5"),
        (Decimal("1.5"), "1.5"),
        (Decimal("100.0000"), "100"),
        (Decimal("0E-4"), "0"),
        (Decimal("0.0001"), "0.0001"),
        (dt.date(2025, 12, 2), "2025-12-02"),
        # SQLite hands back naive UTC, PostgreSQL the same moment in its session zone.
        (dt.datetime(2026, 1, 2, 3, 4, 5), "2026-01-02T03:04:05"),
        (
            dt.datetime(2026, 1, 2, 5, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "2026-01-02T03:04:05",
        ),
        (SupportStatus.NOT_SUPPORTED, "not_supported"),
        (True, True),
        (7535.0, 7535.0),
        ({"b": 1, "a": [1, "x"]}, {"b": 1, "a": [1, "x"]}),
        (None, None),
    ],
)
def test_json_forms(stored: Any, json_form: Any) -> None:
    assert to_json_value(stored) == json_form


def test_values_come_back_as_their_column_types() -> None:
    def column(sa_type: Any) -> sa.Column[Any]:
        return sa.Column("c", sa_type)

    assert from_json_value(column(sa.Numeric(10, 4)), "1.5") == Decimal("1.5")
    assert from_json_value(column(sa.Float()), 3) == 3.0
    assert from_json_value(column(sa.Date()), "2025-12-02") == dt.date(2025, 12, 2)
    assert from_json_value(
        column(sa.DateTime(timezone=True)), "2026-01-02T03:04:05"
    ) == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert from_json_value(column(sa.DateTime()), "2026-01-02T03:04:05").tzinfo is None
    assert from_json_value(column(sa.JSON()), {"a": 1}) == {"a": 1}
    with pytest.raises(ValueError):
        from_json_value(column(sa.Integer()), "12")
    with pytest.raises(ValueError):
        from_json_value(column(sa.Boolean()), 1)


def test_values_without_a_json_form_are_refused() -> None:
    with pytest.raises(ValueError):
        to_json_value(float("nan"))
    with pytest.raises(TypeError):
        to_json_value(b"bytes")
