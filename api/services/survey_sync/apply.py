"""Write the applicable part of a sync plan, and the held changes a reviewer accepts, in one
transaction; decisions (accepted and rejected) are stored with it.

A written cell keeps its fact row and changes its status: the survey's `-` becomes
`unknown`. Only an accepted removal retires a row (`retire.py`), and the history keeps it.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

import models as m
from api.errors import ConflictError, InvalidInputError, Problem
from api.services.history import open_version
from api.services.ingest.readers.arxiv_client import ArxivClient
from api.services.survey_sync import reviews
from api.services.survey_sync.layout_cache import Layout
from api.services.survey_sync.plan import MATRICES, Change, Plan, compute_plan
from api.services.survey_sync.readme import LINK, Unparsed, parse_readme
from api.services.survey_sync.references import ReferenceReport, References
from api.services.survey_sync.values import (
    PRICE_ROW_TABLES,
    organization_value,
    overview_value,
    price_value,
    row_price,
    starred_pair,
    support_value,
)
from api.services.survey_sync.writers import Writers, cell_names, references_of, refusal
from models.base import LayoutAxis

_OVERVIEW_FIELDS = {"SNS": "has_sns", "Forum": "has_forum", "Meetup": "has_meetup"}


@dataclass
class SyncResult:
    plan: Plan
    applied: list[Change]
    dry_run: bool
    rejected: list[Change] = field(default_factory=list)
    references: list[ReferenceReport] = field(default_factory=list)
    source_version: str | None = None
    """The source version the applied changes were written into."""
    withheld: str | None = None
    """Why nothing was written though the call asked to write (an incomplete plan)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "applied": [change.id for change in self.applied],
            "rejected": [change.id for change in self.rejected],
            "references": [report.to_json() for report in self.references],
            "source_version": self.source_version,
            "withheld": self.withheld,
            **self.plan.to_json(),
        }

    def lines(self) -> Iterator[str]:
        """The plan as a terminal table: one change a line, held and reviewed ones marked."""
        plan = self.plan
        if plan.empty:
            yield "no changes: the graph already holds every survey fact of this README"
            return
        written = {change.id for change in self.applied}
        rejected = {change.id for change in self.rejected}
        rows = [
            (
                _status(change, self.dry_run, written, rejected),
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
        for change in plan.changes:
            if change.review is not None:
                who = f"by {change.reviewed_by} at {change.reviewed_at}"
                yield f"{change.review} {change.id}: {who}"
            elif change.held and change.id not in written | rejected and change.reason:
                yield f"held {change.id}: {change.reason}"
            elif not change.held and change.reason:
                yield f"note {change.id}: {change.reason}"
        for report in self.references:
            note = f" ({report.message})" if report.message else ""
            yield f"reference {report.url}: {report.outcome} as {report.paper}{note}"
        for item in plan.unparsed:
            yield f"not understood, line {item.line}: {item.reason}: {_short(item.text, 80)}"
        if self.source_version is not None:
            yield f"written into source version {self.source_version}"
        verb = "would apply" if self.dry_run else "applied"
        count = len(plan.applicable) if self.dry_run else len(self.applied)
        reviewed = f", rejected {len(self.rejected)}" if self.rejected else ""
        waiting = [c for c in plan.held if c.id not in written | rejected]
        yield (
            f"{len(plan.changes)} change(s): {verb} {count}, held {len(waiting)}{reviewed};"
            f" {len(plan.unparsed)} line(s) not understood"
        )


def _status(change: Change, dry_run: bool, written: set[str], rejected: set[str]) -> str:
    if change.id in rejected:
        return "rejected"
    if change.id in written:
        return "accepted" if change.held else "applied"
    if change.review is not None:
        return change.review
    return "held" if change.held else "apply"


def _short(text: str | None, width: int = 40) -> str:
    if text is None:
        return "∅"
    return text if len(text) <= width else text[: width - 1] + "…"


def _check_values(plan: Plan) -> None:
    """A cell the sync would write but cannot read is an unparsed line, not a guess."""
    for change in plan.applicable:
        try:
            _check(plan, change)
        except ValueError as error:
            plan.unparsed.append(Unparsed(change.line or 0, change.new or "", str(error)))
            plan.changes[plan.changes.index(change)] = Change(
                **{**change.__dict__, "held": True, "reason": f"unreadable cell: {error}"}
            )


_NAME_LENGTH = 200
_URL_LENGTH = 500
_ID_LENGTH = 700
_NEW_NAMES = ("row-added", "technique-added", "engine-added", "cell-changed")


def _check_sizes(change: Change) -> None:
    """What the columns cannot hold is refused here, not by the database mid-transaction."""
    names = [change.row or ""] if change.kind in _NEW_NAMES[:3] else []
    if change.table == "deployment-quadrant":
        names += cell_names(change.new)
    too_long = [name for name in names if len(name) > _NAME_LENGTH]
    if too_long:
        raise ValueError(f"a name of {len(too_long[0])} characters; at most {_NAME_LENGTH}")
    for label, url in LINK.findall(change.new or ""):
        if len(url) > _URL_LENGTH or len(label) > _NAME_LENGTH:
            raise ValueError(f"a link of {len(url)} characters; at most {_URL_LENGTH}")


def _check(plan: Plan, change: Change) -> None:
    _check_sizes(change)
    if change.kind == "row-added" and change.table in PRICE_ROW_TABLES:
        assert plan.parsed is not None
        table = plan.parsed.tables[change.table]
        row = next(r for r in table.rows if r.cells[0] == change.row)
        for cell in row.cells[1:]:
            row_price(change.table, cell)
        return
    if change.kind == "row-added" and change.table in ("overview", *MATRICES):
        assert plan.parsed is not None
        table = plan.parsed.tables[change.table]
        row = next(r for r in table.rows if r.cells[0] == change.row)
        for header, cell in zip(table.headers[1:], row.cells[1:], strict=True):
            if change.table != "overview":
                assert plan.context is not None
                if (change.table, header) not in plan.context.catch_all:
                    support_value(cell)
                    continue
                unknown = [
                    name
                    for name in cell_names(cell)
                    if name.casefold() not in plan.context.platforms
                ]
                if unknown and change.table == "hardware-matrix":
                    raise ValueError(f"{', '.join(unknown)}: no platform of that name")
            elif header == "Organization":
                organization_value(cell)
            elif header != "Framework":
                overview_value(header, cell)
        return
    if change.kind != "cell-changed":
        return
    if change.table in MATRICES and plan.context is not None:
        if (change.table, change.column or "") not in plan.context.catch_all:
            support_value(change.new or "")
    elif change.table == "overview" and change.column == "Organization":
        organization_value(change.new or "")
    elif change.table == "overview" and change.column:
        overview_value(change.column, change.new or "")
    elif change.table == "device-pricing":
        price_value(change.new or "")
    elif change.table == "model-pricing":
        starred_pair(change.new or "")


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
    reviews.apply_decisions(session, plan)
    return plan


def sync_survey(
    session: Session,
    text: str,
    *,
    file: str = "README.md",
    apply: bool = False,
    skip_unparsed: bool = False,
    accept: Sequence[str] = (),
    reject: Sequence[str] = (),
    reviewer: str = "cli",
    arxiv: ArxivClient | None = None,
    source_version: str | None = None,
    source_date: date | None = None,
    refuse_incomplete: bool = True,
) -> SyncResult:
    """Plan a sync of `text` (a README in the survey's format) and, with `apply`, write it.

    `accept` and `reject` name held changes (by id) a reviewer decides: accepted ones are
    written too, and both decisions are stored so later plans keep them (until the README
    changes that cell again). Unknown ids, or an accepted change without a writer, refuse
    the whole call. New references are resolved through `arxiv` (default: the settings').

    What is written lands in the source version `source_version` (named by its date,
    `source_date`, by default; docs/sync.md): the history triggers record every write of the
    transaction under it, so a writer added here needs nothing more.

    An incomplete plan (lines not understood) writes nothing unless `skip_unparsed`: it is
    refused as invalid input, or with `refuse_incomplete=False` (REST, where the plan is the
    answer) returned with `withheld` saying so."""
    plan = plan_survey_sync(session, text, file=file)
    accepted, rejected = _decided(session, plan, accept, reject)
    if not apply:
        return SyncResult(plan, [], dry_run=True)
    if not plan.complete and not skip_unparsed:
        why = (
            f"{file}: {len(plan.unparsed)} line(s) not understood; nothing was written"
            " (fix them, or sync with skip_unparsed)"
        )
        if not refuse_incomplete:
            return SyncResult(plan, [], dry_run=False, withheld=why)
        raise InvalidInputError(
            why,
            [
                Problem(item.reason, location=f"{file}:{item.line}", value=item.text[:200])
                for item in plan.unparsed
            ],
        )
    applied: list[Change] = []
    layout = Layout(session)
    references = References(session, file, arxiv)
    version: str | None = None
    try:
        if plan.applicable or accepted:
            # First, so that it is the newest version when the triggers read it.
            version = open_version(
                session, name=source_version, released_on=source_date, file=file, text=text
            ).name
        references.prepare(references_of(plan, [*plan.applicable, *accepted]))
        writers = Writers(session, layout, plan, references)
        for change in plan.applicable:
            if not writers.write(change):
                _write(session, layout, change)
            applied.append(change)
        for change in accepted:
            writers.accept(change)
            applied.append(change)
        writers.finish()
        reviews.record(session, accepted, reviews.ACCEPTED, reviewer)
        reviews.record(session, rejected, reviews.REJECTED, reviewer)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return SyncResult(plan, applied, False, rejected, references.reports, version)


def _decided(
    session: Session, plan: Plan, accept: Sequence[str], reject: Sequence[str]
) -> tuple[list[Change], list[Change]]:
    """The held changes `accept` and `reject` name; refused as a whole."""
    held = {change.id: change for change in plan.changes if change.held}
    problems: list[Problem] = []
    both = set(accept) & set(reject)
    for change_id in sorted(both):
        problems.append(Problem("accepted and rejected at once", field="reject", value=change_id))
    found: dict[str, list[Change]] = {"accept": [], "reject": []}
    for name, ids in (("accept", accept), ("reject", reject)):
        for change_id in dict.fromkeys(ids):
            change = held.get(change_id)
            if change is not None and len(change_id) > _ID_LENGTH:
                too_long = f"an id of {len(change_id)} characters cannot be recorded"
                problems.append(Problem(too_long, field=name, value=change_id[:200]))
                continue
            if change is None:
                problems.append(
                    Problem("the plan holds no change with this id", field=name, value=change_id)
                )
                continue
            why = refusal(session, plan, change) if name == "accept" else None
            if why is not None:
                problems.append(Problem(f"cannot be accepted: {why}", field=name, value=change_id))
                continue
            if change_id not in both:
                found[name].append(change)
    if problems:
        # Which ids a plan holds, and what can be written, depends on the README and the
        # graph of the moment: a 409, like any request made against a state that has changed.
        raise ConflictError(
            f"{len(problems)} reviewed change(s) cannot be decided; nothing was written", problems
        )
    return found["accept"], found["reject"]


def _write(session: Session, layout: Layout, change: Change) -> None:
    assert change.row is not None and change.column is not None and change.new is not None
    if change.table in MATRICES:
        _, target_column = MATRICES[change.table]
        source_id = layout.source_id(f"survey-{change.table}")
        row = layout.entry(source_id, LayoutAxis.ROW, change.row)
        column = layout.entry(source_id, LayoutAxis.COLUMN, change.column)
        target = getattr(column, target_column)
        status, note = support_value(change.new)
        assert row.engine_id is not None
        layout.set_fact(change.table, row.engine_id, target, status, note)
        return
    if change.table == "device-pricing":
        _write_device_price(session, layout, change)
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


def _write_device_price(session: Session, layout: Layout, change: Change) -> None:
    """An hourly device price, new or changed (model prices: `Writers._model_price`)."""
    assert change.row is not None and change.column is not None and change.new is not None
    source_id = layout.source_id("survey-device-pricing")
    row = layout.entry(source_id, LayoutAxis.ROW, change.row)
    # The header carries the footnote marks the table derives from the prices.
    provider = layout.entry(source_id, LayoutAxis.COLUMN, change.column.rstrip("†‡*"))
    assert provider.engine_id is not None and row.device_id is not None
    hourly = price_value(change.new)
    known = layout.price("device-pricing", provider.engine_id, row.device_id)
    price = (
        known
        if isinstance(known, m.DevicePrice)
        else m.DevicePrice(
            provider_id=provider.engine_id,
            device_id=row.device_id,
            usd_per_hour=hourly,
            source_id=source_id,
        )
    )
    price.usd_per_hour = hourly
    session.add(price)
