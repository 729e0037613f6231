"""Writes one batch of incoming records: each entry whole (in a savepoint) or not at all."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

import models as m
from api.errors import Problem
from api.services.ingest.bulk import insert_rows, insert_with_ids
from api.services.ingest.identity import (
    Comparison,
    Decision,
    Evidence,
    arxiv_of_doi,
    compare,
    contested_identifiers,
    decide,
)
from api.services.ingest.merge import (
    describe_changes,
    joining,
    new_paper_columns,
    plan_update,
)
from api.services.ingest.records import (
    ARXIV_OWNED,
    BIBLIOGRAPHIC,
    IDENTIFIERS,
    IncomingAuthor,
    IncomingPaper,
    identity_key,
    normalize_words,
)
from api.services.ingest.report import Outcome
from api.services.ingest.suggestions import TechniqueMatcher
from api.services.ingest.version_bump import single_version_bump
from models.ingest import ChangeAction, ConflictStatus, LinkOrigin, LinkStatus

PAPER = m.metadata.tables["paper"]
AUTHOR = m.metadata.tables["author"]
PAPER_AUTHOR = m.metadata.tables["paper_author"]
PAPER_CHANGE = m.metadata.tables["paper_change"]
LINK = m.metadata.tables["technique_link"]
CITATION = m.metadata.tables["technique_citation"]
CONFLICT = m.metadata.tables["paper_conflict"]
ALIAS = m.metadata.tables["paper_alias"]

_STORED_COLUMNS = (
    "id",
    "bibtex_key",
    "entry_type",
    *BIBLIOGRAPHIC,
    *IDENTIFIERS,
    *ARXIV_OWNED,
    "bibtex_fields",
    "identity_key",
    "preprint_url",
    "joined_by",
)
_INSERT_COLUMNS = tuple(c.name for c in PAPER.columns if c.name not in ("id", "source_id"))
_IN_CHUNK = 5000
"""Bound parameters per IN list: far below SQLite's limit of 32766."""
_CITE_KEY_LENGTH = 120
_SUFFIX_PAGE = 50
_FIRST_SUFFIXES = range(2, 6)
_MAX_SUFFIX = 10_000


@dataclass(frozen=True)
class RunContext:
    run_id: int
    source_id: int
    explicit_techniques: tuple[int, ...]
    matcher: TechniqueMatcher
    now: datetime


@dataclass
class EntryResult:
    record: IncomingPaper
    outcome: Outcome
    problem: Problem | None = None
    suggestions: int = 0
    links: int = 0
    paper_id: int | None = None
    """The paper the entry is part of (a placeholder until the plan is written)."""
    paper_key: str | None = None
    fields: list[str] = field(default_factory=list)
    evidence: str | None = None
    message: str | None = None
    conflict_id: int | None = None


class _RejectedError(Exception):
    """The entry cannot be written as it is; the reason goes into the report."""


