"""One rule for each identifier a paper or an author carries, whichever reader (or query)
meets it.

arXiv ids come in two styles, new `2309.06180` (`YYMM.NNNN` or `YYMM.NNNNN`) and old
`hep-th/9901001` or `math.GT/0309136` (archive, optional subject class, `YYMMNNN`), each with
an optional version `vN` (N ≥ 1) and, as people write them, an optional `arXiv:` prefix. A
paper's arXiv pages name the same id: `https://arxiv.org/abs/2309.06180v2`,
`http://export.arxiv.org/pdf/hep-th/9901001v1.pdf`. Anything else is not an arXiv id.

An author is the same person across papers and sources when `author_key` of their names agrees.
"""

import re
from typing import NamedTuple

_YYMM = r"\d{2}(?:0[1-9]|1[0-2])"
_NEW_STYLE_ID = rf"{_YYMM}\.\d{{4,5}}"
# Old-style ids name the archive and optionally its subject class: `math.GT/0309136`.
_OLD_STYLE_ID = rf"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[A-Za-z]+)*)?/{_YYMM}\d{{3}}"
_VERSIONED_ID = rf"(?P<id>{_NEW_STYLE_ID}|{_OLD_STYLE_ID})(?:v(?P<version>[1-9]\d*))?"
_ARXIV_ID = re.compile(rf"(?i:arxiv:)?{_VERSIONED_ID}")
ARXIV_ID_PATTERN = f"^(?:{_NEW_STYLE_ID}|{_OLD_STYLE_ID})(?:v[1-9][0-9]{{0,5}})?$".replace(
    r"\d", "[0-9]"
)
"""The canonical spellings of an arXiv id, for documents (ASCII digits: Python's `\\d` here
also reads other scripts' digits, ECMA's does not)."""
_ARXIV_URL = re.compile(
    rf"(?i:(?:https?://)?(?:[a-z0-9-]+\.)*arxiv\.org/(?:abs|pdf)/){_VERSIONED_ID}(?i:\.pdf)?/?"
)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.I)


class ArxivId(NamedTuple):
    id: str
    """Without version: `2309.06180` or `hep-th/9901001`."""
    version: int | None

    @property
    def versioned(self) -> str:
        """`2309.06180v2`, or the bare id when no version was given."""
        return self.id if self.version is None else f"{self.id}v{self.version}"


def split_arxiv_id(text: str) -> ArxivId | None:
    """`(versionless id, version)` for an arXiv identifier, or None if it is not one.

    Accepts new-style `2309.06180`, old-style `hep-th/9901001` or `math.GT/0309136`, each
    optionally with `vN` and an `arXiv:` prefix. URLs are not ids (see `parse_arxiv_id`).
    """
    return _match(_ARXIV_ID, text)


def arxiv_id_from_url(text: str) -> ArxivId | None:
    """The id an arXiv abstract or PDF URL names (`arxiv.org/abs/…`, `arxiv.org/pdf/….pdf`, on
    arxiv.org or one of its hosts such as export.arxiv.org), or None if it is no such URL."""
    return _match(_ARXIV_URL, text)


def parse_arxiv_id(text: str) -> ArxivId | None:
    """An arXiv identifier written either way: as an id (`split_arxiv_id`) or as the URL of
    its abstract or PDF (`arxiv_id_from_url`); None if it is neither."""
    return split_arxiv_id(text) or arxiv_id_from_url(text)


def normalize_arxiv_id(value: str) -> str:
    """Versionless identifier: `arXiv:2309.06180v2` → `2309.06180`, and so for a URL.

    Text that is no arXiv id comes back stripped, so a lookup by it matches nothing.
    """
    parsed = parse_arxiv_id(value)
    return parsed.id if parsed else value.strip()


def normalize_doi(value: str) -> str:
    """The DOI itself: `https://doi.org/10.1145/3600006.3613165` → `10.1145/3600006.3613165`."""
    return _DOI_PREFIX.sub("", value.strip())


def author_key(family: str, given: str | None) -> str:
    """Identity of an author across papers: case-folded `family, given`."""
    return f"{family}, {given or ''}".casefold().strip(", ")


def _match(pattern: re.Pattern[str], text: str) -> ArxivId | None:
    match = pattern.fullmatch(text.strip())
    if match is None:
        return None
    version = match.group("version")
    return ArxivId(match.group("id"), int(version) if version else None)


# What BibTeX writers escape in a URL field (`{\_}`, `\%`, `\&`, `\#`, `\~{}`): the URL
# itself has the bare characters. Google Scholar and older JabRef files write them so.
_URL_ESCAPE = re.compile(r"\{\\([_%&#])\}|\\([_%&#])|\\~\{\}|\{\\~\}|\\textasciitilde(?:\{\})?")


def plain_url(url: str) -> str:
    """A BibTeX URL field without its LaTeX escapes: `a{\\_}b` → `a_b`, `50\\%` → `50%`."""
    if "\\" not in url:
        return url.strip()
    return _URL_ESCAPE.sub(lambda m: m.group(1) or m.group(2) or "~", url).strip()
