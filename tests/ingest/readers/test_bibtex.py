"""BibTeX parsing: raw LaTeX kept, display text decoded, problems reported with lines."""

from api.services.ingest.readers.bibtex import parse_bibtex

SAMPLE = r"""@string{sosp = {Proceedings of the 29th Symposium on Operating Systems Principles}}

@inproceedings{kwon2023efficient,
  title = {Efficient Memory Management for Large Language Model Serving with {PagedAttention}},
  author = {Kwon, Woosuk and Li, Zhuohan and Gonzalez, Joseph E.},
  booktitle = sosp,
  year = 2023,
  month = oct,
  doi = {https://doi.org/10.1145/3600006.3613165},
  eprint = {2309.06180v1},
  archiveprefix = {arXiv}
}

@article{borstnik2014sparse,
  title = {Sparse Matrix Multiplication},
  author = {Bor{\v{s}}tnik, Urban and Hutter, J{\"u}rg and {van der} Berg, Anna},
  journal = {Parallel Computing},
  year = {2014},
  month = {3}
}

@misc{fromurl, title = {T}, url = {https://arxiv.org/abs/2505.01658v2}, year = {2025}}

@misc{kwon2023efficient, title = {Duplicate}}

@misc{badyear, title = {X}, year = {twenty}}
"""


def test_fields_are_decoded_for_display_and_kept_raw() -> None:
    result = parse_bibtex(SAMPLE, "refs.bib")
    entries = {entry.key: entry for entry in result.entries}
    kwon = entries["kwon2023efficient"]
    assert kwon.title == (
        "Efficient Memory Management for Large Language Model Serving with PagedAttention"
    )
    assert kwon.fields["title"].endswith("with {PagedAttention}")
    assert kwon.venue == "Proceedings of the 29th Symposium on Operating Systems Principles"
    assert (kwon.year, kwon.month) == (2023, 10)
    assert kwon.doi == "10.1145/3600006.3613165"
    assert kwon.arxiv_id == "2309.06180"
    assert [a.display for a in kwon.authors] == [
        "Woosuk Kwon",
        "Zhuohan Li",
        "Joseph E. Gonzalez",
    ]
    borstnik = entries["borstnik2014sparse"]
    assert [a.display for a in borstnik.authors] == [
        "Urban Borštnik",
        "Jürg Hutter",
        "Anna van der Berg",
    ]
    assert borstnik.authors[0].raw == r"Bor{\v{s}}tnik, Urban"
    assert borstnik.authors[1].key == "hutter, jürg"
    assert borstnik.month == 3
    assert entries["fromurl"].arxiv_id == "2505.01658"


def test_duplicates_and_bad_values_are_problems_with_lines() -> None:
    result = parse_bibtex(SAMPLE, "refs.bib")
    problems = {(p.message, p.value): p.location for p in result.problems}
    assert problems[("duplicate BibTeX key", "kwon2023efficient")] == "refs.bib:24"
    assert problems[("year 'twenty' is not a four-digit year", "badyear")] == "refs.bib:26"
    assert "badyear" not in {entry.key for entry in result.entries}
