"""The JSON Schema of the body `POST /sync/survey` reads: a README holding a survey table.

`plan_survey_sync` refuses text with none of the survey list's tables or engine lists (planned
against the graph, it would "remove" every table: far more likely the wrong file). So the
document calls valid only text that holds one of the tables the sync reads, under its heading
(`api/services/survey_sync/readme.py`, `TABLE_HEADINGS`), with the header and `---` rows a
table needs; anything else in the text may be what it likes. Lines the sync does not
understand do not make the body invalid: they make the plan incomplete, and it says so.
"""

import re
from typing import Any

# The headings as the list writes them; `heading_key` ignores case, emoji and punctuation,
# so the README's own emoji are allowed in front.
_HEADINGS = (
    "Overview of LLM Inference Engines",
    "Hardware Support Matrix",
    "Deployment Scalability vs. Hardware Diversity",
    "Optimization Coverage Matrix",
    "Numeric Precision Support Matrix",
    "Commercial Inference Engine Pricing by Model (USD per 1M tokens)",
    "Commercial Inference Engine Pricing by Hardware Type (USD per hour per device)",
)
_EMOJI = ("📋", "💻", "🧭", "📌", "🧮", "💲")
# A cell: no `|`, no backslash (it escapes a `|`), no `#` (a `## …` inside a row starts a
# heading), and none of the characters Python splits lines at.
_CELL = "[^|\\\\#\\n\\r\\u000b\\u000c\\u001c\\u001d\\u001e\\u0085\\u2028\\u2029\\u0000]{1,60}"
_HEADING = (
    "#{1,6} (?:(?:"
    + "|".join(_EMOJI)
    + ") )?(?:"
    + "|".join(re.escape(heading) for heading in _HEADINGS)
    + ")"
)
README_PATTERN = (
    f"(?:^|\\n){_HEADING}\\n(?: *\\n)*"
    f"\\|(?:{_CELL}\\|){{1,20}}\\n"
    "\\|(?: *:?-{3,}:? *\\|){1,20}"
    f"(?:\\n\\|(?:{_CELL}\\|){{1,20}})*(?:\\n|$)"
)

README_BODY: dict[str, Any] = {
    "type": "string",
    "description": "The list's README (Markdown). It must hold at least one of the survey's "
    "tables under its heading (" + "; ".join(_HEADINGS) + "), with a header and a `---` row.",
    # Two patterns: one finds the table, the other keeps NUL out of the whole text.
    "allOf": [{"pattern": README_PATTERN}, {"pattern": "^[^\\u0000]*$"}],
}
