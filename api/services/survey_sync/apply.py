"""Write the applicable part of a sync plan in one transaction; held changes stay unwritten.

A written cell keeps its fact row and changes its status: the survey's `-` becomes
`unknown`, never a deletion, so a sync removes nothing from the graph.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

import models as m
from api.errors import ConflictError, InvalidInputError, Problem
from api.services.survey_sync.plan import MATRICES, Change, Plan, compute_plan, engine_names
from api.services.survey_sync.readme import Unparsed, parse_readme
from models.base import DocsLevel, LayoutAxis, OpenSource, SupportStatus

_STATUS = {
    "✅": SupportStatus.SUPPORTED,
    "❌": SupportStatus.NOT_SUPPORTED,
    "-": SupportStatus.UNKNOWN,
}
_CELL = re.compile(r"^(✅|❌|-)(?:\s*\((.+)\))?$")
_STARS = re.compile(r"^(\d+(?:\.\d+)?)K$")
_DOCS = {"✅": DocsLevel.DETAILED, "🟠": DocsLevel.MODERATE, "🟡": DocsLevel.SIMPLE}
_OPEN = {"✅": OpenSource.YES, "🔷": OpenSource.PARTIAL, "❌": OpenSource.NO}
_FLAG = {"✅": True, "❌": False}
_PRICE = re.compile(r"^\d{1,6}(?:\.\d{1,4})?$")
_RELEASE = re.compile(r"^([A-Z][a-z]{2})\.? (\d{4})$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_OVERVIEW_FIELDS = {"SNS": "has_sns", "Forum": "has_forum", "Meetup": "has_meetup"}


@dataclass
class SyncResult:
    plan: Plan
    applied: list[Change]
    dry_run: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "applied": [change.id for change in self.applied],
            **self.plan.to_json(),
        }

    def lines(self) -> Iterator[str]:
        """The plan as a terminal table: one change a line, held ones marked."""
        plan = self.plan
        if plan.empty:
            yield "no changes: the graph already holds every survey fact of this README"
            return
        rows = [
            (
                "held" if change.held else ("applied" if not self.dry_run else "apply"),
                change.kind,
                change.table or "-",
                change.row or "-",
                change.column or "-",
                f"{_short(change.old)} → {_short(change.new)}",
                str(change.line or "-"),
            )
            for change in plan.changes
        ]
        header = ("status", "kind", "table", "row", "column", "old → new", "line")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
        for row in [header, *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            yield "  ".join([*cells, row[-1]]).rstrip()
        for change in plan.held:
            if change.reason:
                yield f"held {change.id}: {change.reason}"
        for item in plan.unparsed:
            yield f"not understood, line {item.line}: {item.reason}: {_short(item.text, 80)}"
        verb = "would apply" if self.dry_run else "applied"
        count = len(plan.applicable) if self.dry_run else len(self.applied)
        yield (
            f"{len(plan.changes)} change(s): {verb} {count}, held {len(plan.held)};"
            f" {len(plan.unparsed)} line(s) not understood"
        )


def _short(text: str | None, width: int = 40) -> str:
    if text is None:
        return "∅"
    return text if len(text) <= width else text[: width - 1] + "…"


def support_value(cell: str) -> tuple[SupportStatus, str | None]:
    """`✅`, `❌`, `-` or any of them with a note in brackets: `✅ (NVIDIA Jetson)`."""
    match = _CELL.match(cell)
    if match is None:
        raise ValueError(f"{cell!r} is not ✅, ❌ or - (with an optional note in brackets)")
    note = match.group(2)
    if note is not None and len(note) > 300:
        raise ValueError(f"a note of {len(note)} characters; at most 300 are kept")
    return _STATUS[match.group(1)], note


def price_value(cell: str) -> Decimal:
    """A price as the survey prints it (`2.9`, `0.60`): at most 6 digits before the point, 4
    after (the columns' size)."""
    if not _PRICE.match(cell):
        raise ValueError(f"{cell!r} is not a price such as 2.9 or 0.60")
    return Decimal(cell)


def _price_pair(cell: str) -> tuple[Decimal, Decimal]:
    parts = cell.split(" / ")
    if len(parts) != 2:
        raise ValueError(f"{cell!r} is not an input / output price pair such as 0.60 / 0.80")
    return price_value(parts[0]), price_value(parts[1])


def overview_value(column: str, cell: str) -> object:
    """The engine field value an overview cell states; ValueError when it states none."""
    if column == "GitHub Stars":
        if cell in {"--", "-"}:
            return None
        stars = _STARS.match(cell)
        if stars is None:
            raise ValueError(f"{cell!r} is not a star count such as 12.0K or --")
        count = round(float(stars.group(1)) * 1000)
        # The column is a 32-bit integer; a typo of a few digits must not overflow it.
        if count > 1_000_000_000:
            raise ValueError(f"{cell!r} is more stars than any repository has")
        return count
    if column == "Release Date":
        if cell == "-":
            return None
        release = _RELEASE.match(cell)
        if release is None or release.group(1) not in _MONTHS:
            raise ValueError(f"{cell!r} is not a release month such as Jun. 2023 or -")
        year = int(release.group(2))
        if not 1990 <= year <= 2100:
            raise ValueError(f"{cell!r}: the year must be between 1990 and 2100")
        return (year, _MONTHS.index(release.group(1)) + 1)
    if column == "Docs":
        if cell == "-":
            return None
        if cell == "❌":
            return DocsLevel.MISSING
        if cell not in _DOCS:
            raise ValueError(f"{cell!r} is not ✅, 🟠, 🟡, ❌ or -")
        return _DOCS[cell]
    if column == "Open Source":
        if cell == "-":
            return None
        if cell not in _OPEN:
            raise ValueError(f"{cell!r} is not ✅, 🔷, ❌ or -")
        return _OPEN[cell]
    if cell == "-":
        return None
    if cell not in _FLAG:
        raise ValueError(f"{cell!r} is not ✅, ❌ or -")
    return _FLAG[cell]


def _check_values(plan: Plan) -> None:
    """A cell the sync would write but cannot read is an unparsed line, not a guess."""
    for change in plan.applicable:
        try:
            if change.table in MATRICES:
                support_value(change.new or "")
            elif change.table == "overview" and change.column:
                overview_value(change.column, change.new or "")
            elif change.table == "device-pricing":
                price_value(change.new or "")
            elif change.table == "model-pricing":
                _price_pair(change.new or "")
        except ValueError as error:
            plan.unparsed.append(Unparsed(change.line or 0, change.new or "", str(error)))
            plan.changes[plan.changes.index(change)] = Change(
                **{**change.__dict__, "held": True, "reason": f"unreadable cell: {error}"}
            )


def plan_survey_sync(session: Session, text: str, *, file: str = "README.md") -> Plan:
    parsed = parse_readme(text)
    if not parsed.tables and not parsed.bullets:
        # Planned against the graph, a file with none of the list's parts would "remove"
        # every engine and table: far more likely the wrong file than an emptied list.
        raise InvalidInputError(
            f"{file} has none of the survey list's tables or engine lists; is it its README?",
            [Problem("no survey table or engine list found", location=f"{file}:1")],
        )
    plan = compute_plan(session, parsed)
    _check_values(plan)
    return plan


def sync_survey(
    session: Session,
    text: str,
    *,
    file: str = "README.md",
    apply: bool = False,
    skip_unparsed: bool = False,
    accept: Sequence[str] = (),
) -> SyncResult:
    """Plan a sync of `text` (a README in the survey's format) and, with `apply`, write it.

    `accept` names held changes (by id) a reviewer accepts: they are written too. Only a
    paper moved between two engines the graph knows can be accepted so far."""
    plan = plan_survey_sync(session, text, file=file)
    accepted = _accepted(session, plan, accept)
    if not apply:
        return SyncResult(plan, [], dry_run=True)
    if not plan.complete and not skip_unparsed:
        raise InvalidInputError(
            f"{file}: {len(plan.unparsed)} line(s) not understood; nothing was written"
            " (fix them, or sync with skip_unparsed)",
            [
                Problem(item.reason, location=f"{file}:{item.line}", value=item.text[:200])
                for item in plan.unparsed
            ],
        )
    applied: list[Change] = []
    layout = _Layout(session)
    try:
        for change in plan.applicable:
            _write(session, layout, change)
            applied.append(change)
        for change, engine in accepted:
            _move_paper(session, layout, change, engine)
            applied.append(change)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return SyncResult(plan, applied, dry_run=False)


def _accepted(session: Session, plan: Plan, ids: Sequence[str]) -> list[tuple[Change, m.Engine]]:
    """The held changes `ids` name, each with the engine it goes to; refused as a whole."""
    held = {change.id: change for change in plan.held}
    engines = engine_names(session)
    found: list[tuple[Change, m.Engine]] = []
    problems: list[Problem] = []
    for change_id in dict.fromkeys(ids):
        change = held.get(change_id)
        if change is None:
            problems.append(
                Problem("the plan holds no change with this id", field="accept", value=change_id)
            )
            continue
        engine = engines.get((change.new or "").casefold())
        if change.kind != "paper-moved" or engine is None:
            what = (
                f"its engine {change.new!r} is not in the graph yet"
                if change.kind == "paper-moved"
                else f"a {change.kind} change is not written by the sync yet"
            )
            problems.append(Problem(f"cannot be accepted: {what}", field="accept", value=change_id))
            continue
        found.append((change, engine))
    if problems:
        # Which ids a plan holds depends on the README and the graph of the moment: a 409,
        # like any request made against a state that has changed.
        raise ConflictError(
            f"{len(problems)} accepted change(s) cannot be written; nothing was", problems
        )
    return found


def _move_paper(session: Session, layout: "_Layout", change: Change, engine: m.Engine) -> None:
    url = change.id.removeprefix("paper-moved:")
    source_id = layout.source_id("survey-engine-lists")
    row = session.exec(
        select(m.EnginePaper).where(m.EnginePaper.url == url, m.EnginePaper.source_id == source_id)
    ).one()
    positions = session.exec(
        select(m.EnginePaper.position).where(
            m.EnginePaper.engine_id == engine.id, m.EnginePaper.source_id == source_id
        )
    ).all()
    assert engine.id is not None
    row.engine_id = engine.id
    row.position = max(positions, default=-1) + 1
    session.add(row)


class _Layout:
    """The survey's sources and layout entries, read once per apply rather than per cell."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.sources = {
            source.slug: source.id for source in session.exec(select(m.Source)) if source.id
        }
        self.entries: dict[tuple[int, LayoutAxis], dict[str, m.LayoutEntry]] = {}

    def source_id(self, slug: str) -> int:
        if slug not in self.sources:
            raise InvalidInputError(f"the database has no source {slug!r}; run `infergraph seed`")
        return self.sources[slug]

    def entry(self, source_id: int, axis: LayoutAxis, label: str) -> m.LayoutEntry:
        key = (source_id, axis)
        if key not in self.entries:
            self.entries[key] = {
                " ".join(entry.label.split()): entry
                for entry in self.session.exec(
                    select(m.LayoutEntry).where(
                        m.LayoutEntry.source_id == source_id, m.LayoutEntry.axis == axis
                    )
                )
            }
        found = self.entries[key].get(label)
        if found is None:
            raise InvalidInputError(f"the survey layout has no {axis.value} {label!r}")
        return found


def _write(session: Session, layout: _Layout, change: Change) -> None:
    assert change.row is not None and change.column is not None and change.new is not None
    if change.table in MATRICES:
        fact_model, target_column = MATRICES[change.table]
        source_id = layout.source_id(f"survey-{change.table}")
        row = layout.entry(source_id, LayoutAxis.ROW, change.row)
        column = layout.entry(source_id, LayoutAxis.COLUMN, change.column)
        target = getattr(column, target_column)
        status, note = support_value(change.new)
        fact = session.exec(
            select(fact_model).where(
                fact_model.engine_id == row.engine_id,
                getattr(fact_model, target_column) == target,
                fact_model.source_id == source_id,
            )
        ).first()
        if fact is None:
            assert row.engine_id is not None
            fact = fact_model(
                engine_id=row.engine_id,
                status=status,
                note=note,
                source_id=source_id,
                **{target_column: target},
            )
        else:
            fact.status, fact.note = status, note
        session.add(fact)
        return
    if change.table in ("device-pricing", "model-pricing"):
        _write_price(session, layout, change)
        return
    source_id = layout.source_id("survey-overview")
    row = layout.entry(source_id, LayoutAxis.ROW, change.row)
    engine = session.get(m.Engine, row.engine_id)
    assert engine is not None
    value = overview_value(change.column, change.new)
    if change.column == "Release Date":
        year, month = value if isinstance(value, tuple) else (None, None)
        engine.release_year, engine.release_month = year, month
        session.add(engine)
        return
    field = {
        "GitHub Stars": "github_stars",
        "Docs": "docs_level",
        "Open Source": "open_source",
        **_OVERVIEW_FIELDS,
    }[change.column]
    setattr(engine, field, value)
    session.add(engine)


def _write_price(session: Session, layout: _Layout, change: Change) -> None:
    assert change.row is not None and change.column is not None and change.new is not None
    source_id = layout.source_id(f"survey-{change.table}")
    row = layout.entry(source_id, LayoutAxis.ROW, change.row)
    # The header carries the footnote marks the table derives from the prices (`Friendli AI†`).
    provider = layout.entry(source_id, LayoutAxis.COLUMN, change.column.rstrip("†‡*"))
    assert provider.engine_id is not None
    if change.table == "device-pricing":
        assert row.device_id is not None
        price = session.exec(
            select(m.DevicePrice).where(
                m.DevicePrice.provider_id == provider.engine_id,
                m.DevicePrice.device_id == row.device_id,
                m.DevicePrice.source_id == source_id,
            )
        ).first()
        hourly = price_value(change.new)
        if price is None:
            price = m.DevicePrice(
                provider_id=provider.engine_id,
                device_id=row.device_id,
                usd_per_hour=hourly,
                source_id=source_id,
            )
        price.usd_per_hour = hourly
        session.add(price)
        return
    offered = session.exec(
        select(m.ModelPrice).where(
            m.ModelPrice.provider_id == provider.engine_id,
            m.ModelPrice.model_id == row.model_id,
            m.ModelPrice.source_id == source_id,
        )
    ).one()
    offered.input_usd_per_mtok, offered.output_usd_per_mtok = _price_pair(change.new)
    session.add(offered)
