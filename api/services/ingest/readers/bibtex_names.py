"""BibTeX name lists split the way bibtexparser v2 splits them, with a fast path for the
common plain case.

bibtexparser's splitters walk every character in Python; nearly every name in real files is
plain (`Family, Given` without braces, escapes or ties), where a regular expression gives the
same answer. Anything else goes to bibtexparser. tests/ingest/readers/test_bibtex_names.py
checks the fast paths against bibtexparser on generated names.
"""

import re

from bibtexparser.middlewares.names import (
    NameParts,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)

# Braces, escapes and ties change how bibtexparser reads words; those go the slow way.
_NOT_PLAIN = re.compile(r"[{}\\~]")
_WHITESPACE = " \r\n\t"
_AND = re.compile(r"[ \r\n\t]+and[ \r\n\t]+", re.IGNORECASE)
_FAMILY_FIRST = re.compile(r"([^,]+),([^,]+)")


def split_names(field: str) -> list[str]:
    """The names of an author or editor field, as `split_multiple_persons_names` gives them."""
    if _NOT_PLAIN.search(field):
        return list(split_multiple_persons_names(field))
    stripped = field.strip(_WHITESPACE)
    return _AND.split(stripped) if stripped else []


def name_parts(name: str) -> NameParts:
    """First, von, last and jr parts, as `parse_single_name_into_parts` gives them (and raises
    `InvalidNameError` where it does)."""
    match = None if _NOT_PLAIN.search(name) else _FAMILY_FIRST.fullmatch(name)
    if match is not None:
        last, first = match.group(1).split(), match.group(2).split()
        # `Family, Given` with capitalized family words: no `von` part to find.
        if last and first and all(word[0].isupper() for word in last):
            return NameParts(first=first, von=[], last=last, jr=[])
    return parse_single_name_into_parts(name)
