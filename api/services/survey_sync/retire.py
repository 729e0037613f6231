"""Retire the survey facts whose removal a reviewer accepted.

To retire a fact is to delete its row from the live table, in the sync's transaction. That is
not a loss: the history triggers (`api/history_schema.py`) close the row's open history entry
at the sync's source version (`history_to`) and append a `retired` change to the feed, so an
as-of read of an earlier version still finds the fact, and current reads no longer do. A
missing support fact reads as unknown, a missing price as not offered (the data model's own
meaning of no row).

Only the survey's own rows are retired (rows whose source is one of the survey's). An entity
(an engine, a technique, a category) goes only when nothing else refers to it any more: a
benchmark run, a curator's or an ingest's fact, a feature membership keeps it, and then only
its survey facts are retired (a technique leaves the survey's table). Papers are never
retired: a paper the survey stops citing stays a paper, only the citation goes.
"""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import models as m
from api.services.survey_sync.layout_cache import PRICE_TABLES, Layout
from api.services.survey_sync.plan import MATRICES, Change
from api.services.survey_sync.values import NO_PRICE
from models.base import LayoutAxis

FOOTNOTE_MARKS = "†‡*"

# Every table whose rows point at an engine, and the column that does: while one row of
# them names an engine, the engine is in use and stays.
_ENGINE_USES: tuple[tuple[type[Any], str], ...] = (
    (m.LayoutEntry, "engine_id"),
    (m.FeatureSupport, "engine_id"),
    (m.PlatformSupport, "engine_id"),
    (m.PrecisionSupport, "engine_id"),
    (m.EnginePaper, "engine_id"),
    (m.ModelPrice, "provider_id"),
    (m.DevicePrice, "provider_id"),
    (m.BenchmarkRun, "engine_id"),
)
_TECHNIQUE_USES: tuple[tuple[type[Any], str], ...] = (
    (m.TechniqueCitation, "technique_id"),
    (m.TechniqueLink, "technique_id"),
    (m.FeatureMember, "technique_id"),
    (m.LayoutEntry, "technique_id"),
)


def refusal(change: Change) -> str | None:
    """Why an accepted removal cannot be retired, or None when it can."""
    fixed = change.table == "overview" or change.table.startswith("techniques-")
    if change.kind == "column-removed" and (fixed or change.table == "deployment-quadrant"):
        return f"the columns of {change.table} are fixed; a curator changes them"
    if change.kind == "row-removed" and change.table == "deployment-quadrant":
        return "the quadrant's rows are fixed; a curator changes them"
    return None


WITHDRAWN = {"device-pricing": "-", "model-pricing": NO_PRICE}
"""How each price table says "not offered"."""


def is_withdrawn_price(change: Change) -> bool:
    return change.kind == "cell-changed" and WITHDRAWN.get(change.table) == change.new


def _label(text: str | None) -> str:
    return " ".join((text or "").split()).rstrip(FOOTNOTE_MARKS)