class PaperIndex:
    """The stored papers a batch can match, by each kind of evidence, kept current as it
    writes."""

    def __init__(self) -> None:
        self.rows: dict[int, dict[str, Any]] = {}
        self.by_arxiv: dict[str, int] = {}
        self.by_doi: dict[str, int] = {}
        self.by_key: dict[str, list[int]] = {}
        """Normalized title → papers with it."""
        self.by_cite: dict[str, int] = {}
        self.first_family: dict[int, str] = {}
        self.families: dict[int, list[str]] = {}
        """Every author's family name, read for papers that only a title may match."""
        self.authors: dict[str, int] = {}
        self.links: dict[tuple[int, int], tuple[int, str, str]] = {}
        """(paper, technique) → (link id, status, origin)."""
        self.cited: set[tuple[int, int]] = set()
        self.conflicts: dict[frozenset[int], int] = {}
        """Pairs of papers with a conflict on record → its id."""
        self.by_alias: dict[tuple[str, str], int] = {}
        """(kind, value) of an identifier a merge absorbed → the paper that holds it now."""
        self.aliases_exist = True
        """Whether any merge left aliases (probed by `load`; assumed until then)."""
        self._changes: dict[int, int] = {}
        """How often each paper's row was remembered: a comparison older than that is stale."""
        self._compared: dict[int, tuple[tuple[int, int], Comparison]] = {}
        """id(record) → ((paper, its change count), comparison), the last one made."""
        self.absorbed: dict[int, set[tuple[str, str]]] = {}
        """The same, by paper: a record naming one of them is that paper, as a curator said."""
        self.taken_keys: set[str] = set()
        """Cite keys known to be in use: stored ones the batch asked about, and planned ones."""
        self.checked_keys: set[str] = set()
        """Cite keys whose use was looked up (taken or not)."""

    def load(self, connection: sa.Connection, records: Sequence[IncomingPaper]) -> None:
        arxiv_ids = {r.arxiv_id for r in records if r.arxiv_id}
        arxiv_ids |= {a for r in records if (a := arxiv_of_doi(r.doi_key))}
        dois = {r.doi_key for r in records if r.doi_key}
        dois |= {f"10.48550/arxiv.{a}".casefold() for a in arxiv_ids}
        cite_keys = {r.cite_key for r in records if _unidentifiable(r)}
        self._load_aliases(connection, arxiv_ids, dois, cite_keys)
        conditions = [
            PAPER.c.arxiv_id.in_(arxiv_ids),
            sa.func.lower(PAPER.c.doi).in_(dois),
            PAPER.c.identity_key.in_({r.identity_key for r in records if r.identity_key}),
            PAPER.c.bibtex_key.in_(cite_keys),
            PAPER.c.id.in_(set(self.by_alias.values())),
        ]
        columns = [PAPER.c[name] for name in _STORED_COLUMNS]
        for row in connection.execute(sa.select(*columns).where(sa.or_(*conditions))).all():
            self.remember(dict(row._mapping))
        for (kind, value), paper_id in self.by_alias.items():
            self.absorbed.setdefault(paper_id, set()).add((kind, value))
            if paper_id in self.rows:
                target = self.by_arxiv if kind == "arxiv" else self.by_doi
                if kind == "key":
                    target = self.by_cite
                target.setdefault(value, paper_id)
        self._load_related(connection, list(self.rows))
        self._load_families(connection, records)
        # Authors and free cite keys only matter for papers to be created (or stored without
        # authors); a re-ingest, where every record matches a stored paper, skips both reads.
        records = [r for r in records if self._needs_authors_or_key(r)]
        names = {a.key for r in records for a in r.authors}
        for chunk in _chunks(sorted(names)):
            statement = sa.select(AUTHOR.c.name_key, AUTHOR.c.id).where(
                AUTHOR.c.name_key.in_(chunk)
            )
            self.authors.update({key: id_ for key, id_ in connection.execute(statement).all()})
        bases = sorted({base_cite_key(r) for r in records})
        self.read_taken_keys(connection, bases)
        # Taken bases are common (same author, year and first word): read their first few
        # suffixes in the same pass, so choosing a free key rarely needs a query of its own.
        taken = [b for b in bases if b in self.taken_keys]
        self.read_taken_keys(connection, [f"{b}-{n}" for b in taken for n in _FIRST_SUFFIXES])

    def _load_aliases(
        self,
        connection: sa.Connection,
        arxiv_ids: set[str],
        dois: set[str],
        cite_keys: set[str | None],
    ) -> None:
        self.aliases_exist = connection.execute(sa.select(ALIAS.c.id).limit(1)).first() is not None
        if not self.aliases_exist:
            return  # no merge yet: nothing to look up (the common case, one cheap probe)
        wanted = [("arxiv", arxiv_ids), ("doi", dois), ("key", {k for k in cite_keys if k})]
        for kind, values in wanted:
            for chunk in _chunks(sorted(values)):
                statement = sa.select(ALIAS.c.value, ALIAS.c.paper_id).where(
                    ALIAS.c.kind == kind, ALIAS.c.value.in_(chunk)
                )
                for value, paper_id in connection.execute(statement).all():
                    self.by_alias[(kind, value)] = paper_id

    def _load_families(self, connection: sa.Connection, records: Sequence[IncomingPaper]) -> None:
        """Family names of the papers a record may match by title alone (an identifier match
        needs none), so that the author lists can be compared."""
        wanted: set[int] = set()
        for record in records:
            by_identifier = set(self._identified(record))
            wanted.update(
                i for i in self.by_key.get(record.identity_key or "", ()) if i not in by_identifier
            )
        for chunk in _chunks(sorted(wanted)):
            statement = (
                sa.select(PAPER_AUTHOR.c.paper_id, AUTHOR.c.family)
                .join(AUTHOR, AUTHOR.c.id == PAPER_AUTHOR.c.author_id)
                .where(PAPER_AUTHOR.c.paper_id.in_(chunk))
                .order_by(PAPER_AUTHOR.c.paper_id, PAPER_AUTHOR.c.position)
            )
            for paper_id, family in connection.execute(statement).all():
                self.families.setdefault(paper_id, []).append(family)

    def _identified(self, record: IncomingPaper) -> list[int]:
        """Stored papers one of the record's identifiers names."""
        arxiv_id = record.arxiv_id or arxiv_of_doi(record.doi_key)
        found = [
            self.by_arxiv.get(arxiv_id or ""),
            self.by_doi.get(record.doi_key or ""),
            self.by_doi.get(f"10.48550/arxiv.{arxiv_id}".casefold() if arxiv_id else ""),
        ]
        return [paper_id for paper_id in found if paper_id is not None]

    def _candidates(self, record: IncomingPaper) -> list[int]:
        found = self._identified(record)
        found += self.by_key.get(record.identity_key or "", [])
        if not found and _unidentifiable(record):
            cited = self.by_cite.get(record.cite_key or "")
            found += [cited] if cited is not None else []
        return list(dict.fromkeys(found))

    def _needs_authors_or_key(self, record: IncomingPaper) -> bool:
        """Unless the record surely is one stored paper with authors, it may become a paper
        of its own (new, or kept apart by a conflict), whose authors and key are needed."""
        stored = self._candidates(record)
        if len(stored) != 1 or stored[0] not in self.first_family:
            return True
        return not self._compare(stored[0], record).same

    def _compare(self, paper_id: int, record: IncomingPaper) -> Comparison:
        # Loading compares each record once already; planning reuses that unless an earlier
        # entry of the batch changed the stored paper since.
        cached = self._compared.get(id(record))
        if cached is not None and cached[0] == (paper_id, self._changes.get(paper_id, 0)):
            return cached[1]
        aliases = self.absorbed.get(paper_id, set())
        result = compare(self.rows[paper_id], self.families.get(paper_id), record, aliases)
        self._compared[id(record)] = ((paper_id, self._changes.get(paper_id, 0)), result)
        return result

    def read_taken_keys(self, connection: sa.Connection, keys: Sequence[str]) -> None:
        for chunk in _chunks(keys):
            statement = sa.select(PAPER.c.bibtex_key).where(PAPER.c.bibtex_key.in_(chunk))
            self.taken_keys.update(connection.execute(statement).scalars().all())
            if self.aliases_exist:
                # A merged paper's old key keeps naming the survivor: never handed out again.
                aliases = sa.select(ALIAS.c.value).where(
                    ALIAS.c.kind == "key", ALIAS.c.value.in_(chunk)
                )
                self.taken_keys.update(connection.execute(aliases).scalars().all())
        self.checked_keys.update(keys)

    def _load_related(self, connection: sa.Connection, paper_ids: list[int]) -> None:
        any_conflict = connection.execute(sa.select(CONFLICT.c.id).limit(1)).first() is not None
        for chunk in _chunks(paper_ids):
            firsts = sa.select(PAPER_AUTHOR.c.paper_id, AUTHOR.c.family).join(
                AUTHOR, AUTHOR.c.id == PAPER_AUTHOR.c.author_id
            )
            for paper_id, family in connection.execute(
                firsts.where(PAPER_AUTHOR.c.position == 0, PAPER_AUTHOR.c.paper_id.in_(chunk))
            ).all():
                self.first_family[paper_id] = family
            links = sa.select(
                LINK.c.paper_id, LINK.c.technique_id, LINK.c.id, LINK.c.status, LINK.c.origin
            ).where(LINK.c.paper_id.in_(chunk))
            for paper_id, technique_id, link_id, status, origin in connection.execute(links).all():
                self.links[(paper_id, technique_id)] = (link_id, str(status), str(origin))
            cited = sa.select(CITATION.c.paper_id, CITATION.c.technique_id).where(
                CITATION.c.paper_id.in_(chunk)
            )
            self.cited.update((p, t) for p, t in connection.execute(cited).all())
            if not any_conflict:
                continue
            pairs = sa.select(CONFLICT.c.id, CONFLICT.c.paper_id, CONFLICT.c.other_paper_id).where(
                sa.or_(CONFLICT.c.paper_id.in_(chunk), CONFLICT.c.other_paper_id.in_(chunk))
            )
            for conflict_id, one, other in connection.execute(pairs).all():
                self.conflicts[frozenset((one, other))] = conflict_id

    def remember(self, row: dict[str, Any]) -> None:
        paper_id = int(row["id"])
        self.rows[paper_id] = row
        self._changes[paper_id] = self._changes.get(paper_id, 0) + 1
        if row.get("arxiv_id"):
            self.by_arxiv[row["arxiv_id"]] = paper_id
        if row.get("doi"):
            self.by_doi[str(row["doi"]).casefold()] = paper_id
        if row.get("identity_key"):
            same_title = self.by_key.setdefault(row["identity_key"], [])
            if paper_id not in same_title:
                same_title.append(paper_id)
        self.by_cite[row["bibtex_key"]] = paper_id

    def resolve(self, record: IncomingPaper) -> Decision:
        """Which stored paper this record is, weighing every candidate's evidence."""
        comparisons = [self._compare(paper_id, record) for paper_id in self._candidates(record)]
        return decide(comparisons)


