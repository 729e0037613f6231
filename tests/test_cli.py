"""The `infergraph` command line, end to end against a real database."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli import app
from api.config import get_settings
from seed import DATA_DIR

runner = CliRunner()


def use_database(monkeypatch: pytest.MonkeyPatch, engine: sa.Engine) -> None:
    monkeypatch.setenv("INFERGRAPH_DATABASE_URL", engine.url.render_as_string(False))
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_stats_counts_every_entity(
    seeded_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_database(monkeypatch, seeded_engine)
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0, result.output
    lines = dict(line.rsplit(None, 1) for line in result.output.splitlines())
    assert lines["engines"] == "27"
    assert lines["papers"] == "88"
    assert lines["technique citations"] == "83"


def test_export_table_lists_and_renders(
    seeded_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_database(monkeypatch, seeded_engine)
    listing = runner.invoke(app, ["export", "table", "--list"])
    assert listing.exit_code == 0
    assert len(listing.output.split()) == 17
    assert listing.output.split()[0] == "overview"

    table = runner.invoke(app, ["export", "table", "device-pricing", "--format", "markdown"])
    assert table.exit_code == 0
    assert "| NVIDIA H200 141GB | - | 9.99 | - | 4.99 |" in table.output.splitlines()

    as_csv = runner.invoke(app, ["export", "table", "precision-matrix", "--format", "csv"])
    assert as_csv.output.splitlines()[0].startswith("Framework,FP32,FP16,FP8")

    unknown = runner.invoke(app, ["export", "table", "hardware"])
    assert unknown.exit_code == 1
    assert "no table named 'hardware'" in unknown.output
    assert "hardware-matrix" in unknown.output


def test_seed_twice_then_reject_bad_input(
    blank_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_database(monkeypatch, blank_engine)
    first = runner.invoke(app, ["seed"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("seeded: 3124 inserted, 0 updated")
    second = runner.invoke(app, ["seed"])
    assert second.output.strip() == "seeded: 0 inserted, 0 updated, 0 deleted, 3124 unchanged"

    broken = tmp_path / "data"
    broken.mkdir()
    for path in DATA_DIR.iterdir():
        (broken / path.name).write_bytes(path.read_bytes())
    engines = broken / "organizations.csv"
    engines.write_text(engines.read_text() + "nvidia,NVIDIA again,big_tech\n")
    rejected = runner.invoke(app, ["seed", "--data-dir", str(broken)])
    assert rejected.exit_code == 1
    assert "organizations.csv:24: duplicate organization slug" in rejected.output
    assert "nothing was written" in rejected.output


def test_db_upgrade_creates_the_schema(
    blank_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_database(monkeypatch, blank_engine)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "engine" in sa.inspect(blank_engine).get_table_names()


def test_ingest_bibtex_with_undecodable_latex_reports_the_entries_without_a_traceback(
    empty_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_database(monkeypatch, empty_engine)
    path = tmp_path / "hostile.bib"
    path.write_text(
        "@misc{good, title = {Good}, year = {2024}}\n@misc{href, title = {\\href{x}{y}}}\n"
    )
    result = runner.invoke(app, ["ingest", "bibtex", str(path)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "hostile.bib:2" in result.output
    assert "cannot decode the LaTeX" in result.output


BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


@pytest.mark.parametrize(
    ("name", "text", "report"),
    [
        (
            "engines.yaml",
            "- " + BILLION_LAUGHS.replace("\n", "\n  "),
            "engines.yaml:2: aliases (*name) are not allowed in seed files",
        ),
        (
            "engines.yaml",
            "- slug: x\n  tags: " + "[" * 5000 + "]" * 5000 + "\n",
            "engines.yaml:2: nested deeper than 50 levels",
        ),
        (
            "engines.yaml",
            "- slug: x\n- slug: 'a\x00b'\n",
            "engines.yaml:2: character U+0000 is not allowed",
        ),
        (
            "engines.yaml",
            '- slug: x\n- slug: "a\\0b"\n',
            "engines.yaml:2: string values may not contain the NUL character (U+0000)",
        ),
        (
            "organizations.csv",
            "slug,name,kind\nnvidia,NVI\x00DIA,big_tech\n",
            "organizations.csv:2: string values may not contain the NUL character (U+0000)",
        ),
    ],
    ids=["alias-bomb", "deep-nesting", "raw-nul-yaml", "escaped-nul-yaml", "nul-csv"],
)
def test_seed_reports_crafted_files_at_their_line(
    empty_engine: sa.Engine,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    name: str,
    text: str,
    report: str,
) -> None:
    use_database(monkeypatch, empty_engine)
    crafted = tmp_path / "data"
    crafted.mkdir()
    for path in DATA_DIR.iterdir():
        (crafted / path.name).write_bytes(path.read_bytes())
    (crafted / name).write_text(text)
    rejected = runner.invoke(app, ["seed", "--data-dir", str(crafted)])
    assert rejected.exit_code == 1, rejected.output
    assert report in rejected.output
    assert "Traceback" not in rejected.output
    with empty_engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM engine")).scalar_one() == 0


@pytest.mark.parametrize(
    "command",
    [
        ["dump", "out.json"],
        ["stats"],
        ["export", "table", "overview"],
        ["export", "papers"],
        ["export", "graph"],
        ["suggestions", "list"],
        ["token", "list"],
    ],
    ids=lambda c: " ".join(c),
)
def test_read_only_commands_never_create_a_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "mistyped.db"
    monkeypatch.setenv("INFERGRAPH_DATABASE_URL", f"sqlite:///{missing}")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    result = runner.invoke(app, command)
    assert result.exit_code == 1, result.output
    assert f"there is no database at {missing}" in result.output
    assert not missing.exists()
    assert not (tmp_path / "out.json").exists()


def test_dump_does_not_migrate_a_database_without_schema(
    blank_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with blank_engine.connect():
        pass  # an SQLite file exists, empty
    use_database(monkeypatch, blank_engine)
    result = runner.invoke(app, ["dump", str(tmp_path / "out.json")])
    assert result.exit_code == 1
    assert "has no InferGraph schema" in result.output
    with blank_engine.connect() as connection:
        assert sa.inspect(connection).get_table_names() == []
