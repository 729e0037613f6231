"""`ingest bibtex` with files shaped like JabRef, Zotero/Better BibTeX and Mendeley write them."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

import models as m
from api.errors import InvalidInputError
from api.services.ingest import ingest_bibtex
from api.services.ingest import writer as ingest_writer
from models.ingest import IngestStatus
from tests.ingest.helpers import BIBTEX_FIXTURES, authors_of, count, fingerprint, paper


def test_jabref_file_resolves_macros_crossref_and_latex(empty_engine: sa.Engine) -> None:
    report = ingest_bibtex(empty_engine, BIBTEX_FIXTURES / "jabref.bib")

    assert (report.added, report.failed) == (4, 0)
    orca = paper(empty_engine, bibtex_key="yu2022orca")
    # crossref: booktitle is the parent's title, year and month come from the parent.
    assert orca.venue == (
        "16th USENIX Symposium on Operating Systems Design and Implementation (OSDI 22)"
    )
    assert (orca.year, orca.month) == (2022, 7)
    assert orca.bibtex_fields["crossref"] == "osdi2022"
    assert orca.bibtex_fields["publisher"] == "{USENIX} Association"
    sparse = paper(empty_engine, bibtex_key="frantar2023sparsegpt")
    assert sparse.venue == "Proceedings of Machine Learning and Systems"  # @string macro
    assert (sparse.month, sparse.arxiv_id) == (4, "2301.00774")
    accents = paper(empty_engine, bibtex_key="sch2024quant")
    assert accents.title == "Naïve Quantization of LLMs: GPTQ Revisited for Fréchet Distances"
    assert accents.bibtex_fields["title"].startswith(r"Na{\"\i}ve Quantization of {LLMs}")
    assert [name for name, _ in authors_of(empty_engine, accents.id or 0)] == [
        "Bernhard Schölkopf",
        "Jörg Müller",
        "María García",
        "Tomáš Škoda",
    ]


def test_zotero_file_keeps_a_very_long_author_list(empty_engine: sa.Engine) -> None:
    report = ingest_bibtex(empty_engine, BIBTEX_FIXTURES / "zotero_bbt.bib")

    assert (report.added, report.failed) == (3, 0)
    gemini = paper(empty_engine, bibtex_key="teamGeminiFamilyHighly2023")
    names = [name for name, _ in authors_of(empty_engine, gemini.id or 0)]
    # `and others` is "et al.", not an author called Others.
    assert len(names) == 300
    assert (names[0], names[-1]) == ("Given001 Author001", "Given300 Author300")
    leviathan = paper(empty_engine, bibtex_key="leviathanFastInferenceTransformers2023")
    assert (leviathan.arxiv_id, leviathan.doi) == ("2211.17192", "10.48550/arXiv.2211.17192")


def test_mendeley_duplicate_key_is_a_failure_with_its_line(empty_engine: sa.Engine) -> None:
    report = ingest_bibtex(empty_engine, BIBTEX_FIXTURES / "mendeley.bib")

    assert (report.added, report.failed) == (2, 1)
    failure = report.failures[0]
    assert (failure.location, failure.value) == ("mendeley.bib:27", "Dao2022")
    assert failure.message == "duplicate BibTeX key"
    # The first Dao2022 is written; the duplicate below it is not.
    assert paper(empty_engine, bibtex_key="Dao2022").title == (
        "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness"
    )
    with Session(empty_engine) as session:
        run = session.exec(select(m.IngestRun)).one()
    assert (run.status, run.added, run.failed) == (IngestStatus.FINISHED, 2, 1)
    assert run.failures == [
        {
            "message": "duplicate BibTeX key",
            "location": "mendeley.bib:27",
            "field": "key",
            "value": "Dao2022",
        }
    ]


def test_truncated_file_keeps_whole_entries_and_reports_the_cut_one(
    empty_engine: sa.Engine,
) -> None:
    report = ingest_bibtex(empty_engine, BIBTEX_FIXTURES / "truncated.bib")

    assert (report.added, report.failed) == (1, 1)
    assert report.failures[0].location == "truncated.bib:8"
    assert "end of file" in report.failures[0].message
    assert paper(empty_engine, bibtex_key="complete2024").title == "An Entry That Is Whole"
    assert count(empty_engine, "paper") == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ((BIBTEX_FIXTURES / "not_bibtex.html").read_text(), "no @entry"),
        ('{"title": "a JSON export"}', "no @entry"),
        ("", "no @entry"),
        ("@article{x, title = {NUL \x00 byte}}", "NUL bytes"),
    ],
    ids=["html", "json", "empty", "nul"],
)
def test_a_file_that_is_not_bibtex_is_rejected_before_writing(
    empty_engine: sa.Engine, text: str, reason: str
) -> None:
    before = fingerprint(empty_engine)
    with pytest.raises(InvalidInputError) as raised:
        ingest_bibtex(empty_engine, text, file_name="export.bib")

    assert "export.bib is not a BibTeX file" in raised.value.message
    assert reason in str(raised.value)
    assert fingerprint(empty_engine) == before
    assert count(empty_engine, "ingest_run") == 0


def test_non_utf8_file_is_rejected(empty_engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "latin1.bib"
    path.write_bytes("@article{x, title = {Caf\xe9}}".encode("latin-1"))
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        ingest_bibtex(empty_engine, path)
    assert count(empty_engine, "paper") == 0


def test_an_entry_the_database_refuses_is_written_not_at_all(
    empty_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusal comes after the entry's paper row was inserted: its savepoint undoes it."""
    original = ingest_writer._write_plan

    def refuse_frantar(connection: sa.Connection, plan: Any, context: Any) -> dict[int, int]:
        ids = original(connection, plan, context)
        if any(author["family"] == "Frantar" for author in plan.authors):
            # NOT NULL columns left empty: the database refuses the row, as it would a bad one.
            connection.execute(sa.text("INSERT INTO author (id) VALUES (NULL)"))
        return ids

    monkeypatch.setattr(ingest_writer, "_write_plan", refuse_frantar)
    report = ingest_bibtex(empty_engine, BIBTEX_FIXTURES / "jabref.bib")

    assert (report.added, report.failed) == (3, 1)
    assert report.failures[0].location == "jabref.bib:23"
    assert report.failures[0].value == "frantar2023sparsegpt"
    assert "database refused" in report.failures[0].message
    with Session(empty_engine) as session:
        keys = set(session.exec(select(m.Paper.bibtex_key)))
        families = set(session.exec(select(m.Author.family)))
    assert keys == {"osdi2022", "yu2022orca", "sch2024quant"}
    assert "Frantar" not in families and "Alistarh" not in families
    assert count(empty_engine, "paper_author") == 5 + 4


