"""Technique links proposed by matching papers against technique names and aliases, and the
curator's review queue for them."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.db import session_scope
from api.errors import InvalidInputError, NotFoundError, Problem
from models.ingest import LinkOrigin, LinkStatus

_MIN_TERM_LENGTH = 3
"""Shorter aliases (DP, TP, PP) match too much unrelated text to be worth suggesting."""
_PARENTHESIZED = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True)
class TechniqueMatch:
    technique_id: int
    score: float
    matched: tuple[str, ...]


def technique_terms(name: str, aliases: Iterable[str]) -> dict[str, bool]:
    """Searchable terms of a technique, each marked True when it comes from the name.

    `Data Parallelism (DP)` also yields `Data Parallelism` and `DP`; `FSM / CFG` yields both parts.
    """
    terms: dict[str, bool] = {}

    def add(term: str, from_name: bool) -> None:
        cleaned = " ".join(term.split())
        if len(cleaned) >= _MIN_TERM_LENGTH:
            terms.setdefault(cleaned.casefold(), from_name)

    for part in [name, *name.split(" / ")]:
        add(part, True)
        add(_PARENTHESIZED.sub("", part), True)
        for inner in re.findall(r"\(([^)]*)\)", part):
            add(inner, False)
    for alias in aliases:
        add(alias, False)
    return terms


class TechniqueMatcher:
    """One compiled pattern over every technique's terms, so each paper is scanned once."""

    def __init__(self, techniques: dict[int, dict[str, bool]]) -> None:
        self._owners: dict[str, list[tuple[int, bool]]] = {}
        for technique_id, terms in techniques.items():
            for term, from_name in terms.items():
                self._owners.setdefault(term, []).append((technique_id, from_name))
        body = _prefix_tree_pattern(self._owners) if self._owners else r"(?!x)x"
        # Lookarounds instead of \b: terms may start or end with punctuation (`N:M`, `2:4`).
        self._pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)

    @classmethod
    def load(cls, session: Session) -> "TechniqueMatcher":
        aliases: dict[int, list[str]] = {}
        for technique_id, alias in session.exec(
            select(m.TechniqueAlias.technique_id, m.TechniqueAlias.alias)
        ):
            aliases.setdefault(technique_id, []).append(alias)
        techniques = {
            int(technique_id): technique_terms(name, aliases.get(technique_id, []))
            for technique_id, name in session.exec(select(m.Technique.id, m.Technique.name))
            if technique_id is not None
        }
        return cls(techniques)

    def match(self, title: str | None, abstract: str | None) -> list[TechniqueMatch]:
        """Score: 0.8 when a term is in the title, 0.5 when only in the abstract; +0.1 when
        it is the technique's own name; +0.05 for each further mention (up to two)."""
        found: dict[int, _Hits] = {}
        for text, weight in ((title or "", 0.8), (abstract or "", 0.5)):
            for hit in self._pattern.finditer(text):
                for technique_id, from_name in self._owners[hit.group(0).casefold()]:
                    found.setdefault(technique_id, _Hits()).add(hit.group(0), weight, from_name)
        return [hits.result(technique_id) for technique_id, hits in sorted(found.items())]


def _prefix_tree_pattern(terms: Iterable[str]) -> str:
    """An alternation of `terms` factored by common prefixes: `speculative (?:decoding|sampling)`.

    A flat `a|b|c…` makes the regex engine try every term at every word start (most of the
    matching time); the tree tries one branch per character. Where one term is a prefix of
    another the longer one comes first, as in a flat alternation sorted longest first.
    """
    tree: dict[str, Any] = {}
    for term in terms:
        node = tree
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + render(child) for char, child in node.items() if char]
        if "" in node:
            branches.append("")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return render(tree)


