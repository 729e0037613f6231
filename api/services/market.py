"""LLM models and what commercial providers charge for models and devices."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

import models as m
from api.services.lookup import by_slug
from api.services.pagination import (
    FIRST_PAGE,
    Page,
    PageRequest,
    all_items,
    table_keys,
    table_page,
)
from api.services.views import View, column, derived, slug_ref
from api.services.vocabulary import Slugs, check_slugs, key

MODEL = View(
    m.LLMModel,
    (
        column(m.LLMModel, "slug"),
        column(m.LLMModel, "name"),
        column(m.LLMModel, "family"),
        column(m.LLMModel, "parameters_billion"),
    ),
)
MODEL_PRICE = View(
    m.ModelPrice,
    (
        derived(
            "input_usd_per_million_tokens",
            float,
            "USD per million input tokens.",
            lambda row: float(row.input_usd_per_mtok),
        ),
        derived(
            "output_usd_per_million_tokens",
            float,
            "USD per million output tokens.",
            lambda row: float(row.output_usd_per_mtok),
        ),
        column(m.ModelPrice, "model_variant"),
        column(m.ModelPrice, "pricing_mode"),
        derived("currency", str, "Always `USD`.", lambda _row: "USD"),
        derived("unit", str, "Always `per 1M tokens`.", lambda _row: "per 1M tokens"),
    ),
    (
        slug_ref("provider", "Provider (engine) slug.", m.Engine, "provider_id"),
        slug_ref("model", "Model slug, as listed.", m.LLMModel, "model_id"),
        slug_ref(
            "served_model",
            "The model actually priced when the provider substitutes one (a distill).",
            m.LLMModel,
            "served_model_id",
        ),
        slug_ref("source", "Source slug.", m.Source, "source_id"),
    ),
)
DEVICE_PRICE = View(
    m.DevicePrice,
    (
        derived("usd_per_hour", float, "USD per device-hour.", lambda row: float(row.usd_per_hour)),
        derived("unit", str, "Always `USD per device-hour`.", lambda _row: "USD per device-hour"),
    ),
    (
        slug_ref("provider", "Provider (engine) slug.", m.Engine, "provider_id"),
        slug_ref("device", "Device slug.", m.Device, "device_id"),
        slug_ref("source", "Source slug.", m.Source, "source_id"),
    ),
)


def list_models(session: Session, page: PageRequest = FIRST_PAGE) -> Page[m.LLMModel]:
    return table_page(session, m.LLMModel, "name", page)


def all_models(session: Session) -> Sequence[m.LLMModel]:
    return list(session.exec(select(m.LLMModel).order_by(col(m.LLMModel.name))))


def get_model(session: Session, slug: str) -> m.LLMModel:
    return by_slug(session, m.LLMModel, slug, "model", "slug")


@dataclass(frozen=True)
class ModelPriceFilter:
    providers: tuple[str, ...] = key(
        Slugs(m.Engine, "provider", many=True),
        rest="provider",
        description="Provider (engine) slug",
    )
    models: tuple[str, ...] = key(
        Slugs(m.LLMModel, "model", many=True), rest="model", description="Model slug"
    )


@dataclass(frozen=True)
class DevicePriceFilter:
    providers: tuple[str, ...] = key(
        Slugs(m.Engine, "provider", many=True),
        rest="provider",
        description="Provider (engine) slug",
    )
    devices: tuple[str, ...] = key(
        Slugs(m.Device, "device", many=True), rest="device", description="Device slug"
    )


MODEL_PRICE_KEYS = table_keys(m.ModelPrice, "id")
DEVICE_PRICE_KEYS = table_keys(m.DevicePrice, "id")
"""The price lists' orders: their cursors' grammar."""


def list_model_prices(
    session: Session, f: ModelPriceFilter | None = None, page: PageRequest = FIRST_PAGE
) -> Page[m.ModelPrice]:
    f = f or ModelPriceFilter()
    ids = check_slugs(session, f)
    where: list[Any] = []
    if f.providers:
        where.append(col(m.ModelPrice.provider_id).in_(ids["providers"].values()))
    if f.models:
        where.append(col(m.ModelPrice.model_id).in_(ids["models"].values()))
    return table_page(session, m.ModelPrice, "id", page, *where)


def list_device_prices(
    session: Session, f: DevicePriceFilter | None = None, page: PageRequest = FIRST_PAGE
) -> Page[m.DevicePrice]:
    f = f or DevicePriceFilter()
    ids = check_slugs(session, f)
    where: list[Any] = []
    if f.providers:
        where.append(col(m.DevicePrice.provider_id).in_(ids["providers"].values()))
    if f.devices:
        where.append(col(m.DevicePrice.device_id).in_(ids["devices"].values()))
    return table_page(session, m.DevicePrice, "id", page, *where)


def provider_model_prices(session: Session, provider: m.Engine) -> list[m.ModelPrice]:
    f = ModelPriceFilter(providers=(provider.slug,))
    return list(all_items(lambda page: list_model_prices(session, f, page)))


def provider_device_prices(session: Session, provider: m.Engine) -> list[m.DevicePrice]:
    f = DevicePriceFilter(providers=(provider.slug,))
    return list(all_items(lambda page: list_device_prices(session, f, page)))