def test_a_broken_block_before_the_first_good_one_is_a_failure_not_a_rejection(
    empty_engine: sa.Engine,
) -> None:
    text = "@article{broken,\n  title = {Never closed\n@article{whole, title = {Whole}}\n"
    report = ingest_bibtex(empty_engine, text, file_name="mixed.bib")

    assert (report.added, report.failed) == (1, 1)
    assert report.failures[0].location == "mixed.bib:1"
    assert "Unexpected block start" in report.failures[0].message
    assert paper(empty_engine, bibtex_key="whole").title == "Whole"


HOSTILE_LATEX = (
    "@misc{good1, title = {Good One}, year = {2024}}\n"
    "@misc{href, title = {\\href{x}{y}}, year = {2024}}\n"
    "@misc{deep, title = {" + "\\textbf{" * 300 + "x" + "}" * 300 + "}, year = {2024}}\n"
    "@misc{good2, title = {Good Two}, author = {Doe, Jane}, year = {2024}}\n"
)


def test_latex_the_decoder_cannot_read_fails_its_entry_only(
    empty_engine: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "hostile.bib"
    path.write_text(HOSTILE_LATEX)

    report = ingest_bibtex(empty_engine, path)

    assert (report.added, report.failed) == (2, 2)
    assert [(f.location, f.value) for f in report.failures] == [
        ("hostile.bib:2", "href"),
        ("hostile.bib:3", "deep"),
    ]
    assert report.failures[0].message == "cannot decode the LaTeX in '\\\\href{x}{y}'"
    assert report.failures[1].message.startswith("LaTeX nested deeper than 50 groups")
    assert paper(empty_engine, bibtex_key="good2").title == "Good Two"
    with Session(empty_engine) as session:
        run = session.exec(select(m.IngestRun)).one()
    assert (run.status, run.added, run.failed) == (IngestStatus.FINISHED, 2, 2)


class _Killed(BaseException):
    """Stands for kill -9: nothing after it runs in the ingest, not even its `finally`."""


def test_the_run_row_records_each_batch_as_it_commits(
    empty_engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "many.bib"
    path.write_text(
        "".join(f"@misc{{k{n}, title = {{Paper {n}}}, year = {{2024}}}}\n" for n in range(7))
        + "@misc{bad, year = {soon}}\n"
    )
    seen: list[tuple[str, int, int]] = []

    def progress(_event: object) -> None:
        with Session(empty_engine) as session:
            run = session.exec(select(m.IngestRun)).one()
            seen.append((run.status, run.added, run.failed))
        if len(seen) == 2:
            raise _Killed

    # The finish never runs, as when the process is killed after its second batch.
    monkeypatch.setattr("api.services.ingest.service._finish_run", lambda *_: None)
    with pytest.raises(_Killed):
        ingest_bibtex(empty_engine, path, batch_size=3, progress=progress)

    assert seen == [(IngestStatus.RUNNING, 3, 0), (IngestStatus.RUNNING, 6, 0)]
    with Session(empty_engine) as session:
        run = session.exec(select(m.IngestRun)).one()
    assert (run.status, run.added) == (IngestStatus.RUNNING, count(empty_engine, "paper"))


def test_a_run_left_running_by_a_dead_process_is_aborted_by_the_next_ingest(
    empty_engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "one.bib"
    path.write_text("@misc{k1, title = {One}, year = {2024}}\n")
    with monkeypatch.context() as patched:
        patched.setattr("api.services.ingest.service._finish_run", lambda *_: None)
        dead = ingest_bibtex(empty_engine, path)  # never finished, as if killed
        alive = ingest_bibtex(empty_engine, path)
    table = m.metadata.tables["ingest_run"]
    with empty_engine.begin() as connection:
        # The dead run's last batch was an hour ago; the other one committed just now.
        connection.execute(
            sa.update(table)
            .where(table.c.id == dead.run_id)
            .values(heartbeat_at=datetime.now(UTC) - timedelta(hours=1))
        )

    ingest_bibtex(empty_engine, path)

    with Session(empty_engine) as session:
        runs = {run.id: run for run in session.exec(select(m.IngestRun))}
    assert (runs[dead.run_id].status, runs[dead.run_id].added) == (IngestStatus.ABORTED, 1)
    assert (
        runs[dead.run_id]
        .failures[-1]["message"]
        .startswith("the process stopped: no batch committed for 0:30:00")
    )
    assert runs[alive.run_id].status == IngestStatus.RUNNING
    assert [run.status for run in runs.values()].count(IngestStatus.FINISHED) == 1