@dataclass
class _Hits:
    base: float = 0.0
    by_name: bool = False
    count: int = 0
    terms: dict[str, None] = field(default_factory=dict)

    def add(self, term: str, weight: float, from_name: bool) -> None:
        self.base = max(self.base, weight)
        self.by_name = self.by_name or from_name
        self.count += 1
        self.terms.setdefault(term, None)

    def result(self, technique_id: int) -> TechniqueMatch:
        bonus = (0.1 if self.by_name else 0.0) + 0.05 * min(2, self.count - 1)
        return TechniqueMatch(
            technique_id, round(min(1.0, self.base + bonus), 2), tuple(self.terms)
        )


@dataclass(frozen=True)
class SuggestionView:
    id: int
    paper_key: str
    paper_title: str | None
    technique_slug: str
    technique_name: str
    origin: LinkOrigin
    status: LinkStatus
    score: float
    matched: tuple[str, ...]
    note: str | None
    created_at: datetime
    decided_at: datetime | None


def list_suggestions(
    session: Session,
    status: LinkStatus | None = LinkStatus.SUGGESTED,
    *,
    technique: str | None = None,
    limit: int | None = None,
) -> list[SuggestionView]:
    """Technique links awaiting review (or of any `status`; None for all), best score first."""
    statement = (
        select(m.TechniqueLink, m.Paper, m.Technique)
        .join(m.Paper, col(m.Paper.id) == m.TechniqueLink.paper_id)
        .join(m.Technique, col(m.Technique.id) == m.TechniqueLink.technique_id)
        .order_by(col(m.TechniqueLink.score).desc(), col(m.TechniqueLink.id))
    )
    if status is not None:
        statement = statement.where(m.TechniqueLink.status == status)
    if technique is not None:
        statement = statement.where(m.Technique.slug == technique)
    if limit is not None:
        statement = statement.limit(limit)
    return [
        SuggestionView(
            id=int(link.id or 0),
            paper_key=paper.bibtex_key,
            paper_title=paper.title,
            technique_slug=technique.slug,
            technique_name=technique.name,
            origin=link.origin,
            status=link.status,
            score=link.score,
            matched=tuple(link.matched),
            note=link.note,
            created_at=link.created_at,
            decided_at=link.decided_at,
        )
        for link, paper, technique in session.exec(statement)
    ]


def review_suggestion(
    engine: sa.Engine, suggestion_id: int, *, accept: bool, note: str | None = None
) -> SuggestionView:
    """Accept or reject one suggested link. Deciding again overwrites the earlier decision;
    explicit links (made by whoever ran the ingest) are already accepted and can be rejected."""
    with session_scope(engine) as session:
        link = session.get(m.TechniqueLink, suggestion_id, with_for_update=True)
        if link is None:
            raise NotFoundError(
                f"no technique suggestion with id {suggestion_id}",
                [Problem("not found", field="id", value=suggestion_id)],
            )
        if note is not None and "\x00" in note:
            raise InvalidInputError(
                "the note contains a NUL character", [Problem("NUL", field="note")]
            )
        link.status = LinkStatus.ACCEPTED if accept else LinkStatus.REJECTED
        link.note = note
        link.decided_at = datetime.now(UTC)
        session.add(link)
        session.flush()
        views = [v for v in list_suggestions(session, None) if v.id == suggestion_id]
    return views[0]


def resolve_techniques(session: Session, slugs: Sequence[str]) -> dict[str, int]:
    """Technique ids for explicit `--technique` slugs; every unknown slug is a problem."""
    wanted = list(dict.fromkeys(slugs))
    if not wanted:
        return {}
    found = {
        slug: int(technique_id or 0)
        for technique_id, slug in session.exec(
            select(m.Technique.id, m.Technique.slug).where(col(m.Technique.slug).in_(wanted))
        )
    }
    problems = [
        Problem("unknown technique", field="techniques", value=slug)
        for slug in wanted
        if slug not in found
    ]
    if problems:
        # Well-spelled but naming no technique: the techniques to link are not found (404),
        # as an unknown slug in a path is; nothing is ingested.
        raise NotFoundError(f"{len(problems)} unknown technique(s)", problems)
    return found
