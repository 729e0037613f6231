"""Shared metadata, enums and column helpers for every table."""

from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import SQLModel

# Alembic's batch mode (SQLite) can only alter constraints it can name, so every
# constraint gets a deterministic name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = SQLModel.metadata


def enum_column(enum_cls: type[StrEnum], name: str) -> sa.Enum:
    """A portable enum: VARCHAR plus a CHECK constraint, stored by value.

    Native PostgreSQL enums would need their own migrations for every new member.
    """
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class OrganizationKind(StrEnum):
    COMMUNITY = "community"
    ACADEMIC = "academic"
    BIG_TECH = "big_tech"
    STARTUP = "startup"


class OpenSource(StrEnum):
    YES = "yes"
    PARTIAL = "partial"
    NO = "no"


class DocsLevel(StrEnum):
    DETAILED = "detailed"
    MODERATE = "moderate"
    SIMPLE = "simple"
    MISSING = "missing"


class DeploymentScale(StrEnum):
    SINGLE_NODE = "single_node"
    MULTI_NODE = "multi_node"


class HardwareDiversity(StrEnum):
    HETEROGENEOUS = "heterogeneous"
    HOMOGENEOUS = "homogeneous"


class SupportStatus(StrEnum):
    """Tri-state: the survey's "-" is UNKNOWN, which is not the same as "no"."""

    SUPPORTED = "supported"
    NOT_SUPPORTED = "not_supported"
    UNKNOWN = "unknown"


class FeatureKind(StrEnum):
    """An optimization-matrix column names one technique or a group of them."""

    TECHNIQUE = "technique"
    GROUP = "group"


class PlatformKind(StrEnum):
    OS = "os"
    CPU_ARCHITECTURE = "cpu_architecture"
    ACCELERATOR = "accelerator"
    EDGE = "edge"
    HOSTED_API = "hosted_api"


class PrecisionFamily(StrEnum):
    FLOAT = "float"
    INTEGER = "integer"
    NORMAL_FLOAT = "normal_float"
    MICROSCALING = "microscaling"


class SourceKind(StrEnum):
    TABLE = "table"
    FIGURE = "figure"
    TEXT = "text"
    LIST = "list"
    BIBTEX = "bibtex"
    ARXIV = "arxiv"


class LayoutAxis(StrEnum):
    ROW = "row"
    COLUMN = "column"


class ValueQualifier(StrEnum):
    """How a measured number was stated: "3.68", "~588", ">130"."""

    EXACT = "exact"
    APPROXIMATE = "approximate"
    GREATER_THAN = "greater_than"
    AT_LEAST = "at_least"
