"""Platforms, devices and precisions, and every engine's facts about them."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.rest import schemas as s
from api.rest.common import (
    SessionDep,
    detail_route,
    list_route,
    presented_json,
)
from api.services import hardware, support
from models.base import SupportStatus

router = APIRouter(tags=["hardware"])
StatusParam = Annotated[SupportStatus | None, Query(description="Only facts with this status.")]

list_route(
    router,
    "/platforms",
    view=hardware.PLATFORM,
    filter_class=hardware.PlatformFilter,
    fetch=hardware.list_platforms,
    cursors=[hardware.PLATFORM_KEYS],
    summary="List platforms",
    example="kind:accelerator",
)


detail_route(
    router,
    "/platforms",
    view=hardware.PLATFORM,
    get=hardware.get_platform,
    summary="One platform",
    jsonld_kind="platform",
)


@router.get(
    "/platforms/{slug}/support",
    response_model=s.list_of(s.SupportOut),
    summary="Every engine's fact for a platform",
)
def platform_support(slug: str, session: SessionDep, status: StatusParam = None) -> Any:
    platform = hardware.get_platform(session, slug)
    kind = support.FactKind.PLATFORM
    rows = support.target_facts(session, kind, platform, status)
    return presented_json(session, support.SUPPORT_VIEWS[kind], rows)


@router.get("/precisions", response_model=s.list_of(s.PrecisionOut), summary="Numeric precisions")
def list_precisions(session: SessionDep) -> Any:
    return presented_json(session, hardware.PRECISION, hardware.all_precisions(session))


detail_route(
    router,
    "/precisions",
    view=hardware.PRECISION,
    get=hardware.get_precision,
    summary="One precision",
    jsonld_kind="precision",
)


@router.get(
    "/precisions/{slug}/support",
    response_model=s.list_of(s.SupportOut),
    summary="Every engine's fact for a precision",
)
def precision_support(slug: str, session: SessionDep, status: StatusParam = None) -> Any:
    precision = hardware.get_precision(session, slug)
    kind = support.FactKind.PRECISION
    rows = support.target_facts(session, kind, precision, status)
    return presented_json(session, support.SUPPORT_VIEWS[kind], rows)


@router.get("/devices", response_model=s.list_of(s.DeviceOut), summary="Devices")
def list_devices(session: SessionDep) -> Any:
    return presented_json(session, hardware.DEVICE, hardware.all_devices(session))


detail_route(
    router,
    "/devices",
    view=hardware.DEVICE,
    get=hardware.get_device,
    summary="One device",
    jsonld_kind="device",
)
