"""`infergraph dump / restore / export / ingest` end to end."""

import csv
import io
import json
from pathlib import Path

import networkx  # type: ignore[import-untyped]
import pytest
import sqlalchemy as sa
from bibtexparser.entrypoint import parse_string
from typer.testing import CliRunner

from api.cli import app
from api.config import get_settings
from api.services.exports import content_hash
from tests.databases import fresh_database

runner = CliRunner()


def use(monkeypatch: pytest.MonkeyPatch, engine: sa.Engine) -> None:
    monkeypatch.setenv("INFERGRAPH_DATABASE_URL", engine.url.render_as_string(False))
    get_settings.cache_clear()


def test_dump_then_restore_into_an_empty_database(
    backend: str, seeded_copy: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, seeded_copy)
    dump_file = tmp_path / "graph.json"
    dumped = runner.invoke(app, ["dump", str(dump_file)])
    assert dumped.exit_code == 0, dumped.output
    (tmp_path / "second").mkdir()
    with fresh_database(backend, tmp_path / "second") as target:
        use(monkeypatch, target)
        restored = runner.invoke(app, ["restore", str(dump_file)])
        assert restored.exit_code == 0, restored.output
        assert content_hash(target) == content_hash(seeded_copy)
        assert content_hash(target) in restored.output
        refused = runner.invoke(app, ["restore", str(dump_file)])
        assert refused.exit_code == 1
        assert "needs an empty database" in refused.output
    get_settings.cache_clear()


def test_exports_read_back(seeded_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, seeded_engine)
    bib = runner.invoke(app, ["export", "papers", "--category", "sampling-optimization"])
    assert bib.exit_code == 0, bib.output
    keys = [e.key for e in parse_string(bib.output).entries]
    assert keys == [
        "cai2024medusa",
        "cheng2024recurrent",
        "li2024eagle",
        "li2024eagle2",
        "li2025eagle3",
    ]
    graphml = runner.invoke(app, ["export", "graph", "--format", "graphml"])
    graph = networkx.read_graphml(io.BytesIO(graphml.output.encode()))
    assert graph.number_of_nodes() > 700
    unknown = runner.invoke(app, ["export", "papers", "--technique", "lorra"])
    assert unknown.exit_code == 1
    assert "did you mean 'lora'" in unknown.output
    get_settings.cache_clear()


def test_ingest_bibtex_summary_and_exit_code(
    seeded_copy: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, seeded_copy)
    good = tmp_path / "good.bib"
    good.write_text("@article{x2024, title = {A Study}, author = {Roe, Ann}, year = {2024}}\n")
    first = runner.invoke(app, ["ingest", "bibtex", str(good)])
    assert first.exit_code == 0, first.output
    assert "1 added, 0 updated, 0 merged, 0 unchanged, 0 conflicts, 0 failed" in first.output
    second = runner.invoke(app, ["ingest", "bibtex", str(good)])
    assert "0 added, 0 updated, 0 merged, 1 unchanged, 0 conflicts, 0 failed" in second.output
    bad = tmp_path / "bad.bib"
    bad.write_text("@article{y2024, title = {Unclosed\n")
    failed = runner.invoke(app, ["ingest", "bibtex", str(bad)])
    assert failed.exit_code == 2  # no entry reads as BibTeX: refused whole, nothing written
    get_settings.cache_clear()


def test_ingest_report_file_and_exit_codes(
    empty_engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, empty_engine)
    fixtures = Path(__file__).parent / "fixtures"
    arxiv = runner.invoke(
        app, ["ingest", "arxiv", "--feed", str(fixtures / "arxiv" / "query_ids.xml")]
    )
    assert arxiv.exit_code == 0, arxiv.output
    report = tmp_path / "report.json"

    conflicted = runner.invoke(
        app,
        [
            "ingest",
            "bibtex",
            str(fixtures / "bibtex" / "identity" / "wrong_eprint.bib"),
            "--report",
            str(report),
        ],
    )

    assert conflicted.exit_code == 1, conflicted.output
    assert "conflict         3" in conflicted.output
    assert "wrong_eprint.bib:5: conflict #1: stored as its own paper" in conflicted.output
    written = json.loads(report.read_text())
    assert [e["outcome"] for e in written["entries"]] == ["conflict"] * 3
    assert written["entries"][0]["paper_key"] == "borstnik2014sparse"
    as_csv = tmp_path / "report.csv"
    again = runner.invoke(
        app,
        [
            "ingest",
            "bibtex",
            str(fixtures / "bibtex" / "identity" / "wrong_eprint.bib"),
            "--report",
            str(as_csv),
        ],
    )
    assert again.exit_code == 0, again.output
    rows = list(csv.DictReader(as_csv.open(encoding="utf-8")))
    assert (rows[0]["outcome"], rows[0]["evidence"], rows[0]["location"]) == (
        "unchanged",
        "doi",
        "wrong_eprint.bib:5",
    )
    usage = runner.invoke(app, ["ingest", "bibtex", str(tmp_path / "missing.bib")])
    assert usage.exit_code == 2
    assert "Exit codes: 0" in runner.invoke(app, ["ingest", "bibtex", "--help"]).output
    get_settings.cache_clear()


def test_export_papers_as_ris(seeded_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, seeded_engine)
    ris = runner.invoke(
        app, ["export", "papers", "--technique", "paged-attention", "--format", "ris"]
    )
    assert ris.exit_code == 0, ris.output
    lines = ris.output.splitlines()
    assert lines[:2] == ["TY  - CPAPER", "ID  - kwon2023efficient"]
    assert "DO  - 10.1145/3600006.3613165" in lines
    assert lines[-1] == "ER  - "
    wrong = runner.invoke(app, ["export", "papers", "--format", "endnote"])
    assert wrong.exit_code == 2
    assert "bibtex, csl-json or ris" in wrong.output
    get_settings.cache_clear()


def test_export_table_in_excels_dialect(
    seeded_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, seeded_engine)
    name = runner.invoke(app, ["export", "table", "--list"]).output.split()[0]
    plain = runner.invoke(app, ["export", "table", name, "--format", "csv"])
    excel = runner.invoke(app, ["export", "table", name, "--format", "csv-excel"])
    assert excel.exit_code == 0, excel.output
    assert excel.stdout_bytes == b"\xef\xbb\xbf" + plain.stdout_bytes
    get_settings.cache_clear()


def test_export_graph_iris_use_the_base_url_setting(
    seeded_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, seeded_engine)
    default = runner.invoke(app, ["export", "graph"])
    assert '"@id":"http://127.0.0.1:8000/api/v1/engines/vllm"' in default.output
    monkeypatch.setenv("INFERGRAPH_BASE_URL", "https://graph.example.org")
    get_settings.cache_clear()
    configured = runner.invoke(app, ["export", "graph"])
    assert '"@id":"https://graph.example.org/api/v1/engines/vllm"' in configured.output
    get_settings.cache_clear()
