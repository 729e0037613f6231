"""Where facts come from, and how a source laid them out."""

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import LayoutAxis, SourceKind, enum_column


class SourceBase(SQLModel):
    slug: str = Field(
        max_length=120, unique=True, description="Stable identifier, e.g. `survey-hardware-matrix`."
    )
    title: str = Field(max_length=300, description="Human-readable name of the source.")
    kind: SourceKind = Field(
        sa_type=enum_column(SourceKind, "source_kind"),
        description="Table, figure, text, list, BibTeX file or arXiv query.",
    )
    locator: str | None = Field(
        default=None,
        max_length=300,
        description="Where inside the document, e.g. `README.md § Hardware Support Matrix`.",
    )
    document_url: str | None = Field(
        default=None, max_length=500, description="Address of the document."
    )
    as_of: date | None = Field(default=None, description="Date of the document version read.")


class Source(SourceBase, table=True):
    """A document (or one table / figure of it) that facts are taken from."""

    id: int | None = Field(default=None, primary_key=True)


class LayoutEntryBase(SQLModel):
    """One row or column of a source's table, naming the entity it shows.

    Keeps the survey's order and spelling ("LLaMA.cpp" in one table, "llama.cpp" in another)
    apart from the entities themselves, so tables can be regenerated cell for cell.
    Exactly one of the entity columns is set, or none for a catch-all column ("ETC").
    """

    source_id: int = Field(foreign_key="source.id", ondelete="CASCADE")
    axis: LayoutAxis = Field(sa_type=enum_column(LayoutAxis, "layout_axis"))
    position: int = Field(ge=0)
    label: str = Field(max_length=200)
    engine_id: int | None = Field(default=None, foreign_key="engine.id", ondelete="CASCADE")
    platform_id: int | None = Field(default=None, foreign_key="platform.id", ondelete="CASCADE")
    precision_id: int | None = Field(default=None, foreign_key="precision.id", ondelete="CASCADE")
    feature_id: int | None = Field(
        default=None, foreign_key="optimization_feature.id", ondelete="CASCADE"
    )
    device_id: int | None = Field(default=None, foreign_key="device.id", ondelete="CASCADE")
    model_id: int | None = Field(default=None, foreign_key="llm_model.id", ondelete="CASCADE")
    technique_id: int | None = Field(default=None, foreign_key="technique.id", ondelete="CASCADE")
    cell: str = Field(
        default="",
        max_length=100,
        description="Sub-division of the axis, e.g. a quadrant cell `single_node/heterogeneous`.",
    )


class LayoutEntry(LayoutEntryBase, table=True):
    __tablename__ = "layout_entry"
    __table_args__ = (
        sa.UniqueConstraint("source_id", "axis", "cell", "position"),
        sa.CheckConstraint(
            "(CASE WHEN engine_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN platform_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN precision_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN feature_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN device_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN model_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN technique_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_entity",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
