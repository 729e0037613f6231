"""A reviewer's decisions on held changes of a survey sync (docs/sync.md)."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class SurveyReview(SQLModel, table=True):
    """One held change accepted or rejected, with the cell values it was decided on.

    A decision holds while the README says the same (`old` → `new`): a rejected change stays
    out of later plans until the README changes that cell again, and is then proposed anew.
    """

    __tablename__ = "survey_review"
    __table_args__ = (sa.UniqueConstraint("change_id"),)

    id: int | None = Field(default=None, primary_key=True)
    change_id: str = Field(max_length=700, description="The plan's id of the change.")
    kind: str = Field(max_length=40, description="`paper-moved`, `row-removed`, …")
    old: str | None = Field(default=None, description="What the graph said when decided.")
    new: str | None = Field(default=None, description="What the README said when decided.")
    decision: str = Field(max_length=20, description="`accepted` or `rejected`.")
    decided_by: str = Field(max_length=200, description="The token's or the user's name.")
    decided_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
