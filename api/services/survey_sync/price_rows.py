"""New rows of the two price tables: a device (hourly prices) or an LLM (token prices).

The row's first cell names the device or model. A device or model the graph already knows,
by name or by an alias a run review taught (`device_alias`, `model_alias`, matched the way
benchmark imports match them), is that one: its row joins it. Otherwise it is created with
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
    """Writes new price rows; devices and models created on the way are found again."""

    def __init__(
        self, session: Session, layout: Layout, free_slug: Callable[[type[Any], str], str]
    ):
        self.session = session
        self.layout = layout
        self.free_slug = free_slug

    def write(self, table: ReadmeTable, row: TableRow) -> None:
        label = row.cells[0]
        source_id = self.layout.source_id(f"survey-{table.name}")
        providers = self.layout.all(source_id, LayoutAxis.COLUMN)
        if table.name == "device-pricing":
            device = self._device(label)
            assert device.id is not None
            row_entity = device.id
            self.layout.add(source_id, LayoutAxis.ROW, label[:_NAME_LENGTH], device_id=device.id)
        else:
            model = self._model(label)
            assert model.id is not None
            row_entity = model.id
            self.layout.add(source_id, LayoutAxis.ROW, label[:_NAME_LENGTH], model_id=model.id)
        for header, cell in zip(table.headers[1:], row.cells[1:], strict=True):
            provider = providers.get(" ".join(header.split()).rstrip(_MARKS))
            value = row_price(table.name, cell)
            if provider is None or provider.engine_id is None or value is None:
                continue  # a new provider column is held on its own; `-` is no price
            if self.layout.price(table.name, provider.engine_id, row_entity) is not None:
                continue  # the same device or model under a second label: priced once
            if isinstance(value, tuple):
                self.session.add(
                    m.ModelPrice(
                        provider_id=provider.engine_id,
                        model_id=row_entity,
                        input_usd_per_mtok=value[0],
                        output_usd_per_mtok=value[1],
                        source_id=source_id,
                    )
                )
            else:
                self.session.add(
                    m.DevicePrice(
                        provider_id=provider.engine_id,
                        device_id=row_entity,
                        usd_per_hour=value,
                        source_id=source_id,
                    )
                )

    def _device(self, name: str) -> m.Device:
        found = self.session.exec(select(m.Device).where(m.Device.name == name)).first()
        if found is None:
            alias = self.session.exec(
                select(m.DeviceAlias).where(m.DeviceAlias.normalized == name_key(name)[:300])
            ).first()
            found = self.session.get(m.Device, alias.device_id) if alias else None
        if found is not None:
            return found
        memory = _MEMORY.search(name)
        device = m.Device(
            slug=self.free_slug(m.Device, name),
            name=name[:_NAME_LENGTH],
            vendor=name.split()[0][:100],
            memory_gb=int(memory.group(1)) if memory else None,
        )
        self.session.add(device)
        self.session.flush()
        return device

    def _model(self, name: str) -> m.LLMModel:
        found = self.session.exec(select(m.LLMModel).where(m.LLMModel.name == name)).first()
        if found is None:
            alias = self.session.exec(
                select(m.ModelAlias).where(m.ModelAlias.normalized == model_key(name)[:300])
            ).first()
            found = self.session.get(m.LLMModel, alias.model_id) if alias else None
        if found is not None:
            return found
        size = _SIZE.search(name)
        model = m.LLMModel(
            slug=self.free_slug(m.LLMModel, name),
            name=name[:_NAME_LENGTH],
            parameters_billion=float(size.group(1)) if size else None,
        )
        self.session.add(model)
        self.session.flush()
        return model
