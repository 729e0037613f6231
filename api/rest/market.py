"""LLMs and what providers charge for models and devices."""

from typing import Any

from fastapi import APIRouter

from api.rest import schemas as s
from api.rest.common import SessionDep, list_route, presented
from api.services import market

router = APIRouter(tags=["models and prices"])


@router.get("/models", response_model=s.list_of(s.ModelOut), summary="LLMs")
def list_models(session: SessionDep) -> Any:
    return presented(session, market.MODEL, market.all_models(session))


@router.get("/models/{slug}", response_model=s.ModelOut, summary="One LLM")
def get_model(slug: str, session: SessionDep) -> Any:
    return presented(session, market.MODEL, [market.get_model(session, slug)])[0]


list_route(
    router,
    "/model-prices",
    view=market.MODEL_PRICE,
    filter_class=market.ModelPriceFilter,
    fetch=lambda session, f, _order, page: market.list_model_prices(session, f, page),
    summary="Prices per million tokens",
    example="provider:groqcloud",
)
list_route(
    router,
    "/device-prices",
    view=market.DEVICE_PRICE,
    filter_class=market.DevicePriceFilter,
    fetch=lambda session, f, _order, page: market.list_device_prices(session, f, page),
    summary="Prices per device-hour",
    example="device:nvidia-h100-80gb",
)