def _unidentifiable(record: IncomingPaper) -> bool:
    """No arXiv id, DOI or title+author+year: only the cite key can find it again."""
    return bool(record.cite_key) and not (record.arxiv_id or record.doi_key or record.identity_key)


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def base_cite_key(record: IncomingPaper) -> str:
    """The file's own key, or `family+year+word` for arXiv, before any suffix."""
    return (record.cite_key or _generated_key(record))[: _CITE_KEY_LENGTH - 4]


def _generated_key(record: IncomingPaper) -> str:
    family = normalize_words(record.authors[0].family) if record.authors else "anon"
    words = normalize_words(str(record.columns.get("title") or "")).split()
    word = next((w for w in words if len(w) >= 4), words[0] if words else "")
    year = record.columns.get("year") or ""
    return re.sub(r"[^a-z0-9]", "", f"{family}{year}{word}") or "paper"


def _free_cite_key(connection: sa.Connection, index: PaperIndex, record: IncomingPaper) -> str:
    base = base_cite_key(record)
    for n in range(1, _MAX_SUFFIX):
        candidate = base if n == 1 else f"{base}-{n}"
        if candidate not in index.checked_keys:
            # Past the suffixes read with the batch: probe the next page by exact value (an
            # indexed lookup on any backend, where a prefix search would scan the table).
            page = [f"{base}-{k}" for k in range(n, n + _SUFFIX_PAGE)]
            index.read_taken_keys(connection, page)
        if candidate not in index.taken_keys:
            index.taken_keys.add(candidate)
            return candidate
    raise _RejectedError(f"no free cite key starting with {base!r}")


