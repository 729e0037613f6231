"""The survey's sources and layout entries, read once per apply rather than once per cell."""

import sqlalchemy as sa
from sqlmodel import Session, select

import models as m
from api.errors import InvalidInputError
from api.services.survey_sync.plan import MATRICES
from models.base import LayoutAxis, SupportStatus
from models.support import SupportFact

PRICE_TABLES: dict[str, tuple[type[m.DevicePrice] | type[m.ModelPrice], str]] = {
    "device-pricing": (m.DevicePrice, "device_id"),
    "model-pricing": (m.ModelPrice, "model_id"),
}
"""Price tables: the price model and the column naming a row's device or model (the layout
entry's too)."""


class Layout:
    """The survey's sources and layout entries, read once per apply rather than per cell."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.sources = {
            source.slug: source.id for source in session.exec(select(m.Source)) if source.id
        }
        self.entries: dict[tuple[int, LayoutAxis], dict[str, m.LayoutEntry]] = {}
        self.last: dict[tuple[int, LayoutAxis, str], int | None] = {}
        self._facts: dict[str, dict[tuple[int, int], SupportFact]] = {}
        """The last position taken per (source, axis, cell), kept as rows are added."""

    def source_id(self, slug: str) -> int:
        if slug not in self.sources:
            raise InvalidInputError(f"the database has no source {slug!r}; run `infergraph seed`")
        return self.sources[slug]

    def entry(self, source_id: int, axis: LayoutAxis, label: str) -> m.LayoutEntry:
        found = self.all(source_id, axis).get(label)
        if found is None:
            raise InvalidInputError(f"the survey layout has no {axis.value} {label!r}")
        return found

    def all(self, source_id: int, axis: LayoutAxis) -> dict[str, m.LayoutEntry]:
        """The source's rows (or columns) by label, spaces collapsed."""
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
        return self.entries[key]

    def add(
        self, source_id: int, axis: LayoutAxis, label: str, *, cell: str = "", **target: int
    ) -> m.LayoutEntry:
        """A new row or column, after the last one (of its cell)."""
        key = (source_id, axis, cell)
        if key not in self.last:
            self.last[key] = self.session.exec(
                select(sa.func.max(m.LayoutEntry.position)).where(
                    m.LayoutEntry.source_id == source_id,
                    m.LayoutEntry.axis == axis,
                    m.LayoutEntry.cell == cell,
                )
            ).one()
        last = self.last[key]
        position = (last if last is not None else -1) + 1
        self.last[key] = position
        entry = m.LayoutEntry(
            source_id=source_id, axis=axis, position=position, label=label, cell=cell, **target
        )
        self.session.add(entry)
        if (source_id, axis) in self.entries:
            self.entries[(source_id, axis)][" ".join(label.split())] = entry
        return entry

    def set_fact(
        self,
        table: str,
        engine_id: int,
        target: int,
        status: SupportStatus,
        note: str | None,
        *,
        keep_note: bool = False,
    ) -> None:
        """Write one matrix fact: the stored row changes, or a new one is added. The matrix's
        facts are read once, so a thousand cells are not a thousand queries (each of which
        would also flush what is pending)."""
        fact_model, target_column = MATRICES[table]
        if table not in self._facts:
            source_id = self.source_id(f"survey-{table}")
            self._facts[table] = {
                (fact.engine_id, getattr(fact, target_column)): fact
                for fact in self.session.exec(
                    select(fact_model).where(fact_model.source_id == source_id)
                )
            }
        fact = self._facts[table].get((engine_id, target))
        if fact is None:
            fact = fact_model(
                engine_id=engine_id,
                status=status,
                note=note,
                source_id=self.source_id(f"survey-{table}"),
                **{target_column: target},
            )
            self._facts[table][(engine_id, target)] = fact
        fact.status = status
        if not keep_note:
            fact.note = note
        self.session.add(fact)

    def price(
        self, table: str, provider_id: int, target_id: int
    ) -> m.DevicePrice | m.ModelPrice | None:
        """The survey's price of a provider for a device or model, if it has one."""
        model, column = PRICE_TABLES[table]
        self.session.flush()
        found = self.session.exec(
            select(model).where(
                model.provider_id == provider_id,
                getattr(model, column) == target_id,
                model.source_id == self.source_id(f"survey-{table}"),
            )
        ).first()
        return found if isinstance(found, m.DevicePrice | m.ModelPrice) else None
