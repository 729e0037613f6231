"""Whether an incoming record and a stored paper are the same work, from the evidence both carry.

Evidence that two records are one paper, strongest first:

* the same DOI (any case, with or without `https://doi.org/`);
* the same arXiv id (any version); arXiv's own DOI `10.48550/arXiv.ID` counts as the arXiv id;
* the same title after normalisation (case, accents, punctuation, spacing) with author lists
  that agree (a shared family name, or one list unknown) and years at most
  `YEARS_APART` apart, so a preprint finds its published version a year later;
* the same cite key, only for a record with none of the above.

Evidence that they are two papers, whatever a shared identifier says: two different DOIs
(arXiv's DOIs aside: a preprint's DOI and its journal's are one paper's two DOIs), two
different arXiv ids, or clearly different titles (fewer than half of the shorter title's words
shared). An arXiv entry fetched from arXiv is believed about its own id: a later version may be
retitled. Reference managers copy identifiers onto the wrong entry; the title check catches
that, and so does a DOI of the entry's own.

A record that only weak evidence joins to a stored paper while strong evidence separates them
becomes its own paper, and the pair is recorded as a conflict for a curator.
"""

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from api.services.ingest.records import IncomingPaper, normalize_words

YEARS_APART = 2
"""How far a preprint's year and its published version's may differ."""
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>.+)$", re.IGNORECASE)
_MINOR_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "via",
        "with",
        "using",
        "towards",
    ]
)


class Evidence:
    """The names the reports, conflicts and `joined_by` use for each rule."""

    DOI = "doi"
    ARXIV = "arxiv id"
    TITLE = "title, authors and year"
    KEY = "cite key"
    RECORD = "one record"
    CURATOR = "curator merge"


def arxiv_of_doi(doi: str | None) -> str | None:
    """The arXiv id arXiv's own DOI names (`10.48550/arXiv.2309.06180` → `2309.06180`)."""
    if not doi:
        return None
    match = _ARXIV_DOI.match(doi)
    return match.group("id") if match else None


def published_doi(doi: str | None) -> str | None:
    """The DOI, case-folded, unless it is arXiv's DOI for a preprint."""
    if not doi or arxiv_of_doi(doi):
        return None
    return doi.casefold()


def title_words(title: str | None) -> frozenset[str]:
    return frozenset(w for w in normalize_words(title or "").split() if w not in _MINOR_WORDS)


def titles_clearly_differ(a: str | None, b: str | None) -> bool:
    """Fewer than half the words of the shorter title are in the other (minor words aside)."""
    words_a, words_b = title_words(a), title_words(b)
    if not words_a or not words_b:
        return False
    return len(words_a & words_b) * 2 < min(len(words_a), len(words_b))


def families_agree(a: Sequence[str] | None, b: Sequence[str] | None) -> bool:
    """Author lists agree when either is unknown or they share a family name."""
    if not a or not b:
        return True
    return bool({normalize_words(x) for x in a} & {normalize_words(x) for x in b})


def years_close(a: int | None, b: int | None) -> bool:
    return a is None or b is None or abs(a - b) <= YEARS_APART


@dataclass
class Comparison:
    """What a record and one stored paper agree and disagree on."""

    paper_id: int
    agreeing: list[str] = field(default_factory=list)
    """Evidence of sameness, strongest first (`Evidence` names)."""
    strong: list[str] = field(default_factory=list)
    """Fields whose disagreement says "two papers"."""
    fields: dict[str, list[Any]] = field(default_factory=dict)
    """Every field that disagrees: {field: [stored value, incoming value]}."""

    @property
    def same(self) -> bool:
        return bool(self.agreeing) and not self.strong

    @property
    def evidence(self) -> str:
        return self.agreeing[0] if self.agreeing else ""

    def described(self, record: IncomingPaper) -> str:
        """`arXiv id 2401.00001`: what the two share, for the conflict record."""
        rule = self.evidence
        if rule == Evidence.ARXIV:
            return f"arXiv id {record.arxiv_id or arxiv_of_doi(record.doi_key)}"
        if rule == Evidence.DOI:
            return f"DOI {record.columns.get('doi')}"
        if rule == Evidence.TITLE:
            return f"title {record.columns.get('title')!r}, authors and year"
        return f"cite key {record.cite_key}"


