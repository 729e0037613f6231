"""What an ingest did, for the CLI summary and the HTTP response."""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from api.errors import Problem


class Outcome(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    MERGED = "merged"
    UNCHANGED = "unchanged"
    FAILED = "failed"


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
        return not self.failures and not self.aborted

    @property
    def handled(self) -> int:
        return self.added + self.updated + self.merged + self.unchanged + self.failed

    def count(self, outcome: Outcome) -> None:
        if outcome is Outcome.ADDED:
            self.added += 1
        elif outcome is Outcome.UPDATED:
            self.updated += 1
        elif outcome is Outcome.MERGED:
            self.merged += 1
        elif outcome is Outcome.UNCHANGED:
            self.unchanged += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "locator": self.locator,
            "added": self.added,
            "updated": self.updated,
            "merged": self.merged,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "failures": [problem.as_dict() for problem in self.failures],
            "suggestions": self.suggestions,
            "links": self.links,
            "aborted": self.aborted,
        }

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.merged} merged, "
            f"{self.unchanged} unchanged, {self.failed} failed"
        )
