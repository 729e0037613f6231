"""Identity from evidence, on exports shaped like real reference managers' (tests/fixtures/
bibtex/identity): strong evidence that disagrees keeps papers apart and is recorded."""

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.services.ingest import ingest_arxiv, ingest_bibtex
from models.ingest import ConflictStatus, EntryOutcome
from tests.ingest.helpers import ARXIV_FIXTURES, BIBTEX_FIXTURES, count, paper

IDENTITY = BIBTEX_FIXTURES / "identity"
VLLM_DOI = "10.1145/3600006.3613165"


def _conflicts(engine: sa.Engine) -> list[m.PaperConflict]:
    with Session(engine) as session:
        return list(session.exec(select(m.PaperConflict).order_by(col(m.PaperConflict.id))))


def test_papers_sharing_a_wrong_eprint_stay_apart_with_conflicts(empty_engine: sa.Engine) -> None:
    ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "query_ids.xml")
    vllm = paper(empty_engine, arxiv_id="2309.06180")

    report = ingest_bibtex(empty_engine, IDENTITY / "wrong_eprint.bib")

    assert [e.outcome for e in report.entries] == [EntryOutcome.CONFLICT] * 3
    assert (report.conflicts, report.unchanged, report.added) == (3, 0, 0)
    assert not report.ok
    # Each is its own paper, findable by key and DOI, without the contested arXiv id.
    for key, doi in (
        ("borstnik2014sparse", "10.1016/j.parco.2014.03.012"),
        ("he2024deferred", "10.1145/3642970.3655835"),
        ("yu2024twinpilots", "10.1145/3688351.3689164"),
    ):
        stored = paper(empty_engine, bibtex_key=key)
        assert (stored.doi, stored.arxiv_id) == (doi, None)
        assert stored.bibtex_fields["eprint"] == "2309.06180"
    assert paper(empty_engine, arxiv_id="2309.06180").id == vllm.id
    conflicts = _conflicts(empty_engine)
    assert {c.other_paper_id for c in conflicts} == {vllm.id}
    first = conflicts[0]
    assert first.evidence == "arXiv id 2309.06180"
    assert first.status is ConflictStatus.OPEN
    assert first.location == "wrong_eprint.bib:5"
    assert set(first.fields) >= {"title", "year"}
    assert first.fields["title"][0].startswith("Sparse Matrix Multiplication")
    entry = report.entries[0]
    assert entry.paper_key == "borstnik2014sparse" and entry.conflict_id == first.id
    assert "shares arXiv id 2309.06180 with" in (entry.message or "")

    again = ingest_bibtex(empty_engine, IDENTITY / "wrong_eprint.bib")

    assert [e.outcome for e in again.entries] == [EntryOutcome.UNCHANGED] * 3
    assert [e.evidence for e in again.entries] == ["doi"] * 3
    assert len(_conflicts(empty_engine)) == 3


def test_the_same_paper_from_four_reference_managers_is_one_paper(
    empty_engine: sa.Engine,
) -> None:
    reports = [
        ingest_bibtex(empty_engine, IDENTITY / name)
        for name in ("vllm_acm.bib", "vllm_zotero.bib", "vllm_mendeley.bib", "vllm_jabref.bib")
    ]

    assert count(empty_engine, "paper") == 1
    outcomes = [(e.outcome, e.evidence) for r in reports for e in r.entries]
    assert outcomes[0] == (EntryOutcome.ADDED, None)
    assert outcomes[1][1] == "doi"
    assert outcomes[2] == (EntryOutcome.MERGED, "title, authors and year")  # eprint added
    assert outcomes[3] == (EntryOutcome.UNCHANGED, "doi")  # a DOI written as a URL
    vllm = paper(empty_engine, doi=VLLM_DOI)
    assert vllm.bibtex_key == "10.1145/3600006.3613165"  # the ACM export's key
    assert vllm.arxiv_id == "2309.06180"
    assert (vllm.joined_by, vllm.preprint_url) == (
        "title, authors and year",
        "https://arxiv.org/abs/2309.06180",
    )
    assert reports[2].entries[0].fields == ("arxiv_id", "joined_by", "preprint_url")


def test_an_entry_two_stored_papers_claim_is_a_conflict_and_not_written(
    empty_engine: sa.Engine,
) -> None:
    ingest_bibtex(
        empty_engine,
        "@misc{a, title={Same Work}, author={Doe, Jane}, year=2024, eprint={2401.00001},"
        " archiveprefix={arXiv}}\n@article{b, title={Same Work}, author={Roe, Rick},"
        " journal={J}, year=2024, doi={10.1/b}}",
        file_name="two.bib",
    )

    report = ingest_bibtex(
        empty_engine,
        "@article{c, title={Same Work}, author={Doe, Jane}, journal={J}, year=2024,"
        " eprint={2401.00001}, archiveprefix={arXiv}, doi={10.1/B}}",
        file_name="both.bib",
    )

    entry = report.entries[0]
    assert (entry.outcome, entry.paper_key) == (EntryOutcome.CONFLICT, None)
    assert entry.message == (
        "matches more than one stored paper (a by arxiv id, b by doi); merge them first"
    )
    assert count(empty_engine, "paper") == 2
    (conflict,) = _conflicts(empty_engine)
    assert conflict.fields["doi"] == [None, "10.1/b"]
    assert conflict.evidence.startswith("one entry (both.bib:1)")


def test_the_surveys_published_version_joins_the_arxiv_paper(seeded_copy: sa.Engine) -> None:
    preprint = paper(seeded_copy, bibtex_key="park2025survey")
    papers = count(seeded_copy, "paper")

    report = ingest_bibtex(seeded_copy, IDENTITY / "survey_tist_acm.bib")

    (entry,) = report.entries
    assert (entry.outcome, entry.paper_key, entry.evidence) == (
        EntryOutcome.MERGED,  # it brought an identifier the paper lacked
        "park2025survey",
        "title, authors and year",
    )
    assert count(seeded_copy, "paper") == papers
    survey = paper(seeded_copy, bibtex_key="park2025survey")
    assert survey.id == preprint.id
    assert (survey.arxiv_id, survey.doi) == ("2505.01658", "10.1145/3803798")
    assert (survey.venue, survey.year) == ("ACM Trans. Intell. Syst. Technol.", 2026)
    assert (survey.url, survey.preprint_url) == (
        "https://doi.org/10.1145/3803798",
        "https://arxiv.org/abs/2505.01658",
    )
    assert survey.joined_by == "title, authors and year"
    assert survey.bibtex_fields["eprint"] == "2505.01658"  # the preprint's fields stay
    # Found again by either identifier; a second ingest changes nothing.
    again = ingest_bibtex(seeded_copy, IDENTITY / "survey_tist_acm.bib")
    assert (again.entries[0].outcome, again.entries[0].evidence) == (
        EntryOutcome.UNCHANGED,
        "doi",
    )


def test_the_seeds_preprint_and_published_pairs_are_one_paper_each(
    seeded_engine: sa.Engine,
) -> None:
    for key, arxiv_id, doi in (
        ("kwon2023efficient", "2309.06180", "10.1145/3600006.3613165"),
        ("zheng2024sglang", "2312.07104", "10.52202/079017-2000"),
    ):
        stored = paper(seeded_engine, bibtex_key=key)
        assert (stored.arxiv_id, stored.doi, stored.joined_by) == (arxiv_id, doi, "one record")
        assert stored.preprint_url == f"https://arxiv.org/abs/{arxiv_id}"
        assert stored.url and "arxiv.org" not in stored.url
