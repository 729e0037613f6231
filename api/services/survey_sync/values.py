"""What a README cell says, as the values the graph stores; ValueError when it says none."""

import re
from decimal import Decimal

from models.base import DocsLevel, OpenSource, OrganizationKind, SupportStatus

_STATUS = {
    "✅": SupportStatus.SUPPORTED,
    "❌": SupportStatus.NOT_SUPPORTED,
    "-": SupportStatus.UNKNOWN,
}
_CELL = re.compile(r"^(✅|❌|-)(?:\s*\((.+)\))?$")
_STARS = re.compile(r"^(\d+(?:\.\d+)?)K$")
_DOCS = {"✅": DocsLevel.DETAILED, "🟠": DocsLevel.MODERATE, "🟡": DocsLevel.SIMPLE}
_OPEN = {"✅": OpenSource.YES, "🔷": OpenSource.PARTIAL, "❌": OpenSource.NO}
_FLAG = {"✅": True, "❌": False}
_PRICE = re.compile(r"^\d{1,6}(?:\.\d{1,4})?$")
_RELEASE = re.compile(r"^([A-Z][a-z]{2})\.? (\d{4})$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_OVERVIEW_FIELDS = {"SNS": "has_sns", "Forum": "has_forum", "Meetup": "has_meetup"}


_ORGANIZATION = re.compile(r"^(Community|Academic|Big Tech|Startup) \((.+)\)$")
_KINDS = {
    "Community": OrganizationKind.COMMUNITY,
    "Academic": OrganizationKind.ACADEMIC,
    "Big Tech": OrganizationKind.BIG_TECH,
    "Startup": OrganizationKind.STARTUP,
}


def support_value(cell: str) -> tuple[SupportStatus, str | None]:
    """`✅`, `❌`, `-` or any of them with a note in brackets: `✅ (NVIDIA Jetson)`."""
    match = _CELL.match(cell)
    if match is None:
        raise ValueError(f"{cell!r} is not ✅, ❌ or - (with an optional note in brackets)")
    note = match.group(2)
    if note is not None and len(note) > 300:
        raise ValueError(f"a note of {len(note)} characters; at most 300 are kept")
    return _STATUS[match.group(1)], note


def price_value(cell: str) -> Decimal:
    """A price as the survey prints it (`2.9`, `0.60`): at most 6 digits before the point, 4
    after (the columns' size)."""
    if not _PRICE.match(cell):
        raise ValueError(f"{cell!r} is not a price such as 2.9 or 0.60")
    return Decimal(cell)


_STARRED_PAIR = re.compile(r"^(\d+(?:\.\d+)?)\* / (\d+(?:\.\d+)?)\*$")


def starred_pair(cell: str) -> tuple[Decimal, Decimal, bool]:
    """A model price pair and whether it is starred (`0.75* / 0.99*`: for the model the
    table's `\\*` note names)."""
    starred = _STARRED_PAIR.match(cell)
    if starred:
        return price_value(starred.group(1)), price_value(starred.group(2)), True
    given, taken = price_pair(cell)
    return given, taken, False


def price_pair(cell: str) -> tuple[Decimal, Decimal]:
    parts = cell.split(" / ")
    if len(parts) != 2:
        raise ValueError(f"{cell!r} is not an input / output price pair such as 0.60 / 0.80")
    return price_value(parts[0]), price_value(parts[1])


def overview_value(column: str, cell: str) -> object:
    """The engine field value an overview cell states; ValueError when it states none."""
    if column == "GitHub Stars":
        if cell in {"--", "-"}:
            return None
        stars = _STARS.match(cell)
        if stars is None:
            raise ValueError(f"{cell!r} is not a star count such as 12.0K or --")
        count = round(float(stars.group(1)) * 1000)
        # The column is a 32-bit integer; a typo of a few digits must not overflow it.
        if count > 1_000_000_000:
            raise ValueError(f"{cell!r} is more stars than any repository has")
        return count
    if column == "Release Date":
        if cell == "-":
            return None
        release = _RELEASE.match(cell)
        if release is None or release.group(1) not in _MONTHS:
            raise ValueError(f"{cell!r} is not a release month such as Jun. 2023 or -")
        year = int(release.group(2))
        if not 1990 <= year <= 2100:
            raise ValueError(f"{cell!r}: the year must be between 1990 and 2100")
        return (year, _MONTHS.index(release.group(1)) + 1)
    if column == "Docs":
        if cell == "-":
            return None
        if cell == "❌":
            return DocsLevel.MISSING
        if cell not in _DOCS:
            raise ValueError(f"{cell!r} is not ✅, 🟠, 🟡, ❌ or -")
        return _DOCS[cell]
    if column == "Open Source":
        if cell == "-":
            return None
        if cell not in _OPEN:
            raise ValueError(f"{cell!r} is not ✅, 🔷, ❌ or -")
        return _OPEN[cell]
    if cell == "-":
        return None
    if cell not in _FLAG:
        raise ValueError(f"{cell!r} is not ✅, ❌ or -")
    return _FLAG[cell]


def organization_value(cell: str) -> tuple[OrganizationKind, str] | None:
    """`Startup (Fireworks AI)` → (startup, `Fireworks AI`); an empty cell names none."""
    if cell in {"", "-"}:
        return None
    match = _ORGANIZATION.match(cell)
    if match is None or len(match.group(2)) > 200:
        raise ValueError(f"{cell!r} is not an organisation such as Startup (Fireworks AI)")
    return _KINDS[match.group(1)], match.group(2)


NO_PRICE = "- / -"
"""How the model price table says "not offered" (the device table says `-`)."""
PRICE_ROW_TABLES = ("device-pricing", "model-pricing")
SUBSTITUTED = "*"
"""Marks a price for a substituted model (the table's `\\*` note)."""


def row_price(table: str, cell: str) -> Decimal | tuple[Decimal, Decimal] | None:
    """A price-table cell as its price; None for "not offered"."""
    if table == "device-pricing":
        return None if cell == "-" else price_value(cell)
    return None if cell == NO_PRICE else price_pair(cell)


def price_row_held(cells: list[str]) -> str | None:
    """Why a new price row needs a curator (None when the sync writes it)."""
    if any(SUBSTITUTED in cell for cell in cells[1:]):
        return "a price for a substituted model (`*`): the footnote needs a curator"
    return None
