"""RIS of paper result sets, parsed back tag by tag."""

import re
from collections import defaultdict

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.services.exports import ris_stream
from api.services.ingest import ingest_bibtex
from tests.ingest.helpers import BIBTEX_FIXTURES

# The specification's line: two characters (a capital letter, then a capital or a digit),
# two spaces, a hyphen, a space, the value.
_LINE = re.compile(r"([A-Z][A-Z0-9])  - (.*)")
Reference = dict[str, list[str]]


def parse_ris(text: str) -> list[Reference]:
    """Every reference as tag → values, refusing any line outside the specification."""
    references: list[Reference] = []
    current: Reference | None = None
    assert "\n" not in text.replace("\r\n", "")  # CRLF line ends only
    lines = text.split("\r\n")
    assert lines[-1] == "" and "" not in lines[:-1]  # no blank lines, between records either
    for line in lines[:-1]:
        match = _LINE.fullmatch(line) or _LINE.fullmatch(line + " ")
        assert match is not None, line
        tag, value = match.groups()
        if tag == "TY":
            assert current is None, "TY before the previous ER"
            current = defaultdict(list)
        assert current is not None, f"{tag} outside a reference"
        if tag == "ER":
            references.append(dict(current))
            current = None
            continue
        current[tag].append(value)
    assert current is None, "the last reference has no ER"
    return references


def _by_id(session: Session, keys: set[str] | None = None) -> dict[str, Reference]:
    ids = sa.select(col(m.Paper.id))
    if keys is not None:
        ids = ids.where(col(m.Paper.bibtex_key).in_(keys))
    references = parse_ris("".join(ris_stream(session, ids)))
    return {reference["ID"][0]: reference for reference in references}


def test_every_survey_paper_is_one_reference_in_key_order(session: Session) -> None:
    text = "".join(ris_stream(session, sa.select(col(m.Paper.id))))
    references = parse_ris(text)
    keys = sorted(session.exec(select(m.Paper.bibtex_key)))
    assert [reference["ID"] for reference in references] == [[key] for key in keys]
    assert all(reference["TY"][0] in {"CPAPER", "JOUR", "UNPB", "COMP", "ELEC", "GEN"}
               for reference in references)  # fmt: skip


def test_a_conference_paper(session: Session) -> None:
    vllm = _by_id(session, {"kwon2023efficient"})["kwon2023efficient"]
    assert vllm["TY"] == ["CPAPER"]
    assert vllm["AU"][:2] == ["Kwon, Woosuk", "Li, Zhuohan"]
    assert len(vllm["AU"]) == 9
    assert vllm["TI"] == [
        "Efficient Memory Management for Large Language Model Serving with PagedAttention"
    ]
    assert vllm["T2"] == ["Proceedings of the 29th Symposium on Operating Systems Principles"]
    assert (vllm["PY"], vllm["DA"]) == (["2023"], ["2023/10//"])
    assert (vllm["SP"], vllm["EP"]) == (["611"], ["626"])
    assert vllm["PB"] == ["ACM"]
    assert vllm["DO"] == ["10.1145/3600006.3613165"]
    assert vllm["UR"] == ["https://dl.acm.org/doi/abs/10.1145/3600006.3613165"]
    assert "JO" not in vllm  # a journal tag, not a proceedings one


def test_a_preprint_names_arxiv_once(session: Session) -> None:
    sarathi = _by_id(session, {"agrawal2023sarathi"})["agrawal2023sarathi"]
    assert sarathi["TY"] == ["UNPB"]
    assert sarathi["PB"] == ["arXiv"]
    assert sarathi["M1"] == ["arXiv:2308.16369"]
    assert sarathi["UR"] == ["https://arxiv.org/abs/2308.16369"]


def test_every_entry_type_of_a_reference_manager_file(empty_engine: sa.Engine) -> None:
    ingest_bibtex(empty_engine, BIBTEX_FIXTURES / "export_shapes.bib")
    with Session(empty_engine) as session:
        references = _by_id(session)
    article = references["mueller2021paged"]
    assert article["TY"] == ["JOUR"]
    assert article["AU"] == [
        "Müller, Jörg",
        "García, María",
        "van der Berg, Pieter",
        "O'Neil, Siobhán",
    ]
    assert article["T2"] == article["JO"] == ["Journal of Parallel and Distributed Computing"]
    assert (article["VL"], article["IS"]) == (["149"], ["3"])
    assert (article["SP"], article["EP"]) == (["12"], ["27"])
    assert (article["PB"], article["CY"]) == (["Elsevier"], ["Amsterdam"])
    assert article["AB"] == ["We study paged caches for attention keys and values on GPUs."]
    assert article["KW"] == ["inference", "caching", "GPU"]
    assert article["SN"] == ["0743-7315"]
    assert article["AN"] == ["33512345"]
    assert article["N1"] == ["Special issue on serving systems"]
    assert article["UR"] == ["https://example.org/papers/paged_kv_cache"]
    book = references["lindqvist2019serving"]
    assert (book["TY"], book["ET"], book["T3"], book["SN"]) == (
        ["BOOK"],
        ["2"],
        ["Systems in Practice"],
        ["978-0-00-000000-2"],
    )
    assert references["editors2020handbook"]["A3"] == ["Tanaka, Hiroshi", "Dubois, Amélie"]
    chapter = references["dubois2020pruning"]
    assert chapter["TY"] == ["CHAP"]
    assert chapter["A2"] == ["Tanaka, Hiroshi", "Dubois, Amélie"]
    assert chapter["T2"] == ["Handbook of Model Compression"]
    assert references["kowalski2022batching"]["AU"][2] == "Smith, John, Jr."
    thesis = references["haddad2017thesis"]
    assert (thesis["TY"], thesis["M3"], thesis["PB"]) == (
        ["THES"],
        ["PhD thesis"],
        ["Example Institute of Technology"],
    )
    report = references["park2024report"]
    assert (report["TY"], report["SN"], report["M3"]) == (
        ["RPRT"],
        ["TR-2024-07"],
        ["Technical Report"],
    )
    assert references["haddad2025draft"]["TY"] == ["MANSCPT"]
    assert references["society2021guide"]["TY"] == ["PAMP"]
    assert references["examplelib2022site"]["AU"] == ["ExampleLib Developers"]


def test_a_line_break_in_a_value_cannot_start_a_tag(empty_engine: sa.Engine) -> None:
    bib = "@misc{odd2024, title = {One\n\nER  - Two}, year = {2024}, note = {a\r\nTY  - JOUR}}\n"
    ingest_bibtex(empty_engine, bib, file_name="odd.bib")
    with Session(empty_engine) as session:
        [reference] = _by_id(session).values()
    assert reference["TI"] == ["One ER - Two"]
    assert reference["N1"] == ["a TY - JOUR"]
