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
    TableRow,
    Unparsed,
    normalize,
)
from api.services.survey_sync.values import NO_PRICE, PRICE_ROW_TABLES, price_row_held
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
NEW_PRICE_ROW = (
    "joins the graph's entry of that name (or alias), else one is created with what its name"
    " says; a curator completes it"
)


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
    review: str | None = None
    """`accepted` or `rejected` when a stored decision covers this change as it stands."""
    reviewed_by: str | None = None
    reviewed_at: str | None = None


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    unparsed: list[Unparsed] = field(default_factory=list)
    new_sections: list[Section] = field(default_factory=list)
    parsed: ParsedReadme | None = None
    """The README the plan was computed from: the writers read new rows and bullets in it."""
    context: "PlanContext | None" = None

    @property
    def complete(self) -> bool:
        """Every line was understood: the plan may be applied without `--skip-unparsed`."""
        return not self.unparsed

    @property
    def applicable(self) -> list[Change]:
        return [c for c in self.changes if not c.held]

    @property
    def held(self) -> list[Change]:
        """Held changes no stored decision covers: they wait for a reviewer."""
        return [c for c in self.changes if c.held and c.review is None]

    @property
    def reviewed(self) -> list[Change]:
        return [c for c in self.changes if c.review is not None]

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
                "rejected": sum(c.review == "rejected" for c in self.changes),
                "accepted": sum(c.review == "accepted" for c in self.changes),
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


_ANY_PRICE_PAIR = re.compile(r"^\d+(?:\.\d+)?(\*?) / \d+(?:\.\d+)?\1$")
"""A model price pair, plain or starred on both sides."""
NO_DESCRIPTION = (
    "created without a description: a curator writes it in InferGraph's own words"
    " (the README's text is not copied)"
)


PriceTerms = tuple[str | None, str | None]
"""A model price's qualifiers: (model variant, pricing mode), e.g. (`Instruct`, None)."""


@dataclass
class PlanContext:
    """What deciding a change's applicability needs to know about the graph and the README."""

    catch_all: set[tuple[str, str]]
    engines: dict[str, m.Engine]
    """Engines by case-folded name or alias."""
    new_engines: set[str]
    """Case-folded names of engines this README adds (overview rows, bullets)."""
    platforms: set[str]
    techniques: set[str]
    """Case-folded names of every technique in the graph."""
    models: set[str]
    """Case-folded names of every LLM in the graph."""
    substitute: str | None
    """The model starred prices are for: the price table's one `\\*` note (None: none, or
    several)."""
    price_terms: dict[str, PriceTerms | None] = field(default_factory=dict)
    """Per provider column of the model price table (`price_column_key`), the model variant
    and pricing mode all its survey prices share; None where they differ."""

    def engine_known(self, name: str) -> bool:
        key = name.casefold()
        return key in self.engines or key in self.new_engines


def _names(cell: str) -> list[str]:
    """A list cell (`vLLM, SGLang`, `ARM, RISC-V`) as its names; `❌` or `-` is none."""
    if cell in {"❌", "-", ""}:
        return []
    return [name.strip() for name in cell.split(",") if name.strip()]


def _only_adds(old: str, new: str) -> list[str] | None:
    """The names `new` adds to `old`, or None when it also drops one (that needs judgement)."""
    before, after = _names(old), _names(new)
    if not set(before) <= set(after):
        return None
    return [name for name in after if name not in before]


def _links_prefix(old: str, new: str) -> bool:
    return new.startswith(old) and (old == "" or new[len(old) :].startswith(", "))


def price_column_key(header: str) -> str:
    """A provider column of a price table, spaces collapsed and footnote marks dropped."""
    return " ".join(header.split()).rstrip("†‡*").casefold()


def _price_terms(session: Session) -> dict[str, PriceTerms | None]:
    """What each model-price column's footnote (`†`, `‡`) says of its prices, as the graph
    stores it: the variant and mode its survey prices share, or None when they differ
    (Friendli's `†` holds for its Llama rows only), so a new price cannot inherit one."""
    source = session.exec(select(m.Source.id).where(m.Source.slug == "survey-model-pricing"))
    source_id = source.first()
    if source_id is None:
        return {}
    columns = session.exec(
        select(m.LayoutEntry.label, m.LayoutEntry.engine_id).where(
            m.LayoutEntry.source_id == source_id, m.LayoutEntry.axis == LayoutAxis.COLUMN
        )
    ).all()
    seen: dict[int, set[PriceTerms]] = defaultdict(set)
    prices = select(m.ModelPrice.provider_id, m.ModelPrice.model_variant, m.ModelPrice.pricing_mode)
    for provider_id, variant, mode in session.exec(
        prices.where(m.ModelPrice.source_id == source_id)
    ):
        seen[provider_id].add((variant, mode))
    terms: dict[str, PriceTerms | None] = {}
    for label, engine_id in columns:
        if engine_id is None:
            continue
        shared = seen.get(engine_id, {(None, None)})
        terms[price_column_key(label)] = next(iter(shared)) if len(shared) == 1 else None
    return terms


