"""Sync the graph's survey facts with a newer README of the survey list (docs/sync.md)."""

from pathlib import Path

from api.errors import InvalidInputError, Problem
from api.services.survey_sync.apply import SyncResult, plan_survey_sync, sync_survey
from api.services.survey_sync.plan import Change, Plan
from api.services.survey_sync.readme import ParsedReadme, parse_readme
from api.services.survey_sync.reviews import list_reviews

# A README ten times the survey's is still well under this; more is not a list README.
MAX_README_BYTES = 8 * 1024 * 1024

__all__ = [
    "MAX_README_BYTES",
    "Change",
    "ParsedReadme",
    "Plan",
    "SyncResult",
    "decode_readme",
    "list_reviews",
    "parse_readme",
    "plan_survey_sync",
    "read_readme_file",
    "sync_survey",
]


def decode_readme(data: bytes, name: str) -> str:
    """The README's text; a file too big or not UTF-8 is refused with where it went wrong."""
    if len(data) > MAX_README_BYTES:
        raise InvalidInputError(
            f"{name}: {len(data)} bytes; a README may have at most {MAX_README_BYTES}"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidInputError(
            f"{name} is not UTF-8 text",
            [Problem("bytes that are not UTF-8", location=f"{name}:{line}")],
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InvalidInputError(
            f"{name} is not text", [Problem("a NUL character", location=f"{name}:{line}")]
        )
    return text


def read_readme_file(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInputError(f"cannot read {path}: {error.strerror}") from None
    return decode_readme(data, str(path))
