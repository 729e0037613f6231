"""Engines and organizations."""

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
from api.services import engines as service
from api.services.engines import EngineFilter, EngineOrder, SupportCondition
from api.services.exports import node_jsonld
from api.services.pagination import table_page
from models.base import (
    DeploymentScale,
    HardwareDiversity,
    OpenSource,
    OrganizationKind,
    SupportStatus,
)

router = APIRouter(tags=["engines"])

ENGINE_FILTER_KEYS = (
    "technique",
    "platform",
    "precision",
    "status",
    "organization",
    "organization_kind",
    "open_source",
    "commercial",
    "deployment_scale",
    "hardware_diversity",
    "name",
)
StatusParam = Annotated[SupportStatus | None, Query(description="Only facts with this status.")]


def engine_filter(text: str | None) -> EngineFilter:
    f = parse_filter(text, ENGINE_FILTER_KEYS)
    statuses = f.choice("status", [x.value for x in SupportStatus])
    status = SupportStatus(statuses[0]) if statuses else SupportStatus.SUPPORTED

    def condition(key: str) -> SupportCondition | None:
        if key not in f.groups:
            return None
        return SupportCondition(tuple(f.all_of(key)), tuple(f.any_of(key)), status)

    scale = f.choice("deployment_scale", [x.value for x in DeploymentScale])
    diversity = f.choice("hardware_diversity", [x.value for x in HardwareDiversity])
    return EngineFilter(
        techniques=condition("technique"),
        platforms=condition("platform"),
        precisions=condition("precision"),
        organization_kinds=tuple(
            OrganizationKind(v)
            for v in f.choice("organization_kind", [x.value for x in OrganizationKind])
        ),
        organization=f.one("organization"),
        open_source=tuple(
            OpenSource(v) for v in f.choice("open_source", [x.value for x in OpenSource])
        ),
        commercial=f.boolean("commercial"),
        deployment_scale=DeploymentScale(scale[0]) if scale else None,
        hardware_diversity=HardwareDiversity(diversity[0]) if diversity else None,
        text=f.one("name"),
    )


@router.get(
    "/engines",
    response_model=s.ListPage[s.EngineOut],
    summary="List engines",
    description="Filter keys: `technique` (technique or matrix-column slugs, met through any "
    "matrix column containing the technique), `platform`, `precision`, `status` "
    "(supported | not_supported | unknown; applies to technique/platform/precision), "
    "`organization`, `organization_kind`, `open_source`, `commercial`, `deployment_scale`, "
    "`hardware_diversity`, `name` (substring of the name or an alias).",
    responses=CSV_DOWNLOAD,
)
def list_engines(
    request: Request,
    session: SessionDep,
    per_page: PerPage,
    filter: FilterParam = None,
    sort: Annotated[EngineOrder, Query(description="`-` sorts descending.")] = EngineOrder.NAME,
    cursor: CursorParam = None,
    output_format: FormatParam = None,
) -> Any:
    engine_filter_ = engine_filter(filter)
    return list_response(
        request,
        session,
        lambda page: service.list_engines(session, engine_filter_, sort, page),
        present.engines,
        per_page=per_page,
        cursor=cursor,
        output_format=output_format,
        filename="engines",
    )


@router.get("/engines/{slug}", response_model=s.EngineOut, summary="One engine", responses=JSONLD)
def get_engine(
    request: Request, slug: str, session: SessionDep, output_format: NodeFormatParam = None
) -> Any:
    if wants_jsonld(request, output_format):
        get_by_slug(session, m.Engine, slug, "engine")
        return jsonld_response(node_jsonld(session, "engine", slug), slug)
    return present.engines(session, [get_by_slug(session, m.Engine, slug, "engine")])[0]


@router.get(
    "/engines/{slug}/support",
    response_model=list[s.SupportOut],
    summary="An engine's support facts",
    description="Every fact about the engine: optimization-matrix columns, platforms, "
    "precisions; narrow with `kind` and `status`.",
)
def engine_support(
    slug: str,
    session: SessionDep,
    kind: Annotated[str | None, Query(pattern="^(feature|platform|precision)$")] = None,
    status: StatusParam = None,
) -> Any:
    engine = get_by_slug(session, m.Engine, slug, "engine")
    result: list[s.SupportOut] = []
    for fact_kind, model in (
        ("feature", m.FeatureSupport),
        ("platform", m.PlatformSupport),
        ("precision", m.PrecisionSupport),
    ):
        if kind not in (None, fact_kind):
            continue
        statement = select(model).where(model.engine_id == engine.id).order_by(col(model.id))
        if status is not None:
            statement = statement.where(model.status == status)
        result += present.support(session, list(session.exec(statement)), fact_kind)
    return result


@router.get(
    "/engines/{slug}/techniques",
    response_model=list[s.TechniqueOut],
    summary="Techniques an engine supports",
    description="Techniques of the matrix columns for which the engine has `status` "
    "(default supported).",
)
def engine_techniques(slug: str, session: SessionDep, status: StatusParam = None) -> Any:
    engine = get_by_slug(session, m.Engine, slug, "engine")
    rows = session.exec(
        select(m.Technique)
        .join(m.FeatureMember, col(m.FeatureMember.technique_id) == m.Technique.id)
        .join(m.FeatureSupport, col(m.FeatureSupport.feature_id) == m.FeatureMember.feature_id)
        .where(
            m.FeatureSupport.engine_id == engine.id,
            m.FeatureSupport.status == (status or SupportStatus.SUPPORTED),
        )
        .distinct()
        .order_by(col(m.Technique.category_id), col(m.Technique.position))
    )
    return present.techniques(session, list(rows))