def price_terms_of(context: PlanContext, column: str) -> PriceTerms:
    """A new price's (model variant, pricing mode) in `column`, as its provider's other
    survey prices all have them (none when they differ: such a price is held)."""
    return context.price_terms.get(price_column_key(column)) or (None, None)


def mixed_price_terms(context: PlanContext, column: str) -> str | None:
    """Why a new price in `column` needs a curator: its provider's survey prices differ in
    variant or mode, so which one the new price has is not written anywhere."""
    if price_column_key(column) in context.price_terms and (
        context.price_terms[price_column_key(column)] is None
    ):
        provider = " ".join(column.split()).rstrip("†‡*")
        return (
            f"{provider}'s prices differ in model variant or pricing mode (its footnote "
            "qualifies only some): a curator sets this price's"
        )
    return None


def _writable(
    table: str, column: str | None, context: PlanContext, old: str, new: str
) -> tuple[bool, str]:
    """Whether the sync writes this changed cell, and why not when it does not."""
    if table in MATRICES:
        if (table, column or "") not in context.catch_all:
            return True, ""
        added = _only_adds(old, new)
        if table != "hardware-matrix" or added is None:
            return False, "a catch-all column lost a name: " + HELD_NEEDS_JUDGEMENT
        unknown = [name for name in added if name.casefold() not in context.platforms]
        if unknown:
            return False, f"no platform named {', '.join(unknown)} in the graph yet"
        return True, ""
    if table == "device-pricing":
        # "-" is "not offered", which the graph says by having no row: retiring the price
        # is a removal, which a reviewer accepts (retire.py).
        if new == "-":
            return False, "a withdrawn price: " + HELD_NEEDS_JUDGEMENT
        return True, ""
    if table == "model-pricing":
        return _writable_model_price(context, column or "", old, new)
    if table == "deployment-quadrant":
        added = _only_adds(old, new)
        if added is None:
            return False, "an engine left this cell: " + HELD_NEEDS_JUDGEMENT
        unknown = [name for name in added if not context.engine_known(name)]
        if unknown:
            return False, f"no engine named {', '.join(unknown)} in the graph or the README"
        placed = [
            name
            for name in added
            if (engine := context.engines.get(name.casefold())) is not None
            and engine.deployment_scale is not None
        ]
        if placed:
            return False, f"{', '.join(placed)} moves from another cell: " + HELD_NEEDS_JUDGEMENT
        return True, ""
    if table.startswith("techniques-") and column == "References":
        if _links_prefix(old, new):
            return True, ""
        return False, "a reference replaced or removed: " + HELD_NEEDS_JUDGEMENT
    if table == "overview" and (column in OVERVIEW_COLUMNS or column == "Organization"):
        return True, ""
    return False, "the sync does not write this table's cells"


def _writable_model_price(
    context: PlanContext, column: str, old: str, new: str
) -> tuple[bool, str]:
    if new == NO_PRICE:
        return False, "a withdrawn price: " + HELD_NEEDS_JUDGEMENT
    if not (old == NO_PRICE or _ANY_PRICE_PAIR.match(old)) or not _ANY_PRICE_PAIR.match(new):
        return False, "the sync does not write this cell"
    mixed = mixed_price_terms(context, column) if old == NO_PRICE else None
    if mixed is not None:
        return False, mixed
    if "*" not in new:
        return True, ""
    # A `*` price is for the model the table's `\*` note names (a distill served instead).
    if context.substitute is None:
        return False, "a price for a substituted model (`*`) and no single `\\*` note naming it"
    if context.substitute.casefold() not in context.models:
        return False, f"the `\\*` note names {context.substitute!r}, a model the graph lacks"
    return True, f"priced for {context.substitute} (the table's `\\*` note)"


