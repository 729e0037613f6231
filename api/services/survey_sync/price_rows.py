"""New rows of the two price tables: a device (hourly prices) or an LLM (token prices).

The row's first cell names the device or model. A device or model the graph already knows,
by name or by an alias a run review taught (`device_alias`, `model_alias`, matched the way
benchmark imports match names), is that one: its row joins it. Otherwise it is created with
what its name states and nothing more (a device's maker is the name's first word and its
memory a `…GB` in it; a model's size a `…B` in it; a model's family is for a curator).
Each provider column's cell becomes a price; `-` (`- / -`) is "not offered", no row.
"""

import re
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select

import models as m
from api.services.ingest.readers.runs import model_key, name_key
from api.services.survey_sync.layout_cache import Layout
from api.services.survey_sync.readme import ReadmeTable, TableRow
from api.services.survey_sync.values import row_price
from models.base import LayoutAxis

_MEMORY = re.compile(r"(\d{1,4})\s*GB\b", re.IGNORECASE)
_SIZE = re.compile(r"(\d{1,4}(?:\.\d{1,3})?)\s*B\b")
_MARKS = "†‡*"
_NAME_LENGTH = 200


class PriceRows:
    """Writes new price rows. The devices and models, and their aliases, are read once;
    those created on the way are found again."""

    def __init__(
        self,
        session: Session,
        layout: Layout,
        free_slug: Callable[[type[Any], str], str],
        terms_of: Callable[[str], tuple[str | None, str | None]],
    ) -> None:
        self.session = session
        self.layout = layout
        self.free_slug = free_slug
        self.terms_of = terms_of
        """A new model price's variant and mode by its column's header (the plan's)."""
        self._known: dict[str, dict[str, int]] = {}
        self._created: set[tuple[str, int]] = set()

    def _names(self, table: str) -> dict[str, int]:
        """Ids by name and by alias key (names first), for the table's kind of entity."""
        if table not in self._known:
            if table == "device-pricing":
                pairs = [(name_key(d.name), d.id) for d in self.session.exec(select(m.Device))]
                pairs += [
                    (a.normalized, a.device_id) for a in self.session.exec(select(m.DeviceAlias))
                ]
            else:
                pairs = [(model_key(x.name), x.id) for x in self.session.exec(select(m.LLMModel))]
                pairs += [
                    (a.normalized, a.model_id) for a in self.session.exec(select(m.ModelAlias))
                ]
            known: dict[str, int] = {}
            for key, entity_id in pairs:
                if entity_id is not None:
                    known.setdefault(key, entity_id)
            self._known[table] = known
        return self._known[table]

    def write(self, table: ReadmeTable, row: TableRow) -> None:
        label = row.cells[0]
        source_id = self.layout.source_id(f"survey-{table.name}")
        providers = self.layout.all(source_id, LayoutAxis.COLUMN)
        entity_id = self._entity(table.name, label)
        target = "device_id" if table.name == "device-pricing" else "model_id"
        self.layout.add(
            source_id, LayoutAxis.ROW, label[:_NAME_LENGTH], cell="", **{target: entity_id}
        )
        # An entity known before may be priced already (the same one under a second label).
        known_before = (table.name, entity_id) not in self._created
        for header, cell in zip(table.headers[1:], row.cells[1:], strict=True):
            provider = providers.get(" ".join(header.split()).rstrip(_MARKS))
            value = row_price(table.name, cell)
            if provider is None or provider.engine_id is None or value is None:
                continue  # a new provider column is held on its own; `-` is no price
            if known_before and self.layout.price(table.name, provider.engine_id, entity_id):
                continue
            if isinstance(value, tuple):
                variant, mode = self.terms_of(header)
                self.session.add(
                    m.ModelPrice(
                        provider_id=provider.engine_id,
                        model_id=entity_id,
                        input_usd_per_mtok=value[0],
                        output_usd_per_mtok=value[1],
                        source_id=source_id,
                        model_variant=variant,
                        pricing_mode=mode,
                    )
                )
            else:
                self.session.add(
                    m.DevicePrice(
                        provider_id=provider.engine_id,
                        device_id=entity_id,
                        usd_per_hour=value,
                        source_id=source_id,
                    )
                )

    def _entity(self, table: str, name: str) -> int:
        """The id of the device or model `name` names, created when the graph has none."""
        key = name_key(name) if table == "device-pricing" else model_key(name)
        names = self._names(table)
        if key in names:
            return names[key]
        entity: m.Device | m.LLMModel
        if table == "device-pricing":
            memory = _MEMORY.search(name)
            entity = m.Device(
                slug=self.free_slug(m.Device, name),
                name=name[:_NAME_LENGTH],
                vendor=name.split()[0][:100],
                memory_gb=int(memory.group(1)) if memory else None,
            )
        else:
            size = _SIZE.search(name)
            entity = m.LLMModel(
                slug=self.free_slug(m.LLMModel, name),
                name=name[:_NAME_LENGTH],
                parameters_billion=float(size.group(1)) if size else None,
            )
        self.session.add(entity)
        self.session.flush()
        assert entity.id is not None
        names[key] = entity.id
        self._created.add((table, entity.id))
        return entity.id
