"""Optimization techniques, their category tree and the survey's coverage-matrix columns."""

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import FeatureKind, enum_column


class TechniqueCategoryBase(SQLModel):
    slug: str = Field(
        max_length=120, unique=True, description="Stable identifier, e.g. `quantization`."
    )
    name: str = Field(max_length=200, description="Name, e.g. `Quantization`.")
    parent_id: int | None = Field(
        default=None, foreign_key="technique_category.id", ondelete="RESTRICT", index=True
    )
    position: int = Field(ge=0, description="Order among its siblings, as in the survey.")
    description: str | None = Field(
        default=None, description="What the category covers, in InferGraph's words."
    )


class TechniqueCategory(TechniqueCategoryBase, table=True):
    __tablename__ = "technique_category"

    id: int | None = Field(default=None, primary_key=True)


class TechniqueBase(SQLModel):
    slug: str = Field(
        max_length=120, unique=True, description="Stable identifier, e.g. `paged-attention`."
    )
    name: str = Field(max_length=200, description="Name, e.g. `PagedAttention`.")
    category_id: int = Field(foreign_key="technique_category.id", ondelete="RESTRICT", index=True)
    position: int = Field(ge=0, description="Row order inside its category's table.")
    description: str = Field(description="What the technique does, in InferGraph's words.")
    in_survey_table: bool = Field(
        default=True,
        description="False for techniques the survey names only as a matrix column (vAttention).",
    )


class Technique(TechniqueBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class TechniqueAlias(SQLModel, table=True):
    __tablename__ = "technique_alias"
    __table_args__ = (sa.UniqueConstraint("technique_id", "alias"),)

    id: int | None = Field(default=None, primary_key=True)
    technique_id: int = Field(foreign_key="technique.id", ondelete="CASCADE", index=True)
    alias: str = Field(max_length=200)


class OptimizationFeatureBase(SQLModel):
    """A column of the optimization-coverage matrix: one technique, or a named group."""

    slug: str = Field(
        max_length=120, unique=True, description="Stable identifier, e.g. `speculative-decoding`."
    )
    name: str = Field(max_length=200, description="Name, e.g. `Speculative Decoding`.")
    kind: FeatureKind = Field(
        sa_type=enum_column(FeatureKind, "feature_kind"),
        description="One technique, or a group of several.",
    )
    description: str | None = Field(default=None, description="What a group column covers.")


class OptimizationFeature(OptimizationFeatureBase, table=True):
    __tablename__ = "optimization_feature"

    id: int | None = Field(default=None, primary_key=True)


class FeatureMember(SQLModel, table=True):
    """Which techniques a matrix column stands for."""

    __tablename__ = "feature_member"

    feature_id: int = Field(
        foreign_key="optimization_feature.id", ondelete="CASCADE", primary_key=True
    )
    technique_id: int = Field(foreign_key="technique.id", ondelete="CASCADE", primary_key=True)
