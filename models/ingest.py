"""Ingest runs from arXiv and BibTeX files, what they changed, and technique links they propose.

Technique links from ingests live here, apart from the survey's curated `technique_citation`
rows, so a suggestion never looks like a fact until a curator accepts it.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from models.base import enum_column


class IngestKind(StrEnum):
    ARXIV = "arxiv"
    BIBTEX = "bibtex"


class IngestStatus(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    """Every entry was read; some may still have failed (see `failed`)."""
    ABORTED = "aborted"
    """The run stopped early (unreadable input, arXiv unavailable); earlier entries are kept."""


class ChangeAction(StrEnum):
    UPDATED = "updated"
    MERGED = "merged"
    """The entry added another identifier (arXiv id or DOI) to a paper that had one already."""


class LinkOrigin(StrEnum):
    EXPLICIT = "explicit"
    """Named by whoever ran the ingest (`--technique paged-attention`)."""
    SUGGESTED = "suggested"
    """Proposed by matching title and abstract against technique names and aliases."""


class LinkStatus(StrEnum):
    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class IngestRunBase(SQLModel):
    kind: IngestKind = Field(sa_type=enum_column(IngestKind, "ingest_kind"))
    locator: str = Field(
        max_length=300, description="The arXiv query or ids, or the file name, that was ingested."
    )
    status: IngestStatus = Field(
        default=IngestStatus.RUNNING, sa_type=enum_column(IngestStatus, "ingest_status")
    )
    started_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    finished_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    heartbeat_at: datetime | None = Field(
        default=None,
        sa_type=sa.DateTime(timezone=True),
        description="When the run last committed a batch (or started); a `running` run whose "
        "heartbeat is older than INFERGRAPH_INGEST_STALE_SECONDS was left by a dead process.",
    )
    added: int = Field(default=0, ge=0)
    updated: int = Field(default=0, ge=0)
    merged: int = Field(default=0, ge=0)
    unchanged: int = Field(default=0, ge=0)
    failed: int = Field(default=0, ge=0)


class IngestRun(IngestRunBase, table=True):
    """One `infergraph ingest` (or POST /ingest) call: what it read and what came of it."""

    __tablename__ = "ingest_run"

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", ondelete="RESTRICT", index=True)
    failures: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_type=JSON,
        description="Each failed entry as {location, message}.",
    )


class PaperChange(SQLModel, table=True):
    """What one ingest run changed on an existing paper: {field: [old, new]}."""

    __tablename__ = "paper_change"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="ingest_run.id", ondelete="CASCADE", index=True)
    paper_id: int = Field(foreign_key="paper.id", ondelete="CASCADE", index=True)
    action: ChangeAction = Field(sa_type=enum_column(ChangeAction, "change_action"))
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class TechniqueLinkBase(SQLModel):
    paper_id: int = Field(foreign_key="paper.id", ondelete="CASCADE", index=True)
    technique_id: int = Field(foreign_key="technique.id", ondelete="CASCADE", index=True)
    origin: LinkOrigin = Field(sa_type=enum_column(LinkOrigin, "link_origin"))
    status: LinkStatus = Field(
        sa_type=enum_column(LinkStatus, "link_status"),
        description="suggested (awaiting review), accepted or rejected by a curator.",
    )
    score: float = Field(ge=0, le=1, description="Match strength; 1 for explicit links.")
    matched: list[str] = Field(
        default_factory=list, sa_type=JSON, description="The names or aliases that matched."
    )
    note: str | None = Field(default=None, description="The reviewer's note.")
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    decided_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class TechniqueLink(TechniqueLinkBase, table=True):
    """A paper–technique link proposed or made by an ingest; one per pair."""

    __tablename__ = "technique_link"
    __table_args__ = (sa.UniqueConstraint("paper_id", "technique_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", ondelete="RESTRICT", index=True)


class EntryOutcome(StrEnum):
    """What one entry of an ingest came to."""

    ADDED = "added"
    UPDATED = "updated"
    MERGED = "merged"
    """The entry joined a stored paper and gave it an identifier it lacked."""
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    """Weak evidence said "same paper", strong evidence said "different": see the conflict."""
    FAILED = "failed"


class IngestEntry(SQLModel, table=True):
    """One entry of an ingest run and what came of it, in input order."""

    __tablename__ = "ingest_entry"
    __table_args__ = (sa.UniqueConstraint("run_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="ingest_run.id", ondelete="CASCADE", index=True)
    position: int = Field(ge=0, description="Order of the entry in the input, from 0.")
    location: str = Field(max_length=300, description="The arXiv id, or `file:line`.")
    entry_key: str | None = Field(
        default=None, max_length=300, description="The cite key the file gave the entry."
    )
    outcome: EntryOutcome = Field(sa_type=enum_column(EntryOutcome, "entry_outcome"))
    paper_id: int | None = Field(
        default=None,
        foreign_key="paper.id",
        ondelete="SET NULL",
        description="The paper the entry is now part of.",
    )
    paper_key: str | None = Field(
        default=None, max_length=300, description="That paper's cite key when the entry was read."
    )
    fields: list[str] = Field(
        default_factory=list, sa_type=JSON, description="Columns the entry changed."
    )
    evidence: str | None = Field(
        default=None, max_length=200, description="What identified the stored paper it joined."
    )
    message: str | None = Field(
        default=None, description="Why it failed, or what the conflict is about."
    )
    conflict_id: int | None = Field(default=None, description="The conflict recorded for it.")


class ConflictStatus(StrEnum):
    OPEN = "open"
    MERGED = "merged"
    """A curator merged the two papers."""
    DISTINCT = "distinct"
    """A curator confirmed they are different papers."""


class PaperConflict(SQLModel, table=True):
    """Two papers that some evidence calls one and stronger evidence calls two, for review."""

    __tablename__ = "paper_conflict"

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(
        foreign_key="paper.id",
        ondelete="CASCADE",
        index=True,
        description="The paper the incoming entry was stored as.",
    )
    other_paper_id: int = Field(
        foreign_key="paper.id",
        ondelete="CASCADE",
        index=True,
        description="The stored paper the weaker evidence pointed at.",
    )
    evidence: str = Field(
        max_length=300, description="What the two share, e.g. `arXiv id 2401.00001`."
    )
    fields: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSON,
        description="Each field that disagrees: {field: [value of paper, value of other]}.",
    )
    location: str | None = Field(
        default=None, max_length=300, description="Where the entry was read (`file:line`)."
    )
    run_id: int | None = Field(
        default=None,
        description="The ingest run that found it (no foreign key: a conflict outlives "
        "the bookkeeping of runs).",
    )
    status: ConflictStatus = Field(
        default=ConflictStatus.OPEN, sa_type=enum_column(ConflictStatus, "conflict_status")
    )
    note: str | None = Field(default=None, description="The reviewer's note.")
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    decided_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
