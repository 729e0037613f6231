"""Versions of a source (the survey README as synced) and the feed of survey facts they changed.

The rows each survey fact had in each version live in `history_<table>` tables, made by
hand per dialect with their triggers (`api/history_schema.py`); these two tables are what
those triggers write beside them.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_column


class SourceVersion(SQLModel, table=True):
    """One version of the survey the graph has held: the seed's, then one per applied sync."""

    __tablename__ = "source_version"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(
        max_length=60, unique=True, description="The version's name, e.g. `2025-12-02`."
    )
    released_on: date = Field(description="Date of the document version.")
    synced_at: datetime = Field(
        sa_type=sa.DateTime(timezone=True), description="When the graph took this version in."
    )
    file: str | None = Field(default=None, max_length=300, description="The file synced.")
    digest: str | None = Field(
        default=None, max_length=64, description="SHA-256 of the file synced, hex."
    )


class FactAction(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    RETIRED = "retired"


class FactChange(SQLModel, table=True):
    """One survey fact added, changed or retired; written by the history triggers."""

    __tablename__ = "fact_change"

    id: int | None = Field(default=None, primary_key=True)
    table_name: str = Field(max_length=60, description="The fact's table, e.g. `engine`.")
    row_id: int = Field(description="The fact's row id in its table.")
    action: FactAction = Field(sa_type=enum_column(FactAction, "fact_action"))
    source_version_id: int = Field(foreign_key="source_version.id", ondelete="RESTRICT", index=True)
    source_id: int | None = Field(default=None, description="The fact's source, if it has one.")
    changed_at: datetime = Field(
        sa_type=sa.DateTime(timezone=True), description="When the change was written."
    )
    old: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    new: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