@dataclass
class _Plan:
    """Every row a batch (or one entry) will write; negative ids stand for rows not yet
    inserted and are replaced by the real ids when the plan is written."""

    papers: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    authors: list[dict[str, Any]] = field(default_factory=list)
    authorships: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    link_updates: list[int] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    _next_id: int = -1

    def placeholder(self) -> int:
        self._next_id -= 1
        return self._next_id

    @property
    def empty(self) -> bool:
        return not (
            self.papers
            or self.updates
            or self.authorships
            or self.links
            or self.link_updates
            or self.conflicts
        )


def write_batch(
    connection: sa.Connection, records: Sequence[IncomingPaper], context: RunContext
) -> list[EntryResult]:
    """Plan the whole batch in memory and write it with a few multi-row statements.

    When the database refuses any of it, the batch savepoint is rolled back and the entries
    are written again one by one, each in its own savepoint, so only the bad ones fail.
    """
    index = PaperIndex()
    index.load(connection, records)
    plan = _Plan()
    results = [_plan_entry(connection, index, record, context, plan) for record in records]
    try:
        with connection.begin_nested():
            ids = _write_plan(connection, plan, context)
        return _resolved(results, ids)
    except sa.exc.DBAPIError:
        pass  # found below, entry by entry
    return [_write_entry(connection, record, context) for record in records]