def _plan_context(session: Session, parsed: ParsedReadme) -> PlanContext:
    engines = engine_names(session)
    new_engines: set[str] = set()
    overview = parsed.tables.get("overview")
    for row in overview.rows if overview else []:
        if row.cells[0].casefold() not in engines:
            new_engines.add(row.cells[0].casefold())
    new_engines |= {b.name.casefold() for b in parsed.bullets if b.name.casefold() not in engines}
    return PlanContext(
        catch_all=_catch_all_columns(session),
        engines=engines,
        new_engines=new_engines,
        platforms={p.name.casefold() for p in session.exec(select(m.Platform))},
        techniques={t.name.casefold() for t in session.exec(select(m.Technique))},
        models={name.casefold() for name in session.exec(select(m.LLMModel.name))},
        substitute=parsed.substitutes[0][1] if len(parsed.substitutes) == 1 else None,
        price_terms=_price_terms(session),
    )


def _new_row(name: str, headers: list[str], row: TableRow, context: PlanContext) -> Change:
    key = row.cells[0]
    kind, held, reason = _row_added(name, headers, row, context)
    return Change(
        f"{kind}:{name}:{key}",
        kind,
        name,
        key,
        None,
        None,
        " | ".join(row.cells[1:]),
        row.line,
        held,
        reason,
    )


def _row_added(
    name: str, headers: list[str], row: TableRow, context: PlanContext
) -> tuple[str, bool, str]:
    """The kind of a new row, whether it is held, and why (or what the curator must do)."""
    key = row.cells[0]
    if name.startswith("techniques-"):
        if key.casefold() in context.techniques:
            clash = "a technique of this name is in another table: " + HELD_NEEDS_JUDGEMENT
            return "technique-added", True, clash
        return "technique-added", False, NO_DESCRIPTION
    if name == "overview":
        return "row-added", False, ""
    if name in MATRICES:
        if context.engine_known(key):
            return "row-added", False, ""
        return "row-added", True, "no engine of this name in the graph or the README's overview"
    if name in PRICE_ROW_TABLES:
        why = price_row_held(row.cells)
        if why is None and name == "model-pricing":
            priced = [h for h, c in zip(headers[1:], row.cells[1:], strict=False) if c != NO_PRICE]
            why = next(filter(None, (mixed_price_terms(context, h) for h in priced)), None)
        if why is not None:
            return "row-added", True, why
        entity = "device" if name == "device-pricing" else "model"
        return "row-added", False, f"a new {entity} row: {NEW_PRICE_ROW}"
    return "row-added", True, "a new row of a table whose rows are fixed: a curator decides"


def compute_plan(session: Session, parsed: ParsedReadme) -> Plan:
    plan = Plan(
        unparsed=list(parsed.unparsed), new_sections=list(parsed.new_sections), parsed=parsed
    )
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
    context = _plan_context(session, parsed)
    plan.context = context
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
            _new_table(plan, table, context)
            continue
        _compare_table(plan, table, survey_tables.render_table(session, name), context)
    _compare_engine_lists(session, plan, parsed.bullets)
    return plan


TECHNIQUE_HEADERS = ["Technique", "Description", "References"]


def _new_table(plan: Plan, table: ReadmeTable, context: PlanContext) -> None:
    """A technique table the graph does not have: a new category, and each row a new
    technique. Written when it has the technique tables' columns; its place in the tree is
    its heading's (under the section above it), its description is for a curator."""
    writable = table.name.startswith("techniques-") and table.headers == TECHNIQUE_HEADERS
    reason = (
        "a new technique category, placed under the section above it; created without a"
        " description: a curator writes it"
        if writable
        else "a new table whose columns the technique tables do not have: a curator decides"
    )
    plan.changes.append(
        Change(
            f"table-added:{table.name}",
            "table-added",
            table.name,
            None,
            None,
            None,
            table.heading,
            table.line,
            not writable,
            reason,
        )
    )
    if not writable:
        return
    plan.changes.extend(_new_row(table.name, table.headers, row, context) for row in table.rows)


def _compare_table(
    plan: Plan,
    readme: ReadmeTable,
    graph: survey_tables.Table,
    context: PlanContext,
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
            plan.changes.append(_new_row(name, readme.headers, row, context))
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
            writable, why = _writable(name, column, context, old_cell, new_cell)
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
                    why,
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
                    False,
                    "",
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
                        False,
                        "",
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
