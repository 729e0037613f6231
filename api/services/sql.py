"""Typing help for SQLAlchemy statements of any shape."""

from typing import Any, TypeAlias

import sqlalchemy as sa

AnySelect: TypeAlias = sa.Select[*tuple[Any, ...]]
"""A SELECT of any number of columns (`sa.Select[Any]` means exactly one)."""
