"""CSL-JSON of paper result sets: valid JSON, the CSL shape, and citeproc renders it."""

import json
from typing import Any

import sqlalchemy as sa
from citeproc import (  # type: ignore[import-untyped]
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]
from sqlmodel import Session, col, select

import models as m
from api.services.exports import csl_json_stream, technique_papers

# The item types of the CSL 1.0.2 specification.
CSL_TYPES = {
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book",
    "broadcast", "chapter", "classic", "collection", "dataset", "document", "entry",
    "entry-dictionary", "entry-encyclopedia", "event", "figure", "graphic", "hearing",
    "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
    "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical",
    "personal_communication", "post", "post-weblog", "regulation", "report", "review",
    "review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage",
}  # fmt: skip


def _items(session: Session, selection: Any) -> list[dict[str, Any]]:
    items = json.loads("".join(csl_json_stream(session, selection)))
    assert isinstance(items, list)
    return items


def test_every_item_has_the_csl_shape(session: Session) -> None:
    items = _items(session, sa.select(col(m.Paper.id)))
    keys = sorted(session.exec(select(m.Paper.bibtex_key)))
    assert [item["id"] for item in items] == keys
    for item in items:
        assert item["type"] in CSL_TYPES, item
        for name in item.get("author", []):
            assert set(name) <= {"family", "given"} and name["family"]
        if "issued" in item:
            assert 1 <= len(item["issued"]["date-parts"][0]) <= 2
    types = {item["type"] for item in items}
    assert {"paper-conference", "article", "software", "article-journal"} <= types


def test_values_of_a_conference_paper_and_a_preprint(session: Session) -> None:
    items = {item["id"]: item for item in _items(session, sa.select(col(m.Paper.id)))}
    vllm = items["kwon2023efficient"]
    assert vllm["type"] == "paper-conference"
    assert (
        vllm["container-title"]
        == "Proceedings of the 29th Symposium on Operating Systems Principles"
    )
    assert vllm["DOI"] == "10.1145/3600006.3613165"
    assert vllm["issued"] == {"date-parts": [[2023, 10]]}
    assert vllm["author"][0] == {"family": "Kwon", "given": "Woosuk"}
    assert "number" not in vllm

    sarathi = items["agrawal2023sarathi"]
    assert sarathi["type"] == "article"
    assert sarathi["number"] == "arXiv:2308.16369"
    assert sarathi["publisher"] == "arXiv"
    assert "archive" not in sarathi  # Chicago printed "arXiv. arXiv." with both
    assert sarathi["title"].startswith("SARATHI: Efficient LLM Inference")

    assert items["xformers"]["type"] == "software"


def test_citeproc_renders_every_item(session: Session) -> None:
    items = _items(session, sa.select(col(m.Paper.id)))
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(items)
    vllm = next(text for text in rendered if "Efficient Memory Management" in text)
    assert vllm.startswith("Kwon, W. et al. (2023)")


def test_a_subset_streams_as_a_json_array(session: Session) -> None:
    text = "".join(csl_json_stream(session, technique_papers(session, "paged-attention")))
    assert text.startswith("[\n") and text.endswith("\n]\n")
    assert [item["id"] for item in json.loads(text)] == ["kwon2023efficient"]
    assert json.loads("".join(csl_json_stream(session, []))) == []