def _resolved(results: list[EntryResult], ids: dict[int, int]) -> list[EntryResult]:
    """Results with the real ids of the rows their plan inserted."""
    for result in results:
        if result.paper_id is not None:
            result.paper_id = ids.get(result.paper_id, result.paper_id)
        if result.conflict_id is not None:
            result.conflict_id = ids.get(result.conflict_id, result.conflict_id)
    return results


def _write_entry(
    connection: sa.Connection, record: IncomingPaper, context: RunContext
) -> EntryResult:
    for attempt in (1, 2):
        # A fresh look each time: an earlier attempt, or another writer, may have stored it.
        index = PaperIndex()
        index.load(connection, [record])
        plan = _Plan()
        result = _plan_entry(connection, index, record, context, plan)
        if result.outcome is Outcome.FAILED or plan.empty:
            return result
        try:
            with connection.begin_nested():
                ids = _write_plan(connection, plan, context)
            return _resolved([result], ids)[0]
        except sa.exc.IntegrityError as error:
            if attempt == 2:
                return _failure(record, f"the database refused it: {error.orig}")
        except sa.exc.DBAPIError as error:
            return _failure(record, f"the database refused it: {error.orig}")
    raise AssertionError("unreachable")


def _failure(record: IncomingPaper, message: str) -> EntryResult:
    return EntryResult(
        record,
        Outcome.FAILED,
        Problem(message, location=record.location, value=record.cite_key),
        message=message,
    )


def _plan_entry(
    connection: sa.Connection,
    index: PaperIndex,
    record: IncomingPaper,
    context: RunContext,
    plan: _Plan,
) -> EntryResult:
    decision = index.resolve(record)
    if decision.ambiguous:
        return _plan_ambiguous(index, record, decision, context, plan)
    try:
        if decision.paper_id is None:
            row = _plan_new_paper(connection, index, record, context, plan, decision.conflicts)
            outcome, fields = Outcome.ADDED, list[str]()
        else:
            evidence = decision.evidence or Evidence.KEY
            row, outcome, fields = _plan_update(
                index, decision.paper_id, record, context, plan, evidence
            )
    except _RejectedError as rejection:
        return _failure(record, str(rejection))
    index.remember(row)
    paper_id = int(row["id"])
    result = EntryResult(
        record,
        outcome,
        paper_id=paper_id,
        paper_key=row["bibtex_key"],
        fields=fields,
        evidence=decision.evidence,
    )
    new_conflicts = [
        c for c in decision.conflicts if frozenset((paper_id, c.paper_id)) not in index.conflicts
    ]
    if new_conflicts:
        result.outcome = Outcome.CONFLICT
        ids = [_plan_conflict(index, record, paper_id, c, context, plan) for c in new_conflicts]
        result.conflict_id = ids[0]
        result.message = "; ".join(
            f"stored as its own paper: shares {c.described(record)} with "
            f"{index.rows[c.paper_id]['bibtex_key']}, which differs in {', '.join(c.strong)}"
            for c in new_conflicts
        )
    result.suggestions, result.links = _plan_links(index, row, context, plan)
    return result


def _plan_ambiguous(
    index: PaperIndex,
    record: IncomingPaper,
    decision: Decision,
    context: RunContext,
    plan: _Plan,
) -> EntryResult:
    """The record is two stored papers at once: write nothing, ask for them to be merged."""
    first, second = decision.ambiguous[0], decision.ambiguous[1]
    described = ", ".join(
        f"{index.rows[c.paper_id]['bibtex_key']} by {c.evidence}" for c in decision.ambiguous
    )
    message = f"matches more than one stored paper ({described}); merge them first"
    pair = frozenset((first.paper_id, second.paper_id))
    conflict_id = index.conflicts.get(pair)
    if conflict_id is None:
        a, b = index.rows[first.paper_id], index.rows[second.paper_id]
        fields = {
            name: [a.get(name), b.get(name)]
            for name in ("title", "year", "doi", "arxiv_id", "venue")
            if a.get(name) != b.get(name)
        }
        evidence = f"one entry ({record.location}): {described}"
        conflict_id = _insert_conflict(
            plan, context, record, first.paper_id, second.paper_id, evidence, fields
        )
        index.conflicts[pair] = conflict_id
    return EntryResult(
        record, Outcome.CONFLICT, message=message, conflict_id=conflict_id, evidence=None
    )


