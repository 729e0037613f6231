"""One paper per work: arXiv id, then DOI (any case), then title + first author + year."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.services.ingest import ingest_arxiv, ingest_bibtex
from api.services.ingest import writer as ingest_writer
from models.ingest import ChangeAction
from tests.ingest.helpers import ARXIV_FIXTURES, BIBTEX_FIXTURES, count, fingerprint, paper

PUBLISHED_VLLM = r"""@inproceedings{kwon2023sosp,
  title = {Efficient Memory Management for Large Language Model Serving with {PagedAttention}},
  author = {Kwon, Woosuk and Li, Zhuohan and Stoica, Ion},
  booktitle = {Proceedings of the 29th Symposium on Operating Systems Principles},
  year = {2023}, month = oct, pages = {611--626},
  doi = {10.1145/3600006.3613165}
}
"""


def _changes(engine: sa.Engine, paper_id: int) -> list[m.PaperChange]:
    with Session(engine) as session:
        statement = select(m.PaperChange).where(m.PaperChange.paper_id == paper_id)
        return list(session.exec(statement.order_by(col(m.PaperChange.id))))


def test_preprint_then_published_version_by_eprint_is_one_paper(empty_engine: sa.Engine) -> None:
    ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "search_page_0.xml")
    preprint = paper(empty_engine, arxiv_id="2211.17192")
    assert (preprint.venue, preprint.year) == (None, 2022)

    report = ingest_bibtex(empty_engine, BIBTEX_FIXTURES / "mendeley.bib")

    assert (report.added, report.updated, report.failed) == (1, 1, 1)  # Dao2022 new; dup key
    published = paper(empty_engine, arxiv_id="2211.17192")
    assert published.id == preprint.id
    assert published.venue == "Proceedings of the 40th International Conference on Machine Learning"
    assert (published.year, published.month, published.entry_type) == (2023, 7, "article")
    assert published.primary_category == preprint.primary_category  # arXiv facts stay
    assert published.bibtex_key == preprint.bibtex_key
    assert count(empty_engine, "paper") == 3


def test_published_record_merges_into_the_preprint_by_doi(empty_engine: sa.Engine) -> None:
    """arXiv's entry for vLLM carries the SOSP DOI; the SOSP BibTeX entry lands on it."""
    ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "query_ids.xml")
    preprint = paper(empty_engine, arxiv_id="2309.06180")

    shouting = PUBLISHED_VLLM.upper().replace("@INPROCEEDINGS{KWON2023SOSP", "@inproceedings{k")

    report = ingest_bibtex(empty_engine, shouting, file_name="sosp.bib")

    assert (report.added, report.updated, report.merged) == (0, 1, 0)
    merged = paper(empty_engine, arxiv_id="2309.06180")
    assert merged.id == preprint.id
    assert merged.doi == "10.1145/3600006.3613165"  # stored spelling kept; matched ignoring case
    assert merged.venue == "PROCEEDINGS OF THE 29TH SYMPOSIUM ON OPERATING SYSTEMS PRINCIPLES"
    assert merged.entry_type == "inproceedings"
    assert merged.bibtex_fields["eprint"] == "2309.06180"  # the preprint's id survives
    assert merged.bibtex_fields["pages"] == "611--626"
    assert count(empty_engine, "paper") == 3
    change = _changes(empty_engine, preprint.id or 0)[-1]
    assert change.action == ChangeAction.UPDATED
    assert change.changes["venue"] == [
        None,
        "PROCEEDINGS OF THE 29TH SYMPOSIUM ON OPERATING SYSTEMS PRINCIPLES",
    ]


def test_published_first_then_arxiv_adds_the_arxiv_id(empty_engine: sa.Engine) -> None:
    ingest_bibtex(empty_engine, PUBLISHED_VLLM, file_name="sosp.bib")

    report = ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "query_ids.xml")

    assert (report.added, report.merged) == (2, 1)
    vllm = paper(empty_engine, bibtex_key="kwon2023sosp")
    assert (vllm.arxiv_id, vllm.doi) == ("2309.06180", "10.1145/3600006.3613165")
    assert vllm.venue == "Proceedings of the 29th Symposium on Operating Systems Principles"
    assert (vllm.primary_category, vllm.arxiv_version) == ("cs.LG", 1)
    change = _changes(empty_engine, vllm.id or 0)[-1]
    assert change.action == ChangeAction.MERGED
    assert change.changes["arxiv_id"] == [None, "2309.06180"]
    assert "title" not in change.changes  # a published record keeps its own title


