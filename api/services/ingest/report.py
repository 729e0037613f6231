"""What an ingest did, for the CLI summary and the HTTP response."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from api.errors import Problem
from models.ingest import EntryOutcome

Outcome = EntryOutcome


@dataclass(frozen=True)
class EntryReport:
    """What came of one entry, as the run keeps it (`ingest_entry`)."""

    position: int
    location: str
    outcome: EntryOutcome
    entry_key: str | None = None
    paper_key: str | None = None
    fields: tuple[str, ...] = ()
    """Columns an `updated` or `merged` entry changed."""
    evidence: str | None = None
    """What identified the stored paper it joined (`doi`, `arxiv id`, …)."""
    message: str | None = None
    """Why it failed, or what the conflict is."""
    conflict_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "location": self.location,
            "outcome": self.outcome.value,
            "entry_key": self.entry_key,
            "paper_key": self.paper_key,
            "fields": list(self.fields),
            "evidence": self.evidence,
            "message": self.message,
            "conflict_id": self.conflict_id,
        }

    def described(self) -> str:
        """One line: `merged into kwon2023efficient (doi): doi, venue`."""
        outcome = self.outcome
        if outcome is Outcome.FAILED:
            return f"failed: {self.message}"
        if outcome is Outcome.CONFLICT:
            return f"conflict #{self.conflict_id}: {self.message}"
        if outcome is Outcome.ADDED:
            return f"added as {self.paper_key}"
        if outcome is Outcome.UNCHANGED:
            return f"unchanged: {self.paper_key} ({self.evidence})"
        verb = "merged into" if outcome is Outcome.MERGED else "updated"
        return f"{verb} {self.paper_key} ({self.evidence}): {', '.join(self.fields)}"


@dataclass(frozen=True)
class ProgressEvent:
    done: int
    """Entries handled so far (written, unchanged or failed)."""
    total: int | None
    """Entries expected, when known (a BibTeX file, an arXiv answer's total)."""
    failed: int


Progress = Callable[[ProgressEvent], None]


@dataclass
class IngestReport:
    run_id: int
    kind: str
    locator: str
    added: int = 0
    updated: int = 0
    merged: int = 0
    unchanged: int = 0
    conflicts: int = 0
    """Entries that met a conflict (stored as their own paper, or not written when ambiguous)."""
    entries: list[EntryReport] = field(default_factory=list)
    """Every entry read, in input order."""
    failures: list[Problem] = field(default_factory=list)
    """Each entry that failed: `location` is the arXiv id or `file:line`, `message` the reason."""
    suggestions: int = 0
    """Technique links newly suggested for review."""
    links: int = 0
    """Explicit technique links newly made (or confirmed) by `techniques`."""
    aborted: bool = False
    """The input stopped being readable part-way; entries before that point were kept."""

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.aborted and not self.conflicts

    @property
    def handled(self) -> int:
        return (
            self.added + self.updated + self.merged + self.unchanged + self.conflicts + self.failed
        )

    def count(self, outcome: Outcome) -> None:
        if outcome is Outcome.ADDED:
            self.added += 1
        elif outcome is Outcome.UPDATED:
            self.updated += 1
        elif outcome is Outcome.MERGED:
            self.merged += 1
        elif outcome is Outcome.UNCHANGED:
            self.unchanged += 1
        elif outcome is Outcome.CONFLICT:
            self.conflicts += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "locator": self.locator,
            "added": self.added,
            "updated": self.updated,
            "merged": self.merged,
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
            "failed": self.failed,
            "failures": [problem.as_dict() for problem in self.failures],
            "suggestions": self.suggestions,
            "links": self.links,
            "aborted": self.aborted,
            "entries": [entry.as_dict() for entry in self.entries],
        }

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.merged} merged, "
            f"{self.unchanged} unchanged, {self.conflicts} conflicts, {self.failed} failed"
        )
