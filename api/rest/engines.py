"""Engines, the organizations that build them, and the requirement query."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.rest import schemas as s
from api.rest.common import (
    SessionDep,
    detail_route,
    filter_of,
    filter_query,
    list_route,
    max_list_values,
    nested_route,
    presented,
    presented_json,
    rest_words,
)
from api.rest.openapi_limits import LIST_VALUES
from api.services import benchmarks, engines, literature, market, support, techniques
from api.services.requirements import MAX_REQUIREMENTS, Requirements, match_leniently
from api.services.vocabulary import Interface, bounded, respelled
from models.base import SupportStatus

router = APIRouter(tags=["engines"])
StatusParam = Annotated[SupportStatus | None, Query(description="Only facts with this status.")]

list_route(
    router,
    "/engines",
    view=engines.ENGINE,
    filter_class=engines.EngineFilter,
    fetch=engines.list_engines,
    cursors=list(engines.ENGINE_ORDERS.values()),
    summary="List engines",
    example="technique:paged-attention,platform:amd-instinct",
    order=engines.EngineOrder,
    default_order=engines.EngineOrder.NAME,
)


detail_route(
    router,
    "/engines",
    view=engines.ENGINE,
    get=engines.get_engine,
    summary="One engine",
    jsonld_kind="engine",
)


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
    return presented_json(session, techniques.TECHNIQUE, rows)


nested_route(
    router,
    "/engines/{slug}/papers",
    parent=engines.get_engine,
    view=literature.ENGINE_PAPER,
    rows=literature.engine_papers,
    summary="An engine's own papers",
)
nested_route(
    router,
    "/engines/{slug}/model-prices",
    parent=engines.get_engine,
    view=market.MODEL_PRICE,
    rows=market.provider_model_prices,
    summary="A provider's model prices",
)
nested_route(
    router,
    "/engines/{slug}/device-prices",
    parent=engines.get_engine,
    view=market.DEVICE_PRICE,
    rows=market.provider_device_prices,
    summary="A provider's device prices",
)
nested_route(
    router,
    "/engines/{slug}/benchmark-runs",
    parent=engines.get_engine,
    view=benchmarks.RUN,
    rows=benchmarks.engine_runs,
    summary="Runs that measured an engine",
)


list_route(
    router,
    "/organizations",
    view=engines.ORGANIZATION,
    filter_class=engines.OrganizationFilter,
    fetch=engines.list_organizations,
    cursors=[engines.ORGANIZATION_KEYS],
    summary="List organizations",
    example="kind:academic",
)


detail_route(
    router,
    "/organizations",
    view=engines.ORGANIZATION,
    get=engines.get_organization,
    summary="One organization",
    jsonld_kind="organization",
)
nested_route(
    router,
    "/organizations/{slug}/engines",
    parent=engines.get_organization,
    view=engines.ENGINE,
    rows=engines.organization_engines,
    summary="Engines of an organization",
)


RequirementSlugs = Annotated[
    list[s.Slug] | None,
    Query(
        # A hard bound on what is read; the values are then deduplicated, and the document
        # promises only what is always accepted: three lists of at most a third of the cap
        # each never exceed it together (and each at most INFERGRAPH_MAX_LIST_VALUES).
        max_length=100,
        json_schema_extra={**LIST_VALUES, "maxItems": MAX_REQUIREMENTS // 3},
    ),
]
RequirementsFilter = filter_query(
    engines.EngineFilter,
    "organization_kind:academic",
    "Only these engines (the `/engines` filter).",
)


@router.get(
    "/requirements",
    response_model=s.list_of(s.RequirementMatchOut),
    summary="Engines ranked by requirements met",
    description="Every engine with the required techniques / platforms / precisions it "
    "meets, misses (a source says not supported) and leaves unknown, best first. A slug "
    "naming nothing stored is unknown for every engine; with no requirement, every engine "
    "meets all (none) and comes by name.",
)
def requirements_query(
    request: Request,
    session: SessionDep,
    technique: RequirementSlugs = None,
    platform: RequirementSlugs = None,
    precision: RequirementSlugs = None,
    filter: RequirementsFilter = None,  # type: ignore[valid-type]
) -> Any:
    engine_filter = filter_of(request, session, engines.EngineFilter, filter)
    with (
        rest_words(engines.EngineFilter),
        respelled(Requirements, Interface.REST, "requirements.", ""),
    ):
        wanted = bounded(
            Requirements(tuple(technique or ()), tuple(platform or ()), tuple(precision or ())),
            max_list_values(request),
            "requirements.",
        )
        matches = match_leniently(session, wanted, engine_filter)
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