def test_doi_matches_whatever_its_case(empty_engine: sa.Engine) -> None:
    ingest_bibtex(empty_engine, BIBTEX_FIXTURES / "mendeley.bib")
    lower = (
        "@misc{flash, title = {FlashAttention: Fast and Memory-Efficient Exact Attention with"
        " IO-Awareness}, doi = {10.48550/arxiv.2205.14135}, year = 2022}"
    )

    report = ingest_bibtex(empty_engine, lower, file_name="lower.bib")

    assert (report.added, report.unchanged) == (0, 1)
    assert count(empty_engine, "paper") == 2


def test_title_first_author_and_year_match_without_identifiers(empty_engine: sa.Engine) -> None:
    ingest_bibtex(empty_engine, BIBTEX_FIXTURES / "truncated.bib")
    same = r"""@inproceedings{other, title = {An {E}ntry that is WHOLE!},
      author = {Complete, C.}, booktitle = {Workshop}, year = 2024, doi = {10.1/whole}}"""

    report = ingest_bibtex(empty_engine, same, file_name="same.bib")

    assert (report.added, report.merged) == (0, 1)
    assert paper(empty_engine, bibtex_key="complete2024").doi == "10.1/whole"


def test_entry_sharing_ids_with_two_other_papers_is_its_own_paper_with_two_conflicts(
    empty_engine: sa.Engine,
) -> None:
    ingest_bibtex(
        empty_engine,
        "@misc{a, title={Sparse Kernels}, eprint={2401.00001}, archiveprefix={arXiv}}\n"
        "@misc{b, title={Paged Caches}, doi={10.1/b}}",
        file_name="two.bib",
    )
    before = fingerprint(empty_engine)

    report = ingest_bibtex(
        empty_engine,
        "@misc{c, title={Speculative Drafts}, eprint={2401.00001}, archiveprefix={arXiv},"
        " doi={10.1/B}}",
        file_name="both.bib",
    )

    assert (report.conflicts, report.failed, report.added) == (1, 0, 0)
    assert report.entries[0].message == (
        "stored as its own paper: shares arXiv id 2401.00001 with a, which differs in title; "
        "stored as its own paper: shares DOI 10.1/B with b, which differs in title"
    )
    c = paper(empty_engine, bibtex_key="c")
    assert (c.arxiv_id, c.doi) == (None, None)
    after = fingerprint(empty_engine)
    assert after["paper_change"] == before["paper_change"]


@pytest.mark.parametrize(
    "files",
    [
        ("jabref.bib", "zotero_bbt.bib", "mendeley.bib", "truncated.bib"),
    ],
)
def test_reingesting_changes_nothing(empty_engine: sa.Engine, files: tuple[str, ...]) -> None:
    for name in files:
        ingest_bibtex(empty_engine, BIBTEX_FIXTURES / name)
    ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "query_ids.xml")
    before = fingerprint(empty_engine)

    reports = [ingest_bibtex(empty_engine, BIBTEX_FIXTURES / name) for name in files]
    reports.append(ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "query_ids.xml"))

    for report in reports:
        assert (report.added, report.updated, report.merged, report.suggestions) == (0, 0, 0, 0)
    assert sum(r.unchanged for r in reports) == 4 + 3 + 2 + 1 + 3
    after = fingerprint(empty_engine)
    # Only the provenance of the runs themselves is new.
    assert {k: v for k, v in after.items() if k != "source"} == {
        k: v for k, v in before.items() if k != "source"
    }


def test_a_unique_violation_is_retried_with_a_fresh_lookup(
    empty_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Another writer inserted the paper after the batch looked: the entry looks again."""
    ingest_bibtex(empty_engine, BIBTEX_FIXTURES / "truncated.bib")
    original_load = ingest_writer.PaperIndex.load
    calls: list[int] = []

    def stale_first_load(self: ingest_writer.PaperIndex, connection, records):  # type: ignore[no-untyped-def]
        calls.append(len(records))
        if len(calls) == 1:
            return None  # pretend the batch saw an empty database
        return original_load(self, connection, records)

    monkeypatch.setattr(ingest_writer.PaperIndex, "load", stale_first_load)
    report = ingest_bibtex(
        empty_engine,
        "@article{complete2024, title={An Entry That Is Whole}, author={Complete, Carla},"
        " year={2024}, journal={Journal of Whole Entries}, doi={10.1/x}}",
        file_name="again.bib",
    )

    assert calls == [1, 1]
    assert (report.added, report.merged, report.failed) == (0, 1, 0)
    assert count(empty_engine, "paper") == 1
