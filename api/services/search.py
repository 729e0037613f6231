"""Ranked full-text search with the database's own engine (SQLite FTS5, PostgreSQL tsvector)."""

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

import models as m
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


@dataclass(frozen=True)
class Found:
    """A search hit with its row: a technique or a paper."""

    kind: str
    row: Any
    score: float


SEARCHED: tuple[tuple[str, Any], ...] = (("technique", m.Technique), ("paper", m.Paper))
"""What `search` looks in, in the order its results come."""


def search(session: Session, text: str, limit: int) -> list[Found]:
    """Techniques first, then papers, each best first; at most `limit` hits in all.

    Rows are read in one query per kind, whatever the number of hits."""
    found: list[Found] = []
    for kind, model in SEARCHED:
        if len(found) >= limit:
            break
        hits = search_ids(session, kind, text, limit=limit - len(found))
        id_column: Any = model.id
        statement = select(model).where(id_column.in_([h.id for h in hits]))
        rows = {r.id: r for r in session.exec(statement)}
        found += [Found(kind, rows[h.id], h.score) for h in hits if h.id in rows]
    return found
