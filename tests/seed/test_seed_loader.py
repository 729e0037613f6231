"""`infergraph seed`: idempotent, validated before writing, all-or-nothing."""

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from api.errors import InvalidInputError
from api.services.stats import entity_counts
from seed import DATA_DIR, REFERENCES_BIB, survey_writer
from seed.loader import SeedResult, seed_database


def counts(engine: sa.Engine) -> dict[str, int]:
    with Session(engine) as session:
        return entity_counts(session)


def test_first_seed_writes_every_fact(seeded: tuple[sa.Engine, SeedResult]) -> None:
    engine, result = seeded
    assert result.total.updated == result.total.deleted == result.total.unchanged == 0
    assert counts(engine) == {
        "sources": 13,
        "organizations": 22,
        "engines": 27,
        "engine aliases": 7,
        "technique categories": 11,
        "techniques": 56,
        "optimization features": 23,
        "papers": 88,
        "authors": 482,
        "paper authorships": 548,
        "technique citations": 83,
        "engine papers": 10,
        "platforms": 18,
        "platform examples": 17,
        "devices": 8,
        "precisions": 12,
        "feature support facts": 25 * 23,
        "platform support facts": 25 * 18,
        "precision support facts": 25 * 12,
        "LLM models": 10,
        "model prices": 20,
        "device prices": 9,
        "benchmark runs": 70,
        "layout entries": 197,
    }


def test_second_seed_changes_nothing(empty_engine: sa.Engine) -> None:
    first = seed_database(empty_engine)
    before = counts(empty_engine)
    second = seed_database(empty_engine)
    assert first.total.inserted == second.total.unchanged > 3000
    assert second.total.changed == 0
    assert counts(empty_engine) == before


def copy_seed(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    bib = tmp_path / "references.bib"
    shutil.copy(REFERENCES_BIB, bib)
    return data, bib


def replace_line(path: Path, old: str, new: str) -> int:
    """Replace the first line containing `old`; return its 1-based line number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if old in line:
            lines[index] = line.replace(old, new)
            path.write_text("".join(lines), encoding="utf-8")
            return index + 1
    raise AssertionError(f"{old!r} not in {path}")


def seed_error(engine: sa.Engine, data: Path, bib: Path) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        seed_database(engine, data, bib)
    return caught.value


def test_unknown_engine_in_a_matrix_names_file_line_and_value(
    empty_engine: sa.Engine, tmp_path: Path
) -> None:
    data, bib = copy_seed(tmp_path)
    line = replace_line(data / "platform_support.csv", "vllm,linux,", "vllmm,linux,")
    error = seed_error(empty_engine, data, bib)
    [problem] = error.problems
    assert problem.location is not None
    assert problem.location.endswith(f"platform_support.csv:{line}")
    assert (problem.field, problem.value) == ("engine", "vllmm")
    assert problem.message == "unknown engine"


def test_citation_to_a_missing_bibtex_key_is_rejected(
    empty_engine: sa.Engine, tmp_path: Path
) -> None:
    data, bib = copy_seed(tmp_path)
    line = replace_line(data / "technique_citations.csv", "kwon2023efficient", "kwon2023missing")
    [problem] = seed_error(empty_engine, data, bib).problems
    assert problem.location is not None
    assert problem.location.endswith(f"technique_citations.csv:{line}")
    assert (problem.field, problem.value, problem.message) == (
        "bibtex_key",
        "kwon2023missing",
        "unknown BibTeX key",
    )


def test_duplicate_slug_points_at_both_definitions(empty_engine: sa.Engine, tmp_path: Path) -> None:
    data, bib = copy_seed(tmp_path)
    line = replace_line(data / "devices.csv", "amd-mi300x,", "groq-lpu,")
    problems = seed_error(empty_engine, data, bib).problems
    [problem] = [p for p in problems if p.message.startswith("duplicate device slug")]
    assert problem.location is not None
    assert problem.location.endswith(f"devices.csv:{line + 1}")
    assert problem.message.endswith(f"devices.csv:{line}")


def test_layout_label_must_name_its_entity(empty_engine: sa.Engine, tmp_path: Path) -> None:
    data, bib = copy_seed(tmp_path)
    replace_line(
        data / "layout.csv",
        "survey-overview,row,,2,vLLM,engine,vllm",
        "survey-overview,row,,2,vLLM,engine,tgi",
    )
    [problem] = seed_error(empty_engine, data, bib).problems
    assert problem.field == "label"
    assert "tgi" in problem.message


def test_bad_values_are_reported_by_field(empty_engine: sa.Engine, tmp_path: Path) -> None:
    data, bib = copy_seed(tmp_path)
    line = replace_line(
        data / "feature_support.csv", "ollama,fsdp,not_supported", "ollama,fsdp,maybe"
    )
    replace_line(
        data / "device_prices.csv", "fireworks-ai,amd-mi300x,4.99", "fireworks-ai,amd-mi300x,-4.99"
    )
    problems = seed_error(empty_engine, data, bib).problems
    assert len(problems) == 2
    status = next(p for p in problems if p.field == "status")
    assert status.location is not None and status.location.endswith(f"feature_support.csv:{line}")
    assert status.value == "maybe"
    assert any(p.field == "usd_per_hour" for p in problems)


def test_invalid_yaml_and_bibtex_are_rejected(empty_engine: sa.Engine, tmp_path: Path) -> None:
    data, bib = copy_seed(tmp_path)
    (data / "engines.yaml").write_text("- slug: x\n  name: [unclosed\n", encoding="utf-8")
    error = seed_error(empty_engine, data, bib)
    assert "engines.yaml is not valid YAML" in error.message

    data, bib = copy_seed(tmp_path / "second")
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text + "\n@misc{kwon2023efficient,\n  title = {Again}\n}\n", encoding="utf-8")
    [problem] = seed_error(empty_engine, data, bib).problems
    assert (problem.message, problem.value) == ("duplicate BibTeX key", "kwon2023efficient")


def test_rejected_seed_leaves_a_seeded_database_untouched(
    empty_engine: sa.Engine, tmp_path: Path
) -> None:
    seed_database(empty_engine)
    before = counts(empty_engine)
    data, bib = copy_seed(tmp_path)
    replace_line(data / "engines.yaml", "github_stars: 43400", "github_stars: 43401")
    replace_line(data / "precision_support.csv", "vllm,fp32,", "nobody,fp32,")
    seed_error(empty_engine, data, bib)
    assert counts(empty_engine) == before
    with empty_engine.connect() as connection:
        stars = connection.execute(sa.text("SELECT github_stars FROM engine WHERE slug = 'vllm'"))
        assert stars.scalar_one() == 43400


def test_failure_while_writing_rolls_everything_back(
    empty_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args: object) -> None:
        raise RuntimeError("disk full")

    # Papers are written after engines and techniques: those writes must vanish too.
    monkeypatch.setattr(survey_writer, "_write_facts", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        seed_database(empty_engine)
    assert set(counts(empty_engine).values()) == {0}


def test_reseed_applies_a_corrected_fact_and_drops_a_removed_one(
    empty_engine: sa.Engine, tmp_path: Path
) -> None:
    seed_database(empty_engine)
    data, bib = copy_seed(tmp_path)
    replace_line(data / "engines.yaml", "github_stars: 43400", "github_stars: 43500")
    replace_line(data / "device_prices.csv", "fireworks-ai,amd-mi300x,4.99\n", "")
    result = seed_database(empty_engine, data, bib)
    assert result.tables["engine"].updated == 1
    assert result.tables["device_price"].deleted == 1
    assert result.total.changed == 2
