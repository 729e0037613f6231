"""CSL-JSON against pandoc's own BibTeX → CSL conversion of the same files.

Every variable pandoc fills for an entry must be in our item with the same value, except where
we differ on purpose (docs/exports.md, "CSL-JSON and pandoc"); each such difference is asserted
here as what it is. Runs on the survey's BibTeX and on a file shaped like reference managers'
exports (tests/fixtures/bibtex/export_shapes.bib). Without pandoc the test is skipped, unless
INFERGRAPH_REQUIRE_TOOLS=1 (CI) makes a missing tool a failure.
"""

import json
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.services.exports import csl_json_stream
from api.services.ingest import ingest_bibtex
from api.services.ingest.readers.identifiers import plain_url
from seed import REFERENCES_BIB
from tests.ingest.helpers import BIBTEX_FIXTURES

SHAPES = BIBTEX_FIXTURES / "export_shapes.bib"
# Variables holding titles: pandoc rewrites English titles in sentence case; we keep the
# source's capitalisation (CSL styles lower it when they want, but cannot restore it).
_TITLES = {"title", "title-short", "container-title", "collection-title"}
_NAMES = {"author", "editor", "translator"}


def _pandoc() -> str:
    path = shutil.which("pandoc")
    if path is None:
        reason = "pandoc is not installed (.ci/install-tools installs it)"
        if os.environ.get("INFERGRAPH_REQUIRE_TOOLS") == "1":
            pytest.fail(reason + "; INFERGRAPH_REQUIRE_TOOLS=1 requires it")
        pytest.skip(reason)
    return path