def compare(
    stored: dict[str, Any],
    families: Sequence[str] | None,
    record: IncomingPaper,
    absorbed: Collection[tuple[str, str]] = (),
) -> Comparison:
    """Weigh a stored paper (its columns, its authors' family names, the identifiers it
    absorbed by merges) against a record."""
    result = Comparison(int(stored["id"]))
    incoming_arxiv = record.arxiv_id or arxiv_of_doi(record.doi_key)
    # An identifier a curator merged into this paper settles it: no evidence outweighs that.
    if record.doi_key and ("doi", record.doi_key) in absorbed:
        result.agreeing.append(Evidence.DOI)
        return result
    if incoming_arxiv and ("arxiv", incoming_arxiv) in absorbed:
        result.agreeing.append(Evidence.ARXIV)
        return result
    stored_arxiv = stored.get("arxiv_id") or arxiv_of_doi(stored.get("doi"))
    stored_doi = str(stored["doi"]).casefold() if stored.get("doi") else None
    if record.doi_key and stored_doi == record.doi_key:
        result.agreeing.append(Evidence.DOI)
    if incoming_arxiv and stored_arxiv == incoming_arxiv:
        result.agreeing.append(Evidence.ARXIV)
    stored_year, year = stored.get("year"), record.columns.get("year")
    record_families = [a.family for a in record.authors]
    if (
        record.identity_key
        and stored.get("identity_key") == record.identity_key
        and families_agree(families, record_families)
        and years_close(stored_year, year)
    ):
        result.agreeing.append(Evidence.TITLE)
    if not result.agreeing and record.cite_key and stored.get("bibtex_key") == record.cite_key:
        result.agreeing.append(Evidence.KEY)
    if not result.agreeing:
        return result

    ours, theirs = published_doi(stored.get("doi")), published_doi(record.doi_key)
    if ours and theirs and ours != theirs:
        result.strong.append("doi")
        result.fields["doi"] = [stored.get("doi"), record.columns.get("doi")]
    if stored_arxiv and incoming_arxiv and stored_arxiv != incoming_arxiv:
        result.strong.append("arxiv_id")
        result.fields["arxiv_id"] = [stored_arxiv, incoming_arxiv]
    arxiv_itself = record.origin == "arxiv" and Evidence.ARXIV in result.agreeing
    if stored.get("identity_key") != record.identity_key:
        title, stored_title = record.columns.get("title"), stored.get("title")
        if not arxiv_itself and titles_clearly_differ(stored_title, title):
            result.strong.append("title")
            result.fields["title"] = [stored_title, title]
    if result.strong:
        # The weaker disagreements, for the reviewer.
        if not years_close(stored_year, year) or (stored_year and year and stored_year != year):
            result.fields["year"] = [stored_year, year]
        if not families_agree(families, record_families):
            result.fields["authors"] = [list(families or ()), record_families]
    return result


@dataclass
class Decision:
    """Where a record goes."""

    paper_id: int | None
    """The stored paper it is; None for a new paper (or an ambiguous record)."""
    evidence: str | None = None
    conflicts: list[Comparison] = field(default_factory=list)
    """Stored papers weak evidence joins and strong evidence separates."""
    ambiguous: list[Comparison] = field(default_factory=list)
    """Two or more stored papers the record is, each by its own evidence: not written."""


def decide(comparisons: Iterable[Comparison]) -> Decision:
    same: list[Comparison] = []
    conflicts: list[Comparison] = []
    for comparison in comparisons:
        if comparison.same:
            same.append(comparison)
        elif comparison.agreeing:
            conflicts.append(comparison)
    if len(same) > 1:
        return Decision(None, conflicts=conflicts, ambiguous=same)
    if same:
        return Decision(same[0].paper_id, same[0].evidence, conflicts)
    return Decision(None, conflicts=conflicts)


def contested_identifiers(record: IncomingPaper, conflicts: Sequence[Comparison]) -> set[str]:
    """Identifier columns a record stored as its own paper cannot keep: another paper holds
    them (the cause of the conflict)."""
    contested: set[str] = set()
    for conflict in conflicts:
        if Evidence.ARXIV in conflict.agreeing and record.arxiv_id:
            contested.add("arxiv_id")
        if Evidence.DOI in conflict.agreeing:
            contested.add("doi")
    return contested


def stated_together(columns: dict[str, Any]) -> dict[str, Any]:
    """`joined_by` and `preprint_url` for a record that names a preprint and its published
    version at once (a BibTeX entry with a venue or DOI and an arXiv eprint), or {}."""
    arxiv_id = columns.get("arxiv_id")
    if not arxiv_id or not (columns.get("venue") or published_doi(columns.get("doi"))):
        return {}
    preprint = f"https://arxiv.org/abs/{arxiv_id}"
    url = columns.get("url")
    return {"joined_by": Evidence.RECORD} | ({"preprint_url": preprint} if url != preprint else {})
