"""BibTeX output from stored entries: the source's raw fields, a stable key."""

from collections.abc import Iterable, Mapping
from typing import Any

from bibtexparser import model as bib
from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library

# Fields in the order reference managers expect; any others follow alphabetically.
_FIELD_ORDER = (
    "title",
    "author",
    "editor",
    "booktitle",
    "journal",
    "volume",
    "number",
    "pages",
    "publisher",
    "organization",
    "institution",
    "school",
    "howpublished",
    "year",
    "month",
    "doi",
    "eprint",
    "archiveprefix",
    "primaryclass",
    "url",
    "note",
)
_BARE_MACROS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}


def entry_to_bibtex(entry_type: str, key: str, fields: Mapping[str, Any]) -> str:
    return entries_to_bibtex([(entry_type, key, fields)])


def entries_to_bibtex(entries: Iterable[tuple[str, str, Mapping[str, Any]]]) -> str:
    library = Library()
    for entry_type, key, fields in entries:
        ordered = sorted(
            fields.items(),
            key=lambda item: (
                _FIELD_ORDER.index(item[0]) if item[0] in _FIELD_ORDER else len(_FIELD_ORDER),
                item[0],
            ),
        )
        library.add(
            bib.Entry(
                entry_type,
                key,
                [bib.Field(name, _enclose(name, str(value))) for name, value in ordered],
            )
        )
    # Values are enclosed above, so the default enclosing middleware must not run again.
    return str(write_string(library, unparse_stack=[]))


def _enclose(name: str, value: str) -> str:
    if name == "month" and value.lower() in _BARE_MACROS:
        return value.lower()
    return "{" + value + "}"
