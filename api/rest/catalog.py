"""Hardware, models, prices, benchmark runs and sources."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlmodel import col, select

import models as m
from api.rest import present
from api.rest import schemas as s
from api.rest.common import (
    CSV_DOWNLOAD,
    JSONLD,
    CursorParam,
    FilterParam,
    FormatParam,
    NodeFormatParam,
    PerPage,
    SessionDep,
    get_by_slug,
    jsonld_response,
    list_response,
    wants_jsonld,
)
from api.rest.filters import parse_filter
from api.services.exports import node_jsonld
from api.services.pagination import table_page
from models.base import PlatformKind, SourceKind, SupportStatus

router = APIRouter(tags=["hardware, prices and measurements"])
StatusParam = Annotated[SupportStatus | None, Query(description="Only facts with this status.")]


def _slug_condition(column: Any, model: type[Any], slugs: list[str]) -> Any:
    """`column` refers to a row of `model` whose slug is one of `slugs`."""
    return col(column).in_(select(model.id).where(col(model.slug).in_(slugs)))


@router.get(
    "/platforms",
    response_model=s.ListPage[s.PlatformOut],
    summary="List platforms",
    description="Filter keys: `kind`.",
    responses=CSV_DOWNLOAD,
)
def list_platforms(
    request: Request,
    session: SessionDep,
    per_page: PerPage,
    filter: FilterParam = None,
    cursor: CursorParam = None,
    output_format: FormatParam = None,
) -> Any:
    kinds = parse_filter(filter, ("kind",)).choice("kind", [k.value for k in PlatformKind])
    where = [col(m.Platform.kind).in_(kinds)] if kinds else []
    return list_response(
        request,
        session,
        lambda page: table_page(session, m.Platform, "id", page, *where),
        present.platforms,
        per_page=per_page,
        cursor=cursor,
        output_format=output_format,
        filename="platforms",
    )


@router.get(
    "/platforms/{slug}", response_model=s.PlatformOut, summary="One platform", responses=JSONLD
)
def get_platform(
    request: Request, slug: str, session: SessionDep, output_format: NodeFormatParam = None
) -> Any:
    if wants_jsonld(request, output_format):
        get_by_slug(session, m.Platform, slug, "platform")
        return jsonld_response(node_jsonld(session, "platform", slug), slug)
    return present.platforms(session, [get_by_slug(session, m.Platform, slug, "platform")])[0]


@router.get(
    "/platforms/{slug}/support",
    response_model=list[s.SupportOut],
    summary="Every engine's fact for a platform",
)
def platform_support(slug: str, session: SessionDep, status: StatusParam = None) -> Any:
    platform = get_by_slug(session, m.Platform, slug, "platform")
    statement = select(m.PlatformSupport).where(m.PlatformSupport.platform_id == platform.id)
    if status is not None:
        statement = statement.where(m.PlatformSupport.status == status)
    rows = session.exec(statement.order_by(col(m.PlatformSupport.engine_id)))
    return present.support(session, list(rows), "platform")


@router.get("/precisions", response_model=list[s.PrecisionOut], summary="Numeric precisions")
def list_precisions(session: SessionDep) -> Any:
    rows = session.exec(select(m.Precision).order_by(col(m.Precision.id)))
    return present.plain(s.PrecisionOut, list(rows))


@router.get("/precisions/{slug}", response_model=s.PrecisionOut, summary="One precision")
def get_precision(slug: str, session: SessionDep) -> Any:
    return s.PrecisionOut.model_validate(get_by_slug(session, m.Precision, slug, "precision"))


@router.get(
    "/precisions/{slug}/support",
    response_model=list[s.SupportOut],
    summary="Every engine's fact for a precision",
)
def precision_support(slug: str, session: SessionDep, status: StatusParam = None) -> Any:
    precision = get_by_slug(session, m.Precision, slug, "precision")
    statement = select(m.PrecisionSupport).where(m.PrecisionSupport.precision_id == precision.id)
    if status is not None:
        statement = statement.where(m.PrecisionSupport.status == status)
    rows = session.exec(statement.order_by(col(m.PrecisionSupport.engine_id)))
    return present.support(session, list(rows), "precision")


@router.get("/devices", response_model=list[s.DeviceOut], summary="Devices")
def list_devices(session: SessionDep) -> Any:
    rows = session.exec(select(m.Device).order_by(col(m.Device.name)))
    return present.devices(session, list(rows))


@router.get("/devices/{slug}", response_model=s.DeviceOut, summary="One device", responses=JSONLD)
def get_device(
    request: Request, slug: str, session: SessionDep, output_format: NodeFormatParam = None
) -> Any:
    if wants_jsonld(request, output_format):
        get_by_slug(session, m.Device, slug, "device")
        return jsonld_response(node_jsonld(session, "device", slug), slug)
    return present.devices(session, [get_by_slug(session, m.Device, slug, "device")])[0]


@router.get("/models", response_model=list[s.ModelOut], summary="LLMs")
def list_models(session: SessionDep) -> Any:
    rows = session.exec(select(m.LLMModel).order_by(col(m.LLMModel.name)))
    return present.plain(s.ModelOut, list(rows))


@router.get("/models/{slug}", response_model=s.ModelOut, summary="One LLM")
def get_model(slug: str, session: SessionDep) -> Any:
    return s.ModelOut.model_validate(get_by_slug(session, m.LLMModel, slug, "model"))


@router.get(
    "/model-prices",
    response_model=s.ListPage[s.ModelPriceOut],
    summary="Prices per million tokens",
    description="Filter keys: `provider` (engine slug), `model`.",
    responses=CSV_DOWNLOAD,
)
def list_model_prices(
    request: Request,
    session: SessionDep,
    per_page: PerPage,
    filter: FilterParam = None,
    cursor: CursorParam = None,
    output_format: FormatParam = None,
) -> Any:
    f = parse_filter(filter, ("provider", "model"))
    where = []
    if f.values("provider"):
        where.append(_slug_condition(m.ModelPrice.provider_id, m.Engine, f.values("provider")))
    if f.values("model"):
        where.append(_slug_condition(m.ModelPrice.model_id, m.LLMModel, f.values("model")))
    return list_response(
        request,
        session,
        lambda page: table_page(session, m.ModelPrice, "id", page, *where),
        present.model_prices,
        per_page=per_page,
        cursor=cursor,
        output_format=output_format,
        filename="model-prices",
    )


@router.get(
    "/device-prices",
    response_model=s.ListPage[s.DevicePriceOut],
    summary="Prices per device-hour",
    description="Filter keys: `provider` (engine slug), `device`.",
    responses=CSV_DOWNLOAD,
)
def list_device_prices(
    request: Request,
    session: SessionDep,
    per_page: PerPage,
    filter: FilterParam = None,
    cursor: CursorParam = None,
    output_format: FormatParam = None,
) -> Any:
    f = parse_filter(filter, ("provider", "device"))
    where = []
    if f.values("provider"):
        where.append(_slug_condition(m.DevicePrice.provider_id, m.Engine, f.values("provider")))
    if f.values("device"):
        where.append(_slug_condition(m.DevicePrice.device_id, m.Device, f.values("device")))
    return list_response(
        request,
        session,
        lambda page: table_page(session, m.DevicePrice, "id", page, *where),
        present.device_prices,
        per_page=per_page,
        cursor=cursor,
        output_format=output_format,
        filename="device-prices",
    )


@router.get(
    "/benchmark-runs",
    response_model=s.ListPage[s.BenchmarkRunOut],
    summary="Benchmark runs",
    description="Filter keys: `engine`, `model`, `device`, `source` (slugs), `metric`.",
    responses=CSV_DOWNLOAD,
)
def list_benchmark_runs(
    request: Request,
    session: SessionDep,
    per_page: PerPage,
    filter: FilterParam = None,
    cursor: CursorParam = None,
    output_format: FormatParam = None,
) -> Any:
    f = parse_filter(filter, ("engine", "model", "device", "source", "metric"))
    where: list[Any] = []
    for key, column, model in (
        ("engine", m.BenchmarkRun.engine_id, m.Engine),
        ("model", m.BenchmarkRun.model_id, m.LLMModel),
        ("device", m.BenchmarkRun.device_id, m.Device),
        ("source", m.BenchmarkRun.source_id, m.Source),
    ):
        if f.values(key):
            where.append(_slug_condition(column, model, f.values(key)))
    if f.values("metric"):
        where.append(col(m.BenchmarkRun.metric).in_(f.values("metric")))
    return list_response(
        request,
        session,
        lambda page: table_page(session, m.BenchmarkRun, "slug", page, *where),
        present.benchmark_runs,
        per_page=per_page,
        cursor=cursor,
        output_format=output_format,
        filename="benchmark-runs",
    )


@router.get("/sources", response_model=list[s.SourceOut], summary="Sources of facts")
def list_sources(
    session: SessionDep,
    kind: Annotated[SourceKind | None, Query(description="Only sources of this kind.")] = None,
) -> Any:
    statement = select(m.Source).order_by(col(m.Source.id))
    if kind is not None:
        statement = statement.where(m.Source.kind == kind)
    return present.plain(s.SourceOut, list(session.exec(statement)))


@router.get("/sources/{slug}", response_model=s.SourceOut, summary="One source")
def get_source(slug: str, session: SessionDep) -> Any:
    return s.SourceOut.model_validate(get_by_slug(session, m.Source, slug, "source"))
