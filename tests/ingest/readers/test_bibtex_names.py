"""The fast paths for BibTeX names split exactly as bibtexparser does."""

import random

import pytest
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)

from api.services.ingest.readers.bibtex_names import name_parts, split_names

_WORDS = ["Family", "van", "de", "Given", "J.", "Jr.", "III", "O'Neil", "Smith-Jones", "Élan"]
_WORDS += ["élan", "1st", "x", "-", "{van der} Berg", r"M{\"u}ller", "Tom~Smith", "and", "AND"]
_SEPARATORS = [" ", "  ", ", ", ",", " ,", "\t", "\n", " and ", " AND ", "\tand\n", "and", "~"]


def _generated(count: int) -> list[str]:
    generator = random.Random(7)
    texts = []
    for _ in range(count):
        parts = [
            generator.choice(_WORDS) + generator.choice(_SEPARATORS)
            for _ in range(generator.randint(1, 6))
        ]
        text = "".join(parts)
        texts.append(text[: generator.randint(max(0, len(text) - 3), len(text))])
    return texts


def _parts(name: str) -> tuple[list[str], ...] | str:
    try:
        parts = name_parts(name)
    except InvalidNameError:
        return "invalid"
    return (parts.first, parts.von, parts.last, parts.jr)


def _bibtexparser_parts(name: str) -> tuple[list[str], ...] | str:
    try:
        parts = parse_single_name_into_parts(name)
    except InvalidNameError:
        return "invalid"
    return (parts.first, parts.von, parts.last, parts.jr)


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("Kwon, Woosuk and Li, Zhuohan", ["Kwon, Woosuk", "Li, Zhuohan"]),
        ("  A, B\nAND\tC, D ", ["A, B", "C, D"]),
        ("{Simon and Schuster}", ["{Simon and Schuster}"]),
        ("   ", []),
    ],
)
def test_split_examples(field: str, names: list[str]) -> None:
    assert split_names(field) == names


def test_plain_name_takes_family_before_the_comma() -> None:
    parts = name_parts("Brinch Hansen, Per")
    assert (parts.last, parts.first, parts.von) == (["Brinch", "Hansen"], ["Per"], [])


def test_generated_fields_split_as_bibtexparser_splits_them() -> None:
    fields = _generated(5000)
    assert [split_names(f) for f in fields] == [split_multiple_persons_names(f) for f in fields]


def test_generated_names_parse_as_bibtexparser_parses_them() -> None:
    names = _generated(5000)
    assert [_parts(name) for name in names] == [_bibtexparser_parts(name) for name in names]
