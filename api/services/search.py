"""Ranked full-text search with the database's own engine (SQLite FTS5, PostgreSQL tsvector)."""

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from api.errors import InvalidInputError, Problem
from api.search_schema import SEARCHABLE, tsvector_sql

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_LENGTH = 500


@dataclass(frozen=True)
class Hit:
    table: str
    id: int
    score: float
    """Higher is better; comparable only within one query and one table."""


def _terms(text: str) -> list[str]:
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInputError(
            "search text too long",
            [Problem(f"at most {MAX_QUERY_LENGTH} characters", field="text", value=len(text))],
        )
    return _WORD.findall(text)


def search_ids(session: Session, table: str, text: str, limit: int = 100) -> list[Hit]:
    """Ids of `table` rows matching every word of `text`, best first."""
    if table not in SEARCHABLE:
        raise ValueError(f"{table} is not searchable")
    terms = _terms(text)
    if not terms:
        return []
    if session.get_bind().dialect.name == "postgresql":
        vector = tsvector_sql(table)
        query = sa.text(
            f"SELECT id, ts_rank_cd({vector}, q) AS score"
            f" FROM {table}, plainto_tsquery('english', :text) AS q"
            f" WHERE {vector} @@ q ORDER BY score DESC, id LIMIT :limit"
        )
        rows = session.execute(query, {"text": " ".join(terms), "limit": limit})
    else:
        # Quoting each word turns user text into plain terms, never FTS5 syntax.
        match = " ".join('"' + term.replace('"', "") + '"' for term in terms)
        query = sa.text(
            f"SELECT rowid, -bm25(fts_{table}) AS score FROM fts_{table}"
            f" WHERE fts_{table} MATCH :match ORDER BY score DESC, rowid LIMIT :limit"
        )
        rows = session.execute(query, {"match": match, "limit": limit})
    return [Hit(table, int(row[0]), float(row[1])) for row in rows]
