"""One backend-independent JSON form for every column value (used by dump and content hash).

SQLite and PostgreSQL hand back the same stored value in different Python shapes
(`Decimal('1.5000')` vs a float-derived `Decimal('1.5')`, JSON text vs parsed JSON, …);
converting both through here makes dumps and hashes equal across backends.
"""

import datetime as dt
import math
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa

from api.services.unstorable import text_refusal


def to_json_value(value: Any) -> Any:
    """The JSON form: Decimal → canonical string, dates → ISO 8601, enums → their value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} has no JSON form")
        return value
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dt.datetime):
        # PostgreSQL returns timestamptz values in the session's zone, SQLite returns
        # them naive (the UTC wall time SQLAlchemy stored). Both become naive UTC here.
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return value
    raise TypeError(f"no JSON form for a {type(value).__name__}: {value!r}")


def decimal_text(value: Decimal) -> str:
    """`Decimal('1.5000')` and `Decimal('1.5')` → `'1.5'`; never exponent notation."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def from_json_value(column: sa.Column[Any], value: Any) -> Any:
    """Back from the JSON form to what the column's type expects on insert."""
    if value is None:
        return None
    column_type = column.type
    if isinstance(column_type, sa.JSON):
        return value
    if isinstance(column_type, sa.DateTime):
        moment = dt.datetime.fromisoformat(value)
        if column_type.timezone and moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment
    if isinstance(column_type, sa.Date):
        return dt.date.fromisoformat(value)
    if isinstance(column_type, sa.Time):
        return dt.time.fromisoformat(value)
    if isinstance(column_type, sa.Float):
        return float(value)
    if isinstance(column_type, sa.Numeric):
        return Decimal(str(value))
    if isinstance(column_type, sa.Boolean):
        if not isinstance(value, bool):
            raise ValueError(f"{value!r} is not a boolean")
        return value
    if isinstance(column_type, sa.Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{value!r} is not an integer")
        return value
    return value


MAX_JSON_DEPTH = 32
"""Nesting a JSON column's value may have in a dump: ours nest two deep (failures, fields)."""
_INTEGER_RANGES = ((sa.SmallInteger, 16), (sa.BigInteger, 64), (sa.Integer, 32))


def checked_value(column: sa.Column[Any], value: Any) -> Any:
    """`value` if its column can hold it, as strictly as the seed checks its files: text free
    of NUL and lone surrogates, finite numbers, integers in the column's range, JSON nested
    at most `MAX_JSON_DEPTH` deep. Raises ValueError saying why not."""
    if value is None:
        return None
    column_type = column.type
    if isinstance(column_type, sa.JSON):
        _check_json(value)
    elif isinstance(column_type, sa.Boolean):
        pass  # from_json_value insists on a boolean
    elif isinstance(column_type, sa.Integer):
        bits = next(b for kind, b in _INTEGER_RANGES if isinstance(column_type, kind))
        if type(value) is int and not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            raise ValueError(f"{value} is outside the column's {bits}-bit range")
    elif isinstance(column_type, sa.Float | sa.Numeric):
        number = value if type(value) in (int, float) else _decimal(value)
        if not math.isfinite(number):
            raise ValueError(f"{shown(value)!r} is not a finite number")
    elif not isinstance(value, str):
        raise ValueError(f"{shown(value)!r} is not a string")
    else:
        _check_text(value)
    return value


def _decimal(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise ValueError(f"{shown(value)!r} is not a number")
    try:
        return Decimal(value)
    except ArithmeticError:
        raise ValueError(f"{shown(value)!r} is not a number") from None


def _check_json(value: Any) -> None:
    # Iterative: the depth check must not itself run out of stack.
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise ValueError("JSON numbers must be finite")
        elif isinstance(item, dict):
            for key in item:
                _check_text(key)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def _check_text(text: str) -> None:
    if (message := text_refusal(text)) is not None:
        raise ValueError(message)


def shown(value: Any) -> Any:
    """`value` as an error may echo it: short, and never text that cannot be encoded."""
    if isinstance(value, str):
        return value[:100] if text_refusal(value) is None else None
    if isinstance(value, dict | list):
        return None
    return value


def type_name(column: sa.Column[Any]) -> str:
    """The column's type as the dump format documents it."""
    column_type = column.type
    for sa_type, name in (
        (sa.JSON, "json"),
        (sa.DateTime, "datetime"),
        (sa.Date, "date"),
        (sa.Time, "time"),
        (sa.Float, "float"),
        (sa.Numeric, "decimal"),
        (sa.Boolean, "boolean"),
        (sa.Integer, "integer"),
        (sa.Enum, "enum"),
    ):
        if isinstance(column_type, sa_type):
            return name
    return "string"
