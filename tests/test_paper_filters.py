"""Technique and category filters give the same papers however the page query is phrased."""

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from api.services import literature
from api.services.literature import PaperFilter, PaperOrder, list_papers
from api.services.pagination import PageRequest

FILTERS = [
    PaperFilter(category="quantization"),
    PaperFilter(category="parallelism"),
    PaperFilter(category="attention-optimization", year_from=2023),
    PaperFilter(techniques=("paged-attention", "flash-attention")),
]


def _walk(session: Session, f: PaperFilter, order: PaperOrder) -> tuple[list[str], int]:
    """Every page of 3 in turn, following cursors: the keys in order, and the count."""
    keys: list[str] = []
    after = None
    while True:
        page = list_papers(session, f, order, PageRequest(first=3, after=after))
        keys += [paper.bibtex_key for paper in page.items]
        if not page.has_next:
            return keys, page.count()
        after = page.end_cursor


def _statements(session: Session) -> list[str]:
    seen: list[str] = []
    sa.event.listen(session.get_bind(), "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: f"{f.category or ''}{'+'.join(f.techniques)}")
@pytest.mark.parametrize("order", [PaperOrder.YEAR_DESC, PaperOrder.TITLE])
def test_a_broad_filter_checked_per_paper_pages_exactly_like_the_narrow_form(
    session: Session, f: PaperFilter, order: PaperOrder, monkeypatch: pytest.MonkeyPatch
) -> None:
    narrow_keys, narrow_count = _walk(session, f, order)
    monkeypatch.setattr(literature, "BROAD_CITATIONS", 1)  # every filter counts as broad
    seen = _statements(session)

    broad_keys, broad_count = _walk(session, f, order)

    assert len(narrow_keys) > 3  # more than one page
    assert broad_keys == narrow_keys
    assert broad_count == narrow_count == len(set(narrow_keys))
    pages = [s for s in seen if s.lstrip().startswith("SELECT paper.bibtex_key")]
    assert pages and all("EXISTS (SELECT" in s for s in pages)
    assert not any("EXISTS" in s for s in seen if "count(*)" in s)  # counts read every match


def test_a_narrow_filter_keeps_the_in_form(session: Session) -> None:
    seen = _statements(session)

    list_papers(session, PaperFilter(category="quantization"), page=PageRequest(first=5))

    pages = [s for s in seen if s.lstrip().startswith("SELECT paper.bibtex_key")]
    assert len(pages) == 1 and "EXISTS" not in pages[0] and "paper.id IN (SELECT" in pages[0]
