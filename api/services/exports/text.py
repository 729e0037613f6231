"""Small text helpers shared by the export formats."""

import json
from typing import Any

from api.services.ingest.readers.bibtex import decode_latex

__all__ = ["decode_latex", "json_text"]


def json_text(value: Any) -> str:
    """Compact JSON that keeps non-ASCII text readable; NaN is refused, as JSON has none."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
