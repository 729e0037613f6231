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
