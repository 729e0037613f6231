"""BibTeX of paper result sets, re-read by bibtexparser v2."""

import sqlalchemy as sa
from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts
from sqlmodel import Session, col, select

import models as m
from api.services.exports import (
    bibtex_stream,
    category_papers,
    engine_papers,
    technique_papers,
)


def _parse(text: str) -> dict[str, dict[str, str]]:
    library = parse_string(text)
    assert library.failed_blocks == []
    return {entry.key: {f.key: f.value for f in entry.fields} for entry in library.entries}


def test_every_paper_reparses_with_its_key_and_raw_title(session: Session) -> None:
    text = "".join(bibtex_stream(session, sa.select(col(m.Paper.id))))
    entries = _parse(text)
    papers = {p.bibtex_key: p for p in session.exec(select(m.Paper))}
    assert len(papers) == 88
    assert list(entries) == sorted(papers)
    for key, fields in entries.items():
        assert fields.get("title") == papers[key].bibtex_fields.get("title"), key
        assert fields.get("author") == papers[key].bibtex_fields.get("author"), key
    vllm = entries["kwon2023efficient"]
    assert (
        vllm["title"]
        == "Efficient Memory Management for Large Language Model Serving with {PagedAttention}"
    )
    assert vllm["doi"] == "10.1145/3600006.3613165"


def test_output_is_identical_across_runs_and_selection_kinds(session: Session) -> None:
    ids = [i for i in session.exec(select(m.Paper.id)) if i is not None]
    by_query = "".join(bibtex_stream(session, sa.select(col(m.Paper.id))))
    by_entity_query = "".join(bibtex_stream(session, select(m.Paper)))
    by_ids = "".join(bibtex_stream(session, reversed(ids)))
    assert by_query == by_entity_query == by_ids
    assert by_query == "".join(bibtex_stream(session, sa.select(col(m.Paper.id))))


def test_latex_survives_a_round_trip_through_a_reader(session: Session) -> None:
    text = "".join(bibtex_stream(session, sa.select(col(m.Paper.id))))
    library = parse_string(
        text,
        append_middleware=[LatexDecodingMiddleware(), SeparateCoAuthors(), SplitNameParts()],
    )
    decoded = {e.key: e for e in library.entries}
    # `Fr{\'e}chet`-style escapes in the stored fields decode to what the title column holds.
    for paper in session.exec(select(m.Paper).where(col(m.Paper.title).is_not(None))):
        title = " ".join(
            str(decoded[paper.bibtex_key]["title"]).replace("{", "").replace("}", "").split()
        )
        assert title == paper.title, paper.bibtex_key
    assert decoded["kwon2023efficient"]["author"][0].last == ["Kwon"]


def test_a_paper_without_stored_fields_is_built_from_its_columns(session: Session) -> None:
    source = session.exec(select(m.Source)).first()
    assert source is not None and source.id is not None
    author = m.Author(name="Zoë Ünal", family="Ünal", given="Zoë", name_key="ünal, zoë")
    paper = m.Paper(
        bibtex_key="unal2026fast",
        entry_type="inproceedings",
        title="Fast & {Cheap} Serving: 50% less_memory #1",
        year=2026,
        month=3,
        venue="Proceedings of MLSys & Friends",
        doi="10.1234/fast.2026",
        arxiv_id="2601.00001",
        source_id=source.id,
    )
    session.add_all([author, paper])
    session.flush()
    assert paper.id is not None and author.id is not None
    session.add(m.PaperAuthor(paper_id=paper.id, position=0, author_id=author.id, raw_name="x"))
    session.flush()

    text = "".join(bibtex_stream(session, [paper.id]))
    raw = _parse(text)["unal2026fast"]
    assert raw["month"] == "mar"
    assert raw["eprint"] == "2601.00001"
    assert raw["archiveprefix"] == "arXiv"
    decoded = parse_string(text, append_middleware=[LatexDecodingMiddleware()]).entries[0]
    assert decoded.entry_type == "inproceedings"
    assert decoded["title"] == "Fast & {Cheap} Serving: 50% less_memory #1"
    assert decoded["booktitle"] == "Proceedings of MLSys & Friends"
    assert decoded["author"] == "Ünal, Zoë"
    assert decoded["year"] == "2026"


def test_named_result_sets(session: Session) -> None:
    def keys(selection: sa.Select[tuple[int]]) -> list[str]:
        return list(_parse("".join(bibtex_stream(session, selection))))

    assert keys(technique_papers(session, "paged-attention")) == ["kwon2023efficient"]

    expected_quantization = sorted(
        set(
            session.exec(
                select(m.Paper.bibtex_key)
                .join(m.TechniqueCitation, col(m.TechniqueCitation.paper_id) == m.Paper.id)
                .join(m.Technique, col(m.Technique.id) == m.TechniqueCitation.technique_id)
                .join(m.TechniqueCategory, col(m.TechniqueCategory.id) == m.Technique.category_id)
                .where(m.TechniqueCategory.slug == "quantization")
            )
        )
    )
    assert len(expected_quantization) >= 5
    assert keys(category_papers(session, "quantization")) == expected_quantization
    # The parent category includes its sub-categories (quantization, pruning, sparsity).
    compression = keys(category_papers(session, "compression"))
    assert set(expected_quantization) < set(compression)

    vllm = keys(engine_papers(session, "vllm"))
    assert "kwon2023efficient" in vllm
    assert set(keys(engine_papers(session, "vllm", include_own=False))) <= set(vllm)