@router.get(
    "/engines/{slug}/papers",
    response_model=list[s.EnginePaperOut],
    summary="An engine's own papers",
)
def engine_papers(slug: str, session: SessionDep) -> Any:
    engine = get_by_slug(session, m.Engine, slug, "engine")
    rows = session.exec(
        select(m.EnginePaper)
        .where(m.EnginePaper.engine_id == engine.id)
        .order_by(col(m.EnginePaper.position))
    )
    return present.engine_papers(session, list(rows))


@router.get(
    "/engines/{slug}/model-prices",
    response_model=list[s.ModelPriceOut],
    summary="A provider's model prices",
)
def engine_model_prices(slug: str, session: SessionDep) -> Any:
    engine = get_by_slug(session, m.Engine, slug, "engine")
    rows = session.exec(
        select(m.ModelPrice)
        .where(m.ModelPrice.provider_id == engine.id)
        .order_by(col(m.ModelPrice.id))
    )
    return present.model_prices(session, list(rows))


@router.get(
    "/engines/{slug}/device-prices",
    response_model=list[s.DevicePriceOut],
    summary="A provider's device prices",
)
def engine_device_prices(slug: str, session: SessionDep) -> Any:
    engine = get_by_slug(session, m.Engine, slug, "engine")
    rows = session.exec(
        select(m.DevicePrice)
        .where(m.DevicePrice.provider_id == engine.id)
        .order_by(col(m.DevicePrice.id))
    )
    return present.device_prices(session, list(rows))


@router.get(
    "/engines/{slug}/benchmark-runs",
    response_model=list[s.BenchmarkRunOut],
    summary="Runs that measured an engine",
)
def engine_runs(slug: str, session: SessionDep) -> Any:
    engine = get_by_slug(session, m.Engine, slug, "engine")
    rows = session.exec(
        select(m.BenchmarkRun)
        .where(m.BenchmarkRun.engine_id == engine.id)
        .order_by(col(m.BenchmarkRun.slug))
    )
    return present.benchmark_runs(session, list(rows))


@router.get(
    "/organizations",
    response_model=s.ListPage[s.OrganizationOut],
    summary="List organizations",
    description="Filter keys: `kind`.",
    responses=CSV_DOWNLOAD,
)
def list_organizations(
    request: Request,
    session: SessionDep,
    per_page: PerPage,
    filter: FilterParam = None,
    cursor: CursorParam = None,
    output_format: FormatParam = None,
) -> Any:
    f = parse_filter(filter, ("kind",))
    kinds = f.choice("kind", [x.value for x in OrganizationKind])
    where = [col(m.Organization.kind).in_(kinds)] if kinds else []
    return list_response(
        request,
        session,
        lambda page: table_page(session, m.Organization, "name", page, *where),
        lambda _, rows: present.plain(s.OrganizationOut, rows),
        per_page=per_page,
        cursor=cursor,
        output_format=output_format,
        filename="organizations",
    )


@router.get(
    "/organizations/{slug}",
    response_model=s.OrganizationOut,
    summary="One organization",
    responses=JSONLD,
)
def get_organization(
    request: Request, slug: str, session: SessionDep, output_format: NodeFormatParam = None
) -> Any:
    if wants_jsonld(request, output_format):
        get_by_slug(session, m.Organization, slug, "organization")
        return jsonld_response(node_jsonld(session, "organization", slug), slug)
    return s.OrganizationOut.model_validate(
        get_by_slug(session, m.Organization, slug, "organization")
    )


@router.get(
    "/organizations/{slug}/engines",
    response_model=list[s.EngineOut],
    summary="Engines of an organization",
)
def organization_engines(slug: str, session: SessionDep) -> Any:
    organization = get_by_slug(session, m.Organization, slug, "organization")
    rows = session.exec(
        select(m.Engine)
        .where(m.Engine.organization_id == organization.id)
        .order_by(col(m.Engine.name))
    )
    return present.engines(session, list(rows))


@router.get(
    "/requirements",
    response_model=list[s.RequirementMatchOut],
    summary="Engines ranked by requirements met",
    description="Every engine with the required techniques / platforms / precisions it "
    "meets, misses (a source says not supported) and leaves unknown, best first.",
)
def requirements_query(
    session: SessionDep,
    technique: Annotated[list[str] | None, Query(max_length=100)] = None,
    platform: Annotated[list[str] | None, Query(max_length=100)] = None,
    precision: Annotated[list[str] | None, Query(max_length=100)] = None,
    filter: FilterParam = None,
) -> Any:
    from api.services.requirements import Requirements, match_engines

    matches = match_engines(
        session,
        Requirements(tuple(technique or ()), tuple(platform or ()), tuple(precision or ())),
        engine_filter(filter),
    )
    return [
        s.RequirementMatchOut(
            engine=x.engine.slug,
            engine_name=x.engine.name,
            score=x.score,
            met=[s.RequirementOut(kind=r.kind, slug=r.slug) for r in x.met],
            missing=[s.RequirementOut(kind=r.kind, slug=r.slug) for r in x.missing],
            unknown=[s.RequirementOut(kind=r.kind, slug=r.slug) for r in x.unknown],
        )
        for x in matches
    ]
