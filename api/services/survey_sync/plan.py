"""Compare a parsed README with the survey facts the graph holds now: a reviewable plan.

The graph side is the survey tables regenerated from the database (the same code the
fidelity test proves cell for cell), so the comparison is cell against cell, keyed by the
table, the row's first cell and the column header. Engine lists and their papers are
compared with the engines' links and engine papers.
"""

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlmodel import Session, select

import models as m
from api.services import survey_tables
from api.services.survey_sync.readme import (
    LINK,
    EngineBullet,
    ParsedReadme,
    ReadmeTable,
    Section,
    Unparsed,
    normalize,
)
from models.base import LayoutAxis

# Matrices whose cells the sync writes: table → (fact model, layout column of the target).
MATRICES: dict[str, tuple[type[m.FeatureSupport | m.PlatformSupport | m.PrecisionSupport], str]]
MATRICES = {
    "hardware-matrix": (m.PlatformSupport, "platform_id"),
    "optimization-matrix": (m.FeatureSupport, "feature_id"),
    "precision-matrix": (m.PrecisionSupport, "precision_id"),
}
# The overview columns the sync writes, each onto one engine field.
OVERVIEW_COLUMNS = (
    "Release Date",
    "GitHub Stars",
    "Docs",
    "SNS",
    "Forum",
    "Meetup",
    "Open Source",
)

HELD_NEEDS_JUDGEMENT = "needs judgement: accept or reject it by hand"


