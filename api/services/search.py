"""Ranked full-text search with the database's own engine (SQLite FTS5, PostgreSQL tsvector)."""

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

import models as m
from api.errors import InvalidInputError, Problem
from api.search_schema import SEARCHABLE, tsvector_sql
from api.services.engines import EngineFilter, aliases_by_engine, list_engines
from api.services.pagination import PageRequest

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
    """A search hit with its row: an engine, a technique or a paper."""

    kind: str
    row: Any
    score: float

    @property
    def key(self) -> str:
        """What names the hit elsewhere: an engine's or technique's slug, a paper's key."""
        return str(self.row.bibtex_key if self.kind == "paper" else self.row.slug)

    @property
    def title(self) -> str | None:
        title: str | None = self.row.title if self.kind == "paper" else self.row.name
        return title


SEARCHED: tuple[tuple[str, Any], ...] = (("technique", m.Technique), ("paper", m.Paper))
"""What `search` looks in, in the order its results come."""


def search(session: Session, text: str, limit: int) -> list[Found]:
    """Engines first, then techniques, then papers, each best first; at most `limit` hits.

    Engines match by name, slug or alias (a substring, case-insensitively: their names are
    too short for ranked full text), an exact match first (score 1, else 0.5); techniques and
    papers by ranked full text. Rows are read in one query per kind, whatever the hits."""
    found = _engines(session, text, limit)
    for kind, model in SEARCHED:
        if len(found) >= limit:
            break
        hits = search_ids(session, kind, text, limit=limit - len(found))
        id_column: Any = model.id
        statement = select(model).where(id_column.in_([h.id for h in hits]))
        rows = {r.id: r for r in session.exec(statement)}
        found += [Found(kind, rows[h.id], h.score) for h in hits if h.id in rows]
    return found


def _engines(session: Session, text: str, limit: int) -> list[Found]:
    wanted = text.strip().casefold()
    if not _terms(text) or limit == 0:
        return []
    page = list_engines(session, EngineFilter(text=wanted), page=PageRequest(first=limit))
    names = aliases_by_engine(session, [e.id for e in page.items if e.id is not None])

    def score(engine: m.Engine) -> float:
        spelled = {engine.slug, engine.name.casefold(), *names.get(engine.id or 0, ())}
        return 1.0 if wanted in spelled else 0.5

    hits = [Found("engine", engine, score(engine)) for engine in page.items]
    return sorted(hits, key=lambda hit: -hit.score)


@dataclass(frozen=True)
class Suggestion:
    """A name that starts with what was typed: an engine, a technique, a matrix column, a
    technique category or a paper."""

    kind: str
    key: str
    """Slug, or a paper's BibTeX key."""
    name: str


MAX_PREFIX_LENGTH = 100
_PREFIXED: tuple[tuple[str, Any, Any, Any], ...] = (
    ("engine", m.Engine, m.Engine.slug, m.Engine.name),
    ("technique", m.Technique, m.Technique.slug, m.Technique.name),
    ("feature", m.OptimizationFeature, m.OptimizationFeature.slug, m.OptimizationFeature.name),
    ("category", m.TechniqueCategory, m.TechniqueCategory.slug, m.TechniqueCategory.name),
    ("paper", m.Paper, m.Paper.bibtex_key, m.Paper.title),
)
"""What `autocomplete` looks in, in the order its suggestions come."""


def autocomplete(session: Session, prefix: str, limit: int) -> list[Suggestion]:
    """Names with a word starting with `prefix` (case-insensitively): "spe" suggests
    Speculative Decoding. Engines first, then techniques, matrix columns, categories and
    papers; within a kind, names that start with the prefix before those with a later word
    that does, then alphabetically. At most `limit`, one query per kind."""
    if len(prefix) > MAX_PREFIX_LENGTH:
        raise InvalidInputError(
            "prefix too long",
            [Problem(f"at most {MAX_PREFIX_LENGTH} characters", field="q", value=len(prefix))],
        )
    # Full-text prefix queries stem and tokenise differently per database; a LIKE on the
    # names behaves the same on both, and the names are short.
    wanted = " ".join(prefix.split()).casefold()
    if not wanted:
        return []
    escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    found: list[Suggestion] = []
    for kind, model, key_column, name_column in _PREFIXED:
        if len(found) >= limit:
            break
        lowered = sa.func.lower(name_column)
        starts = lowered.like(escaped + "%", escape="\\")
        later_word = lowered.like("% " + escaped + "%", escape="\\")
        statement = (
            sa.select(key_column, name_column)
            .select_from(model)
            .where(starts | later_word | sa.func.lower(key_column).like(escaped + "%", escape="\\"))
            .order_by(sa.case((starts, 0), else_=1), lowered, key_column)
            .limit(limit - len(found))
        )
        found += [Suggestion(kind, str(k), str(n)) for k, n in session.execute(statement)]
    return found
