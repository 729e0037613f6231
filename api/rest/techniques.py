"""Techniques, the category tree and the optimization-matrix columns."""

from typing import Any

from fastapi import APIRouter, Request

from api.rest import schemas as s
from api.rest.common import (
    PAPER_DOWNLOADS,
    SessionDep,
    detail_route,
    list_route,
    nested_route,
    presented_json,
)
from api.rest.papers import (
    PaperFormatParam,
    paper_format,
    paper_selection_response,
    paper_set_response,
)
from api.services import benchmarks, engines, literature, support, techniques

router = APIRouter(tags=["techniques"])


@router.get(
    "/categories", response_model=s.list_of(s.CategoryOut), summary="The technique category tree"
)
def list_categories(session: SessionDep) -> Any:
    return presented_json(session, techniques.CATEGORY, techniques.list_categories(session))


detail_route(
    router,
    "/categories",
    view=techniques.CATEGORY,
    get=techniques.get_category,
    summary="One category",
    jsonld_kind="category",
)


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
    fetch=techniques.list_techniques,
    cursors=[techniques.TECHNIQUE_KEYS],
    ranked=True,
    summary="List techniques",
    example="category:quantization",
)


detail_route(
    router,
    "/techniques",
    view=techniques.TECHNIQUE,
    get=techniques.get_technique,
    summary="One technique",
    jsonld_kind="technique",
)


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
        return presented_json(session, literature.CITATION, citations)
    papers = literature.cited_papers(session, citations)
    return paper_set_response(request, session, papers, chosen, f"technique-{slug}")


nested_route(
    router,
    "/techniques/{slug}/engines",
    parent=techniques.get_technique,
    view=engines.ENGINE,
    rows=lambda session, technique: engines.engines_supporting(session, technique.slug),
    summary="Engines supporting a technique",
)


@router.get(
    "/features", response_model=s.list_of(s.FeatureOut), summary="Optimization-matrix columns"
)
def list_features(session: SessionDep) -> Any:
    return presented_json(session, techniques.FEATURE, techniques.list_features(session))


detail_route(
    router,
    "/features",
    view=techniques.FEATURE,
    get=techniques.get_feature,
    summary="One matrix column",
    jsonld_kind="feature",
)
nested_route(
    router,
    "/features/{slug}/support",
    parent=techniques.get_feature,
    view=support.SUPPORT_VIEWS[support.FactKind.FEATURE],
    rows=lambda session, feature: support.target_facts(session, support.FactKind.FEATURE, feature),
    summary="Every engine's fact for a column",
)
nested_route(
    router,
    "/techniques/{slug}/benchmark-runs",
    parent=techniques.get_technique,
    view=benchmarks.RUN,
    rows=benchmarks.technique_runs,
    summary="Runs of the engines supporting a technique",
)
