"""LLMs and what providers charge for models and devices."""

from typing import Any

from fastapi import APIRouter

from api.rest import schemas as s
from api.rest.common import (
    SessionDep,
    detail_route,
    list_route,
    presented_json,
)
from api.services import market

router = APIRouter(tags=["models and prices"])


@router.get("/models", response_model=s.list_of(s.ModelOut), summary="LLMs")
def list_models(session: SessionDep) -> Any:
    return presented_json(session, market.MODEL, market.all_models(session))


detail_route(
    router,
    "/models",
    view=market.MODEL,
    get=market.get_model,
    summary="One LLM",
    jsonld_kind="model",
)


list_route(
    router,
    "/model-prices",
    view=market.MODEL_PRICE,
    filter_class=market.ModelPriceFilter,
    fetch=market.list_model_prices,
    cursors=[market.MODEL_PRICE_KEYS],
    summary="Prices per million tokens",
    example="provider:groqcloud",
)
list_route(
    router,
    "/device-prices",
    view=market.DEVICE_PRICE,
    filter_class=market.DevicePriceFilter,
    fetch=market.list_device_prices,
    cursors=[market.DEVICE_PRICE_KEYS],
    summary="Prices per device-hour",
    example="device:nvidia-h100-80gb",
)