def _plan_conflict(
    index: PaperIndex,
    record: IncomingPaper,
    paper_id: int,
    comparison: Comparison,
    context: RunContext,
    plan: _Plan,
) -> int:
    conflict_id = _insert_conflict(
        plan,
        context,
        record,
        paper_id,
        comparison.paper_id,
        comparison.described(record),
        {name: [new, old] for name, (old, new) in comparison.fields.items()},
    )
    index.conflicts[frozenset((paper_id, comparison.paper_id))] = conflict_id
    return conflict_id


def _insert_conflict(
    plan: _Plan,
    context: RunContext,
    record: IncomingPaper,
    paper_id: int,
    other_id: int,
    evidence: str,
    fields: dict[str, list[Any]],
) -> int:
    conflict_id = plan.placeholder()
    plan.conflicts.append(
        {
            "id": conflict_id,
            "paper_id": paper_id,
            "other_paper_id": other_id,
            "evidence": evidence[:300],
            "fields": _json_safe(fields),
            "location": record.location[:300],
            "run_id": context.run_id,
            "status": ConflictStatus.OPEN.value,
            "note": None,
            "created_at": context.now,
            "decided_at": None,
        }
    )
    return conflict_id


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _plan_new_paper(
    connection: sa.Connection,
    index: PaperIndex,
    record: IncomingPaper,
    context: RunContext,
    plan: _Plan,
    conflicts: Sequence[Comparison] = (),
) -> dict[str, Any]:
    values = new_paper_columns(record)
    for name in contested_identifiers(record, conflicts):
        # Another paper holds it: this one keeps it only in its raw BibTeX fields.
        values.pop(name, None)
        values.pop("joined_by", None)
        values.pop("preprint_url", None)
    paper_id = plan.placeholder()
    row = {name: values.get(name) for name in _STORED_COLUMNS} | {
        "id": paper_id,
        "bibtex_key": _free_cite_key(connection, index, record),
    }
    plan.papers.append(
        {column: row.get(column) for column in _INSERT_COLUMNS}
        | {"id": paper_id, "source_id": context.source_id}
    )
    _plan_authors(index, paper_id, record.authors, plan)
    index.families[paper_id] = [author.family for author in record.authors]
    return row


def _plan_update(
    index: PaperIndex,
    paper_id: int,
    record: IncomingPaper,
    context: RunContext,
    plan: _Plan,
    evidence: str,
) -> tuple[dict[str, Any], Outcome, list[str]]:
    current = index.rows[paper_id]
    update = plan_update(current, record)
    for name, held_by in (("arxiv_id", index.by_arxiv), ("doi", index.by_doi)):
        value = update.get(name)
        holder = held_by.get(value.casefold() if name == "doi" else value) if value else None
        if holder is not None and holder != paper_id:
            # Another paper holds it (the conflict that kept them apart): not this one's.
            del update[name]
    update |= joining(current, update, evidence)
    changes = describe_changes(current, update)
    if paper_id not in index.first_family and record.authors:
        _plan_authors(index, paper_id, record.authors, plan)
        changes["authors"] = [None, [author.display for author in record.authors]]
    if not changes:
        return current, Outcome.UNCHANGED, []
    row = current | update
    key = identity_key(row.get("title"))
    if key is not None and key != current.get("identity_key"):
        update["identity_key"] = row["identity_key"] = key
    if update:
        plan.updates.append((paper_id, update))
    merged = any(name in update for name in IDENTIFIERS)
    action = ChangeAction.MERGED if merged else ChangeAction.UPDATED
    plan.changes.append(
        {"run_id": context.run_id, "paper_id": paper_id, "action": action.value, "changes": changes}
    )
    return row, Outcome.MERGED if merged else Outcome.UPDATED, list(changes)


def _plan_authors(
    index: PaperIndex, paper_id: int, authors: Sequence[IncomingAuthor], plan: _Plan
) -> None:
    for position, author in enumerate(authors):
        author_id = index.authors.get(author.key)
        if author_id is None:
            author_id = index.authors[author.key] = plan.placeholder()
            plan.authors.append(
                {
                    "id": author_id,
                    "name": author.display,
                    "family": author.family,
                    "given": author.given,
                    "name_key": author.key,
                }
            )
        plan.authorships.append(
            {
                "paper_id": paper_id,
                "position": position,
                "author_id": author_id,
                "raw_name": author.raw,
                "affiliations": list(author.affiliations) or None,
            }
        )
    if authors:
        index.first_family[paper_id] = authors[0].family