def _pandoc_items(bib: Path) -> dict[str, dict[str, Any]]:
    text = subprocess.run(
        [_pandoc(), "--from", "bibtex", "--to", "csljson", str(bib)],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    items: dict[str, dict[str, Any]] = {}
    for item in json.loads(text):
        # A repeated key: the ingest keeps the first entry and reports the others.
        items.setdefault(item["id"], item)
    return items


def _our_items(session: Session, keys: set[str]) -> dict[str, dict[str, Any]]:
    ids = sa.select(col(m.Paper.id)).where(col(m.Paper.bibtex_key).in_(keys))
    return {item["id"]: item for item in json.loads("".join(csl_json_stream(session, ids)))}


def _plain(text: str) -> str:
    # Typography pandoc changes ('' → ’) and its accented dotless i (`{\'\i}` → ı + ́).
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("ı", "i"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _same_names(theirs: list[dict[str, str]], ours: list[dict[str, str]]) -> bool:
    # BibTeX's `and others` (et al.) is no person: pandoc keeps it as a name "others".
    people = [name for name in theirs if name.get("literal") != "others"]
    return [{k: _plain(v) for k, v in n.items()} for n in people] == [
        {k: _plain(v) for k, v in n.items()} for n in ours
    ]


def _differences(theirs: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    """The variables where our item loses or changes what pandoc's holds, beyond the
    documented differences."""
    arxiv_preprint = str(ours.get("number", "")).startswith("arXiv:")
    found = []
    for variable, value in theirs.items():
        if variable == "type":
            if value == ours["type"]:
                continue
            # pandoc leaves @misc untyped; we type it (a preprint, a web page, a document).
            if value == "" and ours["type"] in ("article", "webpage", "document"):
                continue
            # pandoc 2.17 reads @software as a book; CSL 1.0.2 has a software type.
            if value == "book" and ours["type"] == "software":
                continue
            # `@article{journal = {arXiv preprint …}}` is a preprint to us, typed as such.
            if value == "article-journal" and ours["type"] == "article" and arxiv_preprint:
                continue
        elif variable in _NAMES:
            if _same_names(value, ours.get(variable, [])):
                continue
        elif variable == "URL":
            # pandoc keeps BibTeX's `{\_}` escapes in URLs; the URL has a bare `_`.
            if ours.get("URL") == plain_url(value):
                continue
        elif variable == "container-title" and arxiv_preprint and "arxiv" in value.lower():
            continue  # "arXiv preprint arXiv:…" names no venue; arXiv is the publisher
        elif variable == "publisher" and ours.get("URL") == value:
            continue  # `howpublished = {\url{…}}` is the work's URL, not who published it
        elif variable in _TITLES:
            if _plain(value).casefold() == _plain(str(ours.get(variable, ""))).casefold():
                continue
        elif isinstance(value, str):
            if _plain(value) == _plain(str(ours.get(variable, ""))):
                continue
        elif value == ours.get(variable):
            continue
        found.append(f"{variable}: pandoc {value!r}, ours {ours.get(variable)!r}")
    return found


def _assert_as_complete_as_pandoc(
    theirs: dict[str, dict[str, Any]], ours: dict[str, dict[str, Any]]
) -> None:
    assert set(ours) == set(theirs)
    problems = {key: d for key in sorted(theirs) if (d := _differences(theirs[key], ours[key]))}
    assert problems == {}


def test_survey_bibtex_is_as_complete_as_pandocs(session: Session) -> None:
    theirs = _pandoc_items(REFERENCES_BIB)
    ours = _our_items(session, set(theirs))
    _assert_as_complete_as_pandoc(theirs, ours)

    publishers = [key for key, item in theirs.items() if item.get("publisher")]
    assert len(publishers) == 19
    assert all(ours[key]["publisher"] == theirs[key]["publisher"] for key in publishers)
    assert ours["rajbhandari2020zero"]["publisher"] == "IEEE"
    note = "LightLLM documentation"
    assert ours["tokenattention"]["note"] == theirs["tokenattention"]["note"] == note


def test_a_file_of_every_entry_type_is_as_complete_as_pandocs(empty_engine: sa.Engine) -> None:
    report = ingest_bibtex(empty_engine, SHAPES)
    assert (report.added, report.failed) == (18, 0)
    theirs = _pandoc_items(SHAPES)
    with Session(empty_engine) as session:
        ours = _our_items(session, set(theirs))
    _assert_as_complete_as_pandoc(theirs, ours)

    article = ours["mueller2021paged"]
    assert {k: article[k] for k in ("publisher", "publisher-place", "PMID", "ISSN", "note")} == {
        "publisher": "Elsevier",
        "publisher-place": "Amsterdam",
        "PMID": "33512345",
        "ISSN": "0743-7315",
        "note": "Special issue on serving systems",
    }
    assert (article["issue"], article["page"]) == ("3", "12-27")
    assert article["URL"] == "https://example.org/papers/paged_kv_cache"
    assert article["author"][2] == {
        "family": "Berg",
        "given": "Pieter",
        "dropping-particle": "van der",
    }
    book = ours["lindqvist2019serving"]
    assert (book["edition"], book["collection-title"], book["ISBN"]) == (
        "2",
        "Systems in Practice",
        "978-0-00-000000-2",
    )
    assert ours["editors2020handbook"]["editor"][1] == {"family": "Dubois", "given": "Amélie"}
    assert ours["kowalski2022batching"]["author"][2]["suffix"] == "Jr."
    assert ours["haddad2017thesis"]["genre"] == "PhD thesis"
    assert ours["examplelib2022site"]["author"] == [{"literal": "ExampleLib Developers"}]
    assert ours["examplelib2022site"]["URL"] == "https://example.org/examplelib"
    # Legitimate differences, each as it is:
    sentence_case = "Paged key-value caches for GPU inference: A study"
    assert theirs["mueller2021paged"]["title"] == sentence_case
    assert article["title"] == "Paged Key-Value Caches for GPU Inference: A Study"
    assert theirs["mueller2021paged"]["URL"] == r"https://example.org/papers/paged{\_}kv{\_}cache"
    assert theirs["tanaka2020letters"]["author"][-1] == {"literal": "others"}
    assert len(ours["tanaka2020letters"]["author"]) == 2
    assert theirs["ivanova2024preprint"]["type"] == ""
    preprint = ours["ivanova2024preprint"]
    assert (preprint["type"], preprint["publisher"], preprint["number"]) == (
        "article",
        "arXiv",
        "arXiv:2401.00001",
    )
    assert "archive" not in preprint


def test_no_arxiv_item_names_arxiv_twice(session: Session) -> None:
    items = _our_items(session, set(session.exec(select(m.Paper.bibtex_key))))
    preprints = [item for item in items.values() if str(item.get("number", "")).startswith("arXiv")]
    assert len(preprints) > 30
    for item in preprints:
        assert item["publisher"] == "arXiv" and "archive" not in item, item


@pytest.mark.parametrize("name", ["zotero_bbt.bib", "jabref.bib", "mendeley.bib"])
def test_reference_manager_exports_are_as_complete_as_pandocs(
    empty_engine: sa.Engine, name: str
) -> None:
    """The ingest fixtures written as Zotero (Better BibTeX), JabRef and Mendeley write."""
    ingest_bibtex(empty_engine, BIBTEX_FIXTURES / name)
    theirs = _pandoc_items(BIBTEX_FIXTURES / name)
    with Session(empty_engine) as session:
        ours = _our_items(session, set(theirs))
    _assert_as_complete_as_pandoc(theirs, ours)
