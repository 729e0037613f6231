"""Platforms, devices and precisions, and every engine's facts about them."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.rest import schemas as s
from api.rest.common import (
    JSONLD,
    NodeFormatParam,
    SessionDep,
    jsonld_response,
    list_route,
    presented,
    wants_jsonld,
)
from api.services import hardware, support
from api.services.exports import node_jsonld
from models.base import SupportStatus

router = APIRouter(tags=["hardware"])
StatusParam = Annotated[SupportStatus | None, Query(description="Only facts with this status.")]

list_route(
    router,
    "/platforms",
    view=hardware.PLATFORM,
    filter_class=hardware.PlatformFilter,
    fetch=lambda session, f, _order, page: hardware.list_platforms(session, f, page),
    summary="List platforms",
    example="kind:accelerator",
)


@router.get(
    "/platforms/{slug}", response_model=s.PlatformOut, summary="One platform", responses=JSONLD
)
def get_platform(
    request: Request, slug: str, session: SessionDep, output_format: NodeFormatParam = None
) -> Any:
    platform = hardware.get_platform(session, slug)
    if wants_jsonld(request, output_format):
        return jsonld_response(node_jsonld(session, "platform", slug), slug)
    return presented(session, hardware.PLATFORM, [platform])[0]


@router.get(
    "/platforms/{slug}/support",
    response_model=s.list_of(s.SupportOut),
    summary="Every engine's fact for a platform",
)
def platform_support(slug: str, session: SessionDep, status: StatusParam = None) -> Any:
    platform = hardware.get_platform(session, slug)
    kind = support.FactKind.PLATFORM
    rows = support.target_facts(session, kind, platform, status)
    return presented(session, support.SUPPORT_VIEWS[kind], rows)


@router.get("/precisions", response_model=s.list_of(s.PrecisionOut), summary="Numeric precisions")
def list_precisions(session: SessionDep) -> Any:
    return presented(session, hardware.PRECISION, hardware.all_precisions(session))


@router.get("/precisions/{slug}", response_model=s.PrecisionOut, summary="One precision")
def get_precision(slug: str, session: SessionDep) -> Any:
    return presented(session, hardware.PRECISION, [hardware.get_precision(session, slug)])[0]


@router.get(
    "/precisions/{slug}/support",
    response_model=s.list_of(s.SupportOut),
    summary="Every engine's fact for a precision",
)
def precision_support(slug: str, session: SessionDep, status: StatusParam = None) -> Any:
    precision = hardware.get_precision(session, slug)
    kind = support.FactKind.PRECISION
    rows = support.target_facts(session, kind, precision, status)
    return presented(session, support.SUPPORT_VIEWS[kind], rows)


@router.get("/devices", response_model=s.list_of(s.DeviceOut), summary="Devices")
def list_devices(session: SessionDep) -> Any:
    return presented(session, hardware.DEVICE, hardware.all_devices(session))


@router.get("/devices/{slug}", response_model=s.DeviceOut, summary="One device", responses=JSONLD)
def get_device(
    request: Request, slug: str, session: SessionDep, output_format: NodeFormatParam = None
) -> Any:
    device = hardware.get_device(session, slug)
    if wants_jsonld(request, output_format):
        return jsonld_response(node_jsonld(session, "device", slug), slug)
    return presented(session, hardware.DEVICE, [device])[0]
