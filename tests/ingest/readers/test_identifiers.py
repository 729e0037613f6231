"""One rule for arXiv ids and DOIs, whichever reader or query meets them."""

import pytest

from api.services.ingest.readers.bibtex import parse_bibtex
from api.services.ingest.readers.identifiers import (
    ArxivId,
    arxiv_id_from_url,
    author_key,
    normalize_arxiv_id,
    normalize_doi,
    parse_arxiv_id,
    split_arxiv_id,
)
from api.services.ingest.records import IncomingAuthor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2309.06180", ("2309.06180", None)),
        ("2309.06180v12", ("2309.06180", 12)),
        ("arXiv:0704.0001", ("0704.0001", None)),
        ("arxiv:2401.15077v3", ("2401.15077", 3)),
        ("hep-th/9901001", ("hep-th/9901001", None)),
        ("hep-th/9901001v1", ("hep-th/9901001", 1)),
        ("math.GT/0309136", ("math.GT/0309136", None)),
        ("cond-mat.mes-hall/0309136v2", ("cond-mat.mes-hall/0309136", 2)),
        ("1234.12345", None),
        ("2309.061", None),
        ("2309.061801", None),
        ("2309.06180v0", None),
        ("2309.06180v", None),
        ("hep-th/990100", None),
        ("HEP-TH/9901001", None),
        ("https://arxiv.org/abs/2309.06180", None),
        ("", None),
    ],
)
def test_split_arxiv_id(text: str, expected: tuple[str, int | None] | None) -> None:
    assert split_arxiv_id(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://arxiv.org/abs/2309.06180", ("2309.06180", None)),
        ("http://arxiv.org/abs/2309.06180v1", ("2309.06180", 1)),
        ("https://arxiv.org/abs/hep-th/9901001v3", ("hep-th/9901001", 3)),
        ("http://arxiv.org/abs/math.GT/0309136v1", ("math.GT/0309136", 1)),
        ("https://arxiv.org/pdf/2309.06180v2", ("2309.06180", 2)),
        ("https://arxiv.org/pdf/2309.06180v2.pdf", ("2309.06180", 2)),
        ("http://arxiv.org/pdf/hep-th/9901001v1", ("hep-th/9901001", 1)),
        ("https://export.arxiv.org/abs/2401.15077", ("2401.15077", None)),
        ("https://www.arxiv.org/abs/2401.15077/", ("2401.15077", None)),
        ("HTTPS://ArXiv.org/ABS/2401.15077", ("2401.15077", None)),
        ("arxiv.org/abs/2505.01658v2", ("2505.01658", 2)),
        (" https://arxiv.org/abs/2505.01658 ", ("2505.01658", None)),
        ("https://arxiv.org/abs/1234.12345", None),
        ("https://arxiv.org/abs/HEP-TH/9901001", None),
        ("https://arxiv.org/abs/2309.06180v0", None),
        ("https://arxiv.org/html/2309.06180v1", None),
        ("https://arxiv.org/abs/2309.06180?context=cs", None),
        ("https://example.org/abs/2309.06180", None),
        ("https://notarxiv.org/abs/2309.06180", None),
        ("2309.06180", None),
        ("", None),
    ],
)
def test_arxiv_id_from_url(text: str, expected: tuple[str, int | None] | None) -> None:
    assert arxiv_id_from_url(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("arXiv:2309.06180v2", ("2309.06180", 2)),
        ("hep-th/9901001", ("hep-th/9901001", None)),
        ("https://arxiv.org/pdf/2309.06180v2.pdf", ("2309.06180", 2)),
        ("https://arxiv.org/abs/cond-mat.mes-hall/0309136v2", ("cond-mat.mes-hall/0309136", 2)),
        ("2309.06180 extra", None),
        ("not an id", None),
    ],
)
def test_parse_arxiv_id_takes_ids_and_urls(
    text: str, expected: tuple[str, int | None] | None
) -> None:
    assert parse_arxiv_id(text) == expected


def test_versioned_id() -> None:
    assert ArxivId("2309.06180", 2).versioned == "2309.06180v2"
    assert ArxivId("hep-th/9901001", None).versioned == "hep-th/9901001"


def test_arxiv_ids_lose_prefix_and_version() -> None:
    assert normalize_arxiv_id("arXiv:2309.06180v2") == "2309.06180"
    assert normalize_arxiv_id("hep-th/9901001v3") == "hep-th/9901001"


def test_normalized_arxiv_ids_for_lookups() -> None:
    assert normalize_arxiv_id(" 2309.06180 ") == "2309.06180"
    assert normalize_arxiv_id("https://arxiv.org/abs/2309.06180v3") == "2309.06180"
    assert normalize_arxiv_id("ARXIV:math.GT/0309136v1") == "math.GT/0309136"
    # Not an arXiv id: a lookup by it matches no stored (validated) id.
    assert normalize_arxiv_id(" no such id ") == "no such id"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.1145/3600006.3613165", "10.1145/3600006.3613165"),
        ("https://doi.org/10.1145/3600006.3613165", "10.1145/3600006.3613165"),
        ("http://dx.doi.org/10.1145/3600006.3613165", "10.1145/3600006.3613165"),
        ("HTTPS://DOI.ORG/10.48550/arXiv.2309.06180", "10.48550/arXiv.2309.06180"),
        ("doi:10.1145/3600006.3613165", "10.1145/3600006.3613165"),
        ("DOI:10.1145/3600006.3613165", "10.1145/3600006.3613165"),
        ("  10.1145/3600006.3613165\n", "10.1145/3600006.3613165"),
    ],
)
def test_normalize_doi(text: str, expected: str) -> None:
    assert normalize_doi(text) == expected


def test_bibtex_entries_take_arxiv_ids_by_the_same_rule() -> None:
    text = r"""
@misc{eprinturl, title = {A}, eprint = {https://arxiv.org/abs/2309.06180v2},
  archiveprefix = {arXiv}}
@misc{pdfurl, title = {B}, url = {https://arxiv.org/pdf/hep-th/9901001v1.pdf}}
@misc{badeprint, title = {C}, eprint = {see the paper}, archiveprefix = {arXiv}}
@misc{otherhost, title = {D}, url = {https://example.org/abs/2309.06180}}
@misc{handle, title = {E}, eprint = {1234/5678}, eprinttype = {hdl},
  url = {http://arxiv.org/abs/2401.15077}}
"""
    entries = {entry.key: entry for entry in parse_bibtex(text, "ids.bib").entries}

    assert {key: entry.arxiv_id for key, entry in entries.items()} == {
        "eprinturl": "2309.06180",
        "pdfurl": "hep-th/9901001",
        "badeprint": None,
        "otherhost": None,
        "handle": "2401.15077",
    }


def test_author_key_is_shared_by_bibtex_and_ingest_records() -> None:
    assert author_key("Hutter", "Jürg") == "hutter, jürg"
    assert author_key("van der Berg", "Anna") == "van der berg, anna"
    assert author_key("Straße", None) == "strasse"
    person = parse_bibtex('@misc{k, author = {Hutter, J{\\"u}rg}}', "a.bib").entries[0].authors[0]
    incoming = IncomingAuthor(person.raw, person.family, person.given)
    assert person.key == incoming.key == "hutter, jürg"
