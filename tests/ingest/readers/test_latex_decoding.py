"""`decode_latex` answers exactly what pylatexenc answers, also where it skips pylatexenc."""

import random
from pathlib import Path

import pytest
from bibtexparser.entrypoint import parse_string
from pylatexenc.latex2text import LatexNodes2Text

from api.services.ingest.readers.bibtex import decode_latex

_ROOT = Path(__file__).resolve().parents[3]
_FIXTURES = _ROOT / "tests" / "fixtures" / "bibtex"
_BIB_FILES = [_ROOT / "seed" / "references.bib", *sorted(_FIXTURES.glob("*.bib"))]
# Plain text, protective braces, and every character pylatexenc gives a meaning to.
_ALPHABET = "aZé 1\n\t-'`!?{}{}\\$%&~^_#.,:;\"/"


def _pylatexenc(text: str) -> str:
    converter = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
    return " ".join(converter.latex_to_text(text).split())


def _field_values() -> list[str]:
    values: list[str] = []
    for path in _BIB_FILES:
        for entry in parse_string(path.read_text(encoding="utf-8")).entries:
            values.extend(str(field.value) for field in entry.fields)
    return values


def _generated(count: int) -> list[str]:
    generator = random.Random(20261128)
    return [
        "".join(generator.choice(_ALPHABET) for _ in range(generator.randint(1, 16)))
        for _ in range(count)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Efficient  Serving\nof LLMs", "Efficient Serving of LLMs"),
        ("Serving on {GPUs} with {PagedAttention}", "Serving on GPUs with PagedAttention"),
        (r"Na{\"\i}ve {Fr{\'e}chet}", "Naïve Fréchet"),
        ("pages 1--10", "pages 1–10"),
        ("{unbalanced", "unbalanced"),
    ],
)
def test_examples(text: str, expected: str) -> None:
    assert decode_latex(text) == expected


def test_real_field_values_decode_as_pylatexenc_decodes_them() -> None:
    values = _field_values()
    assert len(values) > 500
    assert [decode_latex(value) for value in values] == [_pylatexenc(value) for value in values]


def test_generated_text_decodes_as_pylatexenc_decodes_it() -> None:
    texts = _generated(4000)
    # Twice: the second round answers from the cache of decoded strings.
    for _ in range(2):
        assert [decode_latex(text) for text in texts] == [_pylatexenc(text) for text in texts]
