"""Techniques, the category tree and the optimization-matrix columns."""

from typing import Any

from fastapi import APIRouter, Request

from api.rest import schemas as s
from api.rest.common import (
    JSONLD,
    PAPER_DOWNLOADS,
    NodeFormatParam,
    SessionDep,
    jsonld_response,
    list_route,
    presented,
    wants_jsonld,
)
from api.rest.papers import (
    PaperFormatParam,
    paper_format,
    paper_selection_response,
    paper_set_response,
)
from api.services import engines, literature, support, techniques
from api.services.exports import node_jsonld

router = APIRouter(tags=["techniques"])


@router.get(
    "/categories", response_model=s.list_of(s.CategoryOut), summary="The technique category tree"
)
def list_categories(session: SessionDep) -> Any:
    return presented(session, techniques.CATEGORY, techniques.list_categories(session))


@router.get(
    "/categories/{slug}", response_model=s.CategoryOut, summary="One category", responses=JSONLD
)
def get_category(
    request: Request, slug: str, session: SessionDep, output_format: NodeFormatParam = None
) -> Any:
    category = techniques.get_category(session, slug)
    if wants_jsonld(request, output_format):
        return jsonld_response(node_jsonld(session, "category", slug), slug)
    return presented(session, techniques.CATEGORY, [category])[0]


@router.get(
    "/categories/{slug}/papers",
    response_model=s.list_of(s.PaperOut),
    summary="Papers cited by a whole category (sub-categories included)",
    responses=PAPER_DOWNLOADS,
)
def category_papers(
    request: Request, slug: str, session: SessionDep, output_format: PaperFormatParam = None
) -> Any:
    techniques.get_category(session, slug)
    paper_filter = literature.PaperFilter(category=slug)
    return paper_selection_response(
        request,
        session,
        paper_filter,
        literature.PaperOrder.KEY,
        paper_format(request, output_format),
        f"category-{slug}",
    )


list_route(
    router,
    "/techniques",
    view=techniques.TECHNIQUE,
    filter_class=techniques.TechniqueFilter,
    fetch=lambda session, f, _order, page: techniques.list_techniques(session, f, page),
    summary="List techniques",
    example="category:quantization",
)


@router.get(
    "/techniques/{slug}", response_model=s.TechniqueOut, summary="One technique", responses=JSONLD
)
def get_technique(
    request: Request, slug: str, session: SessionDep, output_format: NodeFormatParam = None
) -> Any:
    technique = techniques.get_technique(session, slug)
    if wants_jsonld(request, output_format):
        return jsonld_response(node_jsonld(session, "technique", slug), slug)
    return presented(session, techniques.TECHNIQUE, [technique])[0]


@router.get(
    "/techniques/{slug}/papers",
    response_model=s.list_of(s.CitationOut),
    summary="A technique's citations",
    description="In the survey's order with its labels; `format=bibtex` downloads the papers.",
    responses=PAPER_DOWNLOADS,
)
def technique_papers(
    request: Request, slug: str, session: SessionDep, output_format: PaperFormatParam = None
) -> Any:
    citations = literature.technique_citations(session, techniques.get_technique(session, slug))
    chosen = paper_format(request, output_format)
    if chosen == "json":
        return presented(session, literature.CITATION, citations)
    papers = literature.cited_papers(session, citations)
    return paper_set_response(request, session, papers, chosen, f"technique-{slug}")


@router.get(
    "/techniques/{slug}/engines",
    response_model=s.list_of(s.EngineOut),
    summary="Engines supporting a technique",
)
def technique_engines(slug: str, session: SessionDep) -> Any:
    techniques.get_technique(session, slug)
    return presented(session, engines.ENGINE, engines.engines_supporting(session, slug))


@router.get(
    "/features", response_model=s.list_of(s.FeatureOut), summary="Optimization-matrix columns"
)
def list_features(session: SessionDep) -> Any:
    return presented(session, techniques.FEATURE, techniques.list_features(session))


@router.get("/features/{slug}", response_model=s.FeatureOut, summary="One matrix column")
def get_feature(slug: str, session: SessionDep) -> Any:
    return presented(session, techniques.FEATURE, [techniques.get_feature(session, slug)])[0]


@router.get(
    "/features/{slug}/support",
    response_model=s.list_of(s.SupportOut),
    summary="Every engine's fact for a column",
)
def feature_support(slug: str, session: SessionDep) -> Any:
    feature = techniques.get_feature(session, slug)
    kind = support.FactKind.FEATURE
    return presented(
        session, support.SUPPORT_VIEWS[kind], support.target_facts(session, kind, feature)
    )
