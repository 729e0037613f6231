"""Growing the graph after the survey: arXiv entries and BibTeX files, matched to the papers
already stored, with technique links suggested for a curator to review.

The CLI (`infergraph ingest …`, `infergraph suggestions …`) and the HTTP endpoints call these.
"""

from api.services.ingest.report import IngestReport, Outcome, Progress, ProgressEvent
from api.services.ingest.service import ingest_arxiv, ingest_bibtex
from api.services.ingest.suggestions import (
    SuggestionView,
    TechniqueMatcher,
    list_suggestions,
    review_suggestion,
)
from models.ingest import LinkStatus

__all__ = [
    "IngestReport",
    "LinkStatus",
    "Outcome",
    "Progress",
    "ProgressEvent",
    "SuggestionView",
    "TechniqueMatcher",
    "ingest_arxiv",
    "ingest_bibtex",
    "list_suggestions",
    "review_suggestion",
]