class Retirements:
    """One apply's retirements; entities are swept once every accepted change is done."""

    def __init__(self, session: Session, layout: Layout) -> None:
        self.session = session
        self.layout = layout
        self._engines: set[int] = set()
        self._techniques: set[int] = set()
        self._categories: set[int] = set()

    def retire(self, change: Change, engine: m.Engine | None) -> None:
        """Retire what `change` removed; `engine` is the engine its row names, if any."""
        if change.kind == "row-removed":
            self._row(change.table, change.row or "")
        elif change.kind == "column-removed":
            self._column(change.table, change.old or "")
        elif change.kind == "table-removed":
            self._table(change.table)
        elif change.kind == "technique-removed":
            category = self._category_of(change.table)
            if category is not None:
                self._techniques_of(category, name=change.row)
        elif change.kind == "engine-removed" and engine is not None and engine.id is not None:
            self._delete(self._survey_papers(engine.id))
            self._engines.add(engine.id)
        elif change.kind == "paper-removed" and engine is not None and engine.id is not None:
            papers = [p for p in self._survey_papers(engine.id) if p.url == change.old]
            self._delete(papers)
        elif is_withdrawn_price(change):
            self._price(change.table, change.row or "", change.column or "")

    # --- tables of the survey -------------------------------------------------------

    def _source(self, table: str) -> int:
        return self.layout.source_id(f"survey-{table}")

    def _entries(self, table: str, axis: LayoutAxis) -> dict[str, m.LayoutEntry]:
        return self.layout.all(self._source(table), axis)

    def _row(self, table: str, label: str) -> None:
        entry = self._entries(table, LayoutAxis.ROW).get(_label(label))
        if entry is None:
            return
        if table in MATRICES and entry.engine_id is not None:
            fact_model, _ = MATRICES[table]
            self._delete(self._facts(table, fact_model, "engine_id", entry.engine_id))
        elif table in PRICE_TABLES:
            price_model, target = PRICE_TABLES[table]
            self._delete(self._facts(table, price_model, target, getattr(entry, target)))
        self._delete_entry(table, LayoutAxis.ROW, entry)

    def _column(self, table: str, label: str) -> None:
        entry = self._entries(table, LayoutAxis.COLUMN).get(_label(label))
        if entry is None:
            return
        if table in MATRICES:
            fact_model, target = MATRICES[table]
            value = getattr(entry, target)
            if value is not None:
                self._delete(self._facts(table, fact_model, target, value))
            else:
                # A catch-all column ("ETC") holds the facts of targets no other column names.
                named = {
                    getattr(e, target) for e in self._entries(table, LayoutAxis.COLUMN).values()
                }
                facts = self.session.exec(
                    select(fact_model).where(fact_model.source_id == self._source(table))
                )
                self._delete(fact for fact in facts if getattr(fact, target) not in named)
        elif table in PRICE_TABLES:
            price_model, _ = PRICE_TABLES[table]
            self._delete(self._facts(table, price_model, "provider_id", entry.engine_id))
        self._delete_entry(table, LayoutAxis.COLUMN, entry)

    def _table(self, table: str) -> None:
        if table.startswith("techniques-"):
            category = self._category_of(table)
            if category is not None:
                self._techniques_of(category, name=None)
                assert category.id is not None
                self._categories.add(category.id)
            return
        source_id = self._source(table)
        fact_model = MATRICES.get(table, PRICE_TABLES.get(table, (None, "")))[0]
        if fact_model is not None:
            facts = select(fact_model).where(fact_model.source_id == source_id)
            self._delete(self.session.exec(facts))
        for axis in (LayoutAxis.ROW, LayoutAxis.COLUMN):
            for entry in list(self._entries(table, axis).values()):
                if table == "deployment-quadrant":
                    self._unplace(entry.engine_id)
                self._delete_entry(table, axis, entry)

    def _unplace(self, engine_id: int | None) -> None:
        engine = self.session.get(m.Engine, engine_id) if engine_id is not None else None
        if engine is not None:
            engine.deployment_scale = engine.hardware_diversity = None
            self.session.add(engine)

    def _price(self, table: str, row: str, column: str) -> None:
        entry = self._entries(table, LayoutAxis.ROW).get(_label(row))
        provider = self._entries(table, LayoutAxis.COLUMN).get(_label(column))
        if entry is None or provider is None:
            return
        price_model, target = PRICE_TABLES[table]
        self._delete(
            price
            for price in self._facts(table, price_model, target, getattr(entry, target))
            if price.provider_id == provider.engine_id
        )

    def _facts(self, table: str, model: type[Any], column: str, value: int | None) -> list[Any]:
        if value is None:
            return []
        return list(
            self.session.exec(
                select(model).where(
                    model.source_id == self._source(table), getattr(model, column) == value
                )
            )
        )

    def _delete_entry(self, table: str, axis: LayoutAxis, entry: m.LayoutEntry) -> None:
        entries = self._entries(table, axis)
        for label in [label for label, known in entries.items() if known is entry]:
            del entries[label]
        self._delete([entry])

    # --- techniques and engines -----------------------------------------------------

    def _category_of(self, table: str) -> m.TechniqueCategory | None:
        wanted = table.removeprefix("techniques-")
        return self.session.exec(
            select(m.TechniqueCategory).where(m.TechniqueCategory.slug == wanted)
        ).first()

    def _techniques_of(self, category: m.TechniqueCategory, *, name: str | None) -> None:
        """The category's survey techniques (or the one named) leave its table, with their
        survey citations; the sweep retires the technique itself if nothing else uses it."""
        query = select(m.Technique).where(
            m.Technique.category_id == category.id, col(m.Technique.in_survey_table)
        )
        source_id = self.layout.source_id("survey-technique-tables")
        for technique in self.session.exec(query).all():
            if name is not None and " ".join(technique.name.split()) != name:
                continue
            assert technique.id is not None
            self._delete(
                self.session.exec(
                    select(m.TechniqueCitation).where(
                        m.TechniqueCitation.technique_id == technique.id,
                        m.TechniqueCitation.source_id == source_id,
                    )
                )
            )
            technique.in_survey_table = False
            self.session.add(technique)
            self._techniques.add(technique.id)

    def _survey_papers(self, engine_id: int) -> list[m.EnginePaper]:
        return list(
            self.session.exec(
                select(m.EnginePaper).where(
                    m.EnginePaper.engine_id == engine_id,
                    m.EnginePaper.source_id == self.layout.source_id("survey-engine-lists"),
                )
            )
        )

    def sweep(self) -> None:
        """Retire the engines, techniques and categories left without any use."""
        self.session.flush()
        for engine_id in sorted(self._engines):
            if not self._used(_ENGINE_USES, engine_id):
                self._delete_entity(m.EngineAlias, "engine_id", m.Engine, engine_id)
        for technique_id in sorted(self._techniques):
            if not self._used(_TECHNIQUE_USES, technique_id):
                self._delete_entity(m.TechniqueAlias, "technique_id", m.Technique, technique_id)
        self.session.flush()
        for category_id in sorted(self._categories):
            techniques = select(m.Technique.id).where(m.Technique.category_id == category_id)
            children = select(m.TechniqueCategory.id).where(
                m.TechniqueCategory.parent_id == category_id
            )
            if self.session.exec(techniques).first() is None and (
                self.session.exec(children).first() is None
            ):
                self._delete([self.session.get(m.TechniqueCategory, category_id)])
        self.session.flush()

    def _used(self, uses: Iterable[tuple[type[Any], str]], entity_id: int) -> bool:
        return any(
            self.session.exec(
                select(sa.literal(1)).select_from(model).where(getattr(model, column) == entity_id)
            ).first()
            is not None
            for model, column in uses
        )

    def _delete_entity(
        self, alias_model: type[Any], column: str, model: type[Any], entity_id: int
    ) -> None:
        # Aliases first and one by one, so the history triggers record each of them (a
        # cascade is not something to count on for that).
        self._delete(
            self.session.exec(select(alias_model).where(getattr(alias_model, column) == entity_id))
        )
        self.session.flush()
        self._delete([self.session.get(model, entity_id)])

    def _delete(self, rows: Iterable[Any]) -> None:
        for row in rows:
            if row is not None:
                self.session.delete(row)