def _plan_links(
    index: PaperIndex, row: dict[str, Any], context: RunContext, plan: _Plan
) -> tuple[int, int]:
    """New suggestions for this paper, and the explicit links asked for; returns both counts."""
    paper_id = int(row["id"])
    explicit = set(context.explicit_techniques)
    suggestions = 0
    for match in context.matcher.match(row.get("title"), row.get("abstract")):
        pair = (paper_id, match.technique_id)
        if pair in index.links or pair in index.cited or match.technique_id in explicit:
            continue
        suggestions += 1
        plan.links.append(
            _link_row(context, pair, LinkOrigin.SUGGESTED, LinkStatus.SUGGESTED, match.score)
            | {"matched": list(match.matched)}
        )
        index.links[pair] = (0, LinkStatus.SUGGESTED.value, LinkOrigin.SUGGESTED.value)
    links = 0
    for technique_id in context.explicit_techniques:
        pair = (paper_id, technique_id)
        existing = index.links.get(pair)
        if pair in index.cited or (existing and existing[1:] == ("accepted", "explicit")):
            continue
        links += 1
        if existing is None:
            plan.links.append(
                _link_row(context, pair, LinkOrigin.EXPLICIT, LinkStatus.ACCEPTED, 1.0)
                | {"decided_at": context.now}
            )
        else:
            plan.link_updates.append(existing[0])
        index.links[pair] = (existing[0] if existing else 0, "accepted", "explicit")
    return suggestions, links


def _link_row(
    context: RunContext,
    pair: tuple[int, int],
    origin: LinkOrigin,
    status: LinkStatus,
    score: float,
) -> dict[str, Any]:
    return {
        "paper_id": pair[0],
        "technique_id": pair[1],
        "origin": origin.value,
        "status": status.value,
        "score": score,
        "matched": [],
        "note": None,
        "source_id": context.source_id,
        "created_at": context.now,
        "decided_at": None,
    }


def _write_plan(connection: sa.Connection, plan: _Plan, context: RunContext) -> dict[int, int]:
    """Write the plan; returns placeholder → real id of every row it inserted."""
    if plan.empty:  # audit rows at most: nothing a read can see, nothing to bump
        return _write_rows(connection, plan, context)
    with single_version_bump(connection, (AUTHOR, PAPER, PAPER_AUTHOR, LINK, CONFLICT)):
        return _write_rows(connection, plan, context)


def _write_rows(connection: sa.Connection, plan: _Plan, context: RunContext) -> dict[int, int]:
    ids = insert_with_ids(connection, AUTHOR, plan.authors)
    ids |= insert_with_ids(connection, PAPER, plan.papers)
    for paper_id, values in plan.updates:
        # A paper inserted earlier in this batch may be updated by a later entry.
        real_id = ids.get(paper_id, paper_id)
        connection.execute(sa.update(PAPER).where(PAPER.c.id == real_id).values(values))
    _insert_many(connection, PAPER_AUTHOR, plan.authorships, ids, ("paper_id", "author_id"))
    _insert_many(connection, PAPER_CHANGE, plan.changes, ids, ("paper_id",))
    _insert_many(connection, LINK, plan.links, ids, ("paper_id",))
    conflicts = [
        row | {name: ids.get(row[name], row[name]) for name in ("paper_id", "other_paper_id")}
        for row in plan.conflicts
    ]
    ids |= insert_with_ids(connection, CONFLICT, conflicts)
    if plan.link_updates:
        connection.execute(
            sa.update(LINK)
            .where(LINK.c.id.in_(plan.link_updates))
            .values(
                origin=LinkOrigin.EXPLICIT.value,
                status=LinkStatus.ACCEPTED.value,
                score=1.0,
                decided_at=context.now,
            )
        )
    return ids


def _insert_many(
    connection: sa.Connection,
    table: sa.Table,
    rows: list[dict[str, Any]],
    ids: dict[int, int],
    references: tuple[str, ...],
) -> None:
    if not rows:
        return
    resolved = [row | {name: ids.get(row[name], row[name]) for name in references} for row in rows]
    insert_rows(connection, table, resolved)
