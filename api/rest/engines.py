"""Engines, the organizations that build them, and the requirement query."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.rest import schemas as s
from api.rest.common import (
    JSONLD,
    NodeFormatParam,
    SessionDep,
    filter_of,
    jsonld_response,
    list_route,
    presented,
    rest_words,
    wants_jsonld,
)
from api.services import benchmarks, engines, literature, market, support, techniques
from api.services.exports import node_jsonld
from api.services.requirements import Requirements, match_engines
from api.services.vocabulary import Interface, respelled
from models.base import SupportStatus

router = APIRouter(tags=["engines"])
StatusParam = Annotated[SupportStatus | None, Query(description="Only facts with this status.")]

list_route(
    router,
    "/engines",
    view=engines.ENGINE,
    filter_class=engines.EngineFilter,
    fetch=engines.list_engines,
    summary="List engines",
    example="technique:paged-attention,platform:amd-instinct",
    order=engines.EngineOrder,
    default_order=engines.EngineOrder.NAME,
)


@router.get("/engines/{slug}", response_model=s.EngineOut, summary="One engine", responses=JSONLD)
def get_engine(
    request: Request, slug: str, session: SessionDep, output_format: NodeFormatParam = None
) -> Any:
    engine = engines.get_engine(session, slug)
    if wants_jsonld(request, output_format):
        return jsonld_response(node_jsonld(session, "engine", slug), slug)
    return presented(session, engines.ENGINE, [engine])[0]


@router.get(
    "/engines/{slug}/support",
    response_model=s.list_of(s.SupportOut),
    summary="An engine's support facts",
    description="Every fact about the engine: optimization-matrix columns, platforms, "
    "precisions; narrow with `kind` and `status`.",
)
def engine_support(
    slug: str,
    session: SessionDep,
    kind: Annotated[support.FactKind | None, Query(description="Only facts of this kind.")] = None,
    status: StatusParam = None,
) -> Any:
    engine = engines.get_engine(session, slug)
    return [
        fact
        for fact_kind in support.FactKind
        if kind in (None, fact_kind)
        for fact in presented(
            session,
            support.SUPPORT_VIEWS[fact_kind],
            support.engine_facts(session, engine, fact_kind, status),
        )
    ]


@router.get(
    "/engines/{slug}/techniques",
    response_model=s.list_of(s.TechniqueOut),
    summary="Techniques an engine supports",
    description="Techniques of the matrix columns for which the engine has `status` "
    "(default supported).",
)
def engine_techniques(slug: str, session: SessionDep, status: StatusParam = None) -> Any:
    engine = engines.get_engine(session, slug)
    rows = techniques.engine_techniques(session, engine, status)
    return presented(session, techniques.TECHNIQUE, rows)


@router.get(
    "/engines/{slug}/papers",
    response_model=s.list_of(s.EnginePaperOut),
    summary="An engine's own papers",
)
def engine_papers(slug: str, session: SessionDep) -> Any:
    engine = engines.get_engine(session, slug)
    return presented(session, literature.ENGINE_PAPER, literature.engine_papers(session, engine))


@router.get(
    "/engines/{slug}/model-prices",
    response_model=s.list_of(s.ModelPriceOut),
    summary="A provider's model prices",
)
def engine_model_prices(slug: str, session: SessionDep) -> Any:
    engine = engines.get_engine(session, slug)
    return presented(session, market.MODEL_PRICE, market.provider_model_prices(session, engine))


@router.get(
    "/engines/{slug}/device-prices",
    response_model=s.list_of(s.DevicePriceOut),
    summary="A provider's device prices",
)
def engine_device_prices(slug: str, session: SessionDep) -> Any:
    engine = engines.get_engine(session, slug)
    return presented(session, market.DEVICE_PRICE, market.provider_device_prices(session, engine))


@router.get(
    "/engines/{slug}/benchmark-runs",
    response_model=s.list_of(s.BenchmarkRunOut),
    summary="Runs that measured an engine",
)
def engine_runs(slug: str, session: SessionDep) -> Any:
    engine = engines.get_engine(session, slug)
    return presented(session, benchmarks.RUN, benchmarks.engine_runs(session, engine))


list_route(
    router,
    "/organizations",
    view=engines.ORGANIZATION,
    filter_class=engines.OrganizationFilter,
    fetch=lambda session, f, _order, page: engines.list_organizations(session, f, page),
    summary="List organizations",
    example="kind:academic",
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
    organization = engines.get_organization(session, slug)
    if wants_jsonld(request, output_format):
        return jsonld_response(node_jsonld(session, "organization", slug), slug)
    return presented(session, engines.ORGANIZATION, [organization])[0]


@router.get(
    "/organizations/{slug}/engines",
    response_model=s.list_of(s.EngineOut),
    summary="Engines of an organization",
)
def organization_engines(slug: str, session: SessionDep) -> Any:
    return presented(session, engines.ENGINE, engines.organization_engines(session, slug))


@router.get(
    "/requirements",
    response_model=s.list_of(s.RequirementMatchOut),
    summary="Engines ranked by requirements met",
    description="Every engine with the required techniques / platforms / precisions it "
    "meets, misses (a source says not supported) and leaves unknown, best first.",
)
def requirements_query(
    session: SessionDep,
    technique: Annotated[list[str] | None, Query(max_length=100)] = None,
    platform: Annotated[list[str] | None, Query(max_length=100)] = None,
    precision: Annotated[list[str] | None, Query(max_length=100)] = None,
    filter: Annotated[str | None, Query(max_length=2000)] = None,
) -> Any:
    wanted = Requirements(tuple(technique or ()), tuple(platform or ()), tuple(precision or ()))
    engine_filter = filter_of(engines.EngineFilter, filter)
    with (
        rest_words(engines.EngineFilter),
        respelled(Requirements, Interface.REST, "requirements.", ""),
    ):
        matches = match_engines(session, wanted, engine_filter)
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