@dataclass(frozen=True)
class Change:
    id: str
    kind: str
    table: str
    row: str | None
    column: str | None
    old: str | None
    new: str | None
    line: int | None
    held: bool
    reason: str = ""


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    unparsed: list[Unparsed] = field(default_factory=list)
    new_sections: list[Section] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every line was understood: the plan may be applied without `--skip-unparsed`."""
        return not self.unparsed

    @property
    def applicable(self) -> list[Change]:
        return [c for c in self.changes if not c.held]

    @property
    def held(self) -> list[Change]:
        return [c for c in self.changes if c.held]

    @property
    def empty(self) -> bool:
        return not self.changes and not self.unparsed and not self.new_sections

    def to_json(self) -> dict[str, Any]:
        return {
            "complete": self.complete,
            "empty": self.empty,
            "counts": {
                "changes": len(self.changes),
                "applicable": len(self.applicable),
                "held": len(self.held),
                "unparsed": len(self.unparsed),
                "new_sections": len(self.new_sections),
            },
            "changes": [asdict(change) for change in self.changes],
            "unparsed": [asdict(item) for item in self.unparsed],
            "new_sections": [
                {"heading": s.heading, "line": s.line, "level": s.level} for s in self.new_sections
            ],
        }


def _catch_all_columns(session: Session) -> set[tuple[str, str]]:
    """Matrix columns that name no single target ("ETC"): their cells list targets."""
    found = set()
    for table, (_, target_column) in MATRICES.items():
        source = session.exec(select(m.Source).where(m.Source.slug == f"survey-{table}")).first()
        if source is None:
            continue
        for entry in session.exec(
            select(m.LayoutEntry).where(
                m.LayoutEntry.source_id == source.id, m.LayoutEntry.axis == LayoutAxis.COLUMN
            )
        ):
            if getattr(entry, target_column) is None:
                found.add((table, normalize(entry.label)))
    return found


_PLAIN_PRICE_PAIR = re.compile(r"^\d+(?:\.\d+)? / \d+(?:\.\d+)?$")


def _writable(
    table: str, column: str | None, catch_all: set[tuple[str, str]], old: str, new: str
) -> bool:
    if table in MATRICES:
        return (table, column or "") not in catch_all
    if table == "device-pricing":
        # "-" is "not offered", which the graph says by having no row: that would be a
        # deletion, and a sync deletes nothing.
        return new != "-"
    if table == "model-pricing":
        # A new price, a withdrawn one or one for a substituted model (`*`) changes what the
        # footnotes say; only a plain price that changes in place is written.
        return bool(_PLAIN_PRICE_PAIR.match(old) and _PLAIN_PRICE_PAIR.match(new))
    return table == "overview" and column in OVERVIEW_COLUMNS


def compute_plan(session: Session, parsed: ParsedReadme) -> Plan:
    plan = Plan(unparsed=list(parsed.unparsed), new_sections=list(parsed.new_sections))
    for section in parsed.new_sections:
        plan.changes.append(
            Change(
                f"section:{section.line}:{section.heading}",
                "section-added",
                "",
                section.heading,
                None,
                None,
                section.heading,
                section.line,
                True,
                "a new section, perhaps a new kind of entry: the graph has no place for it yet",
            )
        )
    known = survey_tables.table_names(session)
    catch_all = _catch_all_columns(session)
    for name in known:
        if name not in parsed.tables:
            plan.changes.append(
                Change(
                    f"table-removed:{name}",
                    "table-removed",
                    name,
                    None,
                    None,
                    name,
                    None,
                    None,
                    True,
                    HELD_NEEDS_JUDGEMENT,
                )
            )
    for name, table in parsed.tables.items():
        if name not in known:
            plan.changes.append(
                Change(
                    f"table-added:{name}",
                    "table-added",
                    name,
                    None,
                    None,
                    None,
                    table.heading,
                    table.line,
                    True,
                    "a new technique category: a curator places it in the category tree",
                )
            )
            continue
        _compare_table(plan, table, survey_tables.render_table(session, name), catch_all)
    _compare_engine_lists(session, plan, parsed.bullets)
    return plan


def _compare_table(
    plan: Plan,
    readme: ReadmeTable,
    graph: survey_tables.Table,
    catch_all: set[tuple[str, str]],
) -> None:
    name = readme.name
    graph_headers = [normalize(h) for h in graph.headers]
    # Columns are matched by position: a header that differs in place is a rename, which
    # needs judgement (a new technique, or the same one spelt anew?).
    for position in range(max(len(graph_headers), len(readme.headers))):
        old = graph_headers[position] if position < len(graph_headers) else None
        new = readme.headers[position] if position < len(readme.headers) else None
        if old == new:
            continue
        kind = "column-renamed" if old and new else "column-added" if new else "column-removed"
        plan.changes.append(
            Change(
                f"{kind}:{name}:{position}",
                kind,
                name,
                None,
                new or old,
                old,
                new,
                readme.line,
                True,
                HELD_NEEDS_JUDGEMENT,
            )
        )
    graph_rows = {normalize(row[0]): [normalize(c) for c in row] for row in graph.rows}
    seen: set[str] = set()
    for row in readme.rows:
        key = row.cells[0]
        if key in seen:
            plan.unparsed.append(Unparsed(row.line, key, f"the row {key!r} is given twice"))
            continue
        seen.add(key)
        current = graph_rows.get(key)
        if current is None:
            kind = "technique-added" if name.startswith("techniques-") else "row-added"
            plan.changes.append(
                Change(
                    f"{kind}:{name}:{key}",
                    kind,
                    name,
                    key,
                    None,
                    None,
                    " | ".join(row.cells[1:]),
                    row.line,
                    True,
                    "a new row: the sync does not create engines or techniques yet",
                )
            )
            continue
        for position, new_cell in enumerate(row.cells[1:], start=1):
            if position >= len(current) or position >= len(graph_headers):
                continue
            column = graph_headers[position]
            if readme.headers[position] != column:
                continue  # already reported as a renamed column
            old_cell = current[position]
            if name.startswith("techniques-"):
                if column == "Description":
                    # The graph describes techniques in its own words, on purpose.
                    continue
                if column == "References":
                    old_cell, new_cell = _links_cell(old_cell), _links_cell(new_cell)
            if old_cell == new_cell:
                continue
            writable = _writable(name, column, catch_all, old_cell, new_cell)
            plan.changes.append(
                Change(
                    f"cell:{name}:{key}:{column}",
                    "cell-changed",
                    name,
                    key,
                    column,
                    old_cell,
                    new_cell,
                    row.line,
                    not writable,
                    "" if writable else "the sync does not write this table's cells yet",
                )
            )
    for key in graph_rows:
        if key not in seen and key not in readme.unreadable:
            kind = "technique-removed" if name.startswith("techniques-") else "row-removed"
            plan.changes.append(
                Change(
                    f"{kind}:{name}:{key}",
                    kind,
                    name,
                    key,
                    None,
                    " | ".join(graph_rows[key][1:]),
                    None,
                    None,
                    True,
                    HELD_NEEDS_JUDGEMENT,
                )
            )


def _links_cell(cell: str) -> str:
    """A references cell as its links only, so spacing around commas is no change."""
    return ", ".join(f"[{label}]({url})" for label, url in LINK.findall(normalize(cell)))


def engine_names(session: Session) -> dict[str, m.Engine]:
    engines = {e.id: e for e in session.exec(select(m.Engine))}
    names = {e.name.casefold(): e for e in engines.values()}
    for alias in session.exec(select(m.EngineAlias)):
        engine = engines.get(alias.engine_id)
        if engine is not None:
            names.setdefault(alias.alias.casefold(), engine)
    return names


def _compare_engine_lists(session: Session, plan: Plan, bullets: list[EngineBullet]) -> None:
    source = session.exec(select(m.Source).where(m.Source.slug == "survey-engine-lists")).first()
    names = engine_names(session)
    papers_of: dict[int, list[str]] = defaultdict(list)
    engine_of_paper: dict[str, int] = {}
    if source is not None:
        for paper in session.exec(
            select(m.EnginePaper)
            .where(m.EnginePaper.source_id == source.id)
            .order_by(m.EnginePaper.engine_id, m.EnginePaper.position)  # type: ignore[arg-type]
        ):
            papers_of[paper.engine_id].append(paper.url)
            engine_of_paper[paper.url] = paper.engine_id
    by_id = {e.id: e for e in names.values()}
    stated: dict[int, list[tuple[str, int]]] = {}
    seen_bullets: dict[str, int] = {}
    new_engines: list[EngineBullet] = []
    for bullet in bullets:
        if bullet.name.casefold() in seen_bullets:
            # The same bullet in several sections states the same facts once.
            continue
        seen_bullets[bullet.name.casefold()] = bullet.line
        engine = names.get(bullet.name.casefold())
        if engine is None or engine.id is None:
            plan.changes.append(
                Change(
                    f"engine-added:{bullet.name}",
                    "engine-added",
                    "engine-lists",
                    bullet.name,
                    None,
                    None,
                    ", ".join(link.url for link in bullet.links),
                    bullet.line,
                    True,
                    "a new engine: the sync does not create engines yet",
                )
            )
            new_engines.append(bullet)
            continue
        stated[engine.id] = [(link.url, bullet.line) for link in bullet.urls_labelled("paper")]
    for engine_id, urls in stated.items():
        engine = by_id[engine_id]
        for url, line in urls:
            owner = engine_of_paper.get(url)
            if owner == engine_id:
                continue
            if owner is not None:
                previous = by_id.get(owner)
                plan.changes.append(
                    Change(
                        f"paper-moved:{url}",
                        "paper-moved",
                        "engine-lists",
                        engine.name,
                        "papers",
                        previous.name if previous else str(owner),
                        engine.name,
                        line,
                        True,
                        f"{url} moves from {previous.name if previous else owner} to "
                        f"{engine.name}: " + HELD_NEEDS_JUDGEMENT,
                    )
                )
            else:
                plan.changes.append(
                    Change(
                        f"paper-added:{engine.name}:{url}",
                        "paper-added",
                        "engine-lists",
                        engine.name,
                        "papers",
                        None,
                        url,
                        line,
                        True,
                        "a new engine paper: its bibliographic data comes from an ingest",
                    )
                )
    for bullet in new_engines:
        # A new engine that lists papers another engine holds takes them over: the
        # contributor may have meant it, or copied the wrong bullet.
        for link in bullet.urls_labelled("paper"):
            owner = engine_of_paper.get(link.url)
            if owner is None:
                continue
            previous = by_id.get(owner)
            previous_name = previous.name if previous else str(owner)
            plan.changes.append(
                Change(
                    f"paper-moved:{link.url}",
                    "paper-moved",
                    "engine-lists",
                    bullet.name,
                    "papers",
                    previous_name,
                    bullet.name,
                    bullet.line,
                    True,
                    f"{link.url} moves from {previous_name} to the new engine {bullet.name}: "
                    + HELD_NEEDS_JUDGEMENT,
                )
            )
    moved = {c.id.removeprefix("paper-moved:") for c in plan.changes if c.kind == "paper-moved"}
    for engine_id, urls_now in papers_of.items():
        engine = by_id.get(engine_id)
        if engine is None:
            continue
        listed = {url for url, _ in stated.get(engine_id, [])}
        for url in urls_now:
            if url not in listed and url not in moved and engine_id in stated:
                plan.changes.append(
                    Change(
                        f"paper-removed:{engine.name}:{url}",
                        "paper-removed",
                        "engine-lists",
                        engine.name,
                        "papers",
                        url,
                        None,
                        None,
                        True,
                        HELD_NEEDS_JUDGEMENT,
                    )
                )
    listed_ids = set(stated)
    for engine_id in papers_of:
        engine = by_id.get(engine_id)
        if engine is not None and engine_id not in listed_ids:
            plan.changes.append(
                Change(
                    f"engine-removed:{engine.name}",
                    "engine-removed",
                    "engine-lists",
                    engine.name,
                    None,
                    engine.name,
                    None,
                    None,
                    True,
                    HELD_NEEDS_JUDGEMENT,
                )
            )
