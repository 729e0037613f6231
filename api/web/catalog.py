"""Pages of the graph's entities, each beside its REST twin: engines, organizations,
techniques, the category tree, papers, platforms, precisions, benchmark runs and prices."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.services import (
    benchmarks,
    engines,
    hardware,
    literature,
    market,
    profile,
    provenance,
    support,
    techniques,
)
from api.services.pagination import all_items
from api.services.views import present
from api.web.lists import Column, ListPage, linked, reference, render_list, text
from api.web.rendering import PageRoute, render
from api.web.sessions import SessionDep
from models.base import SupportStatus

router = APIRouter(route_class=PageRoute, include_in_schema=False)
SHOWN_PER_CATEGORY = 12
"""Techniques named under each category of the tree; the rest one link away."""
SHOWN_CITATIONS = 50
SHOWN_ENGINES = 40
"""Citations and engines (per status) a technique page names; the twins list every one."""
STATUSES = (SupportStatus.SUPPORTED, SupportStatus.NOT_SUPPORTED, SupportStatus.UNKNOWN)


def _organization(row: dict[str, Any]) -> tuple[str, str | None]:
    organization = row.get("organization")
    if not organization:
        return "", None
    return str(organization["name"]), f"/organizations/{organization['slug']}"


def _paper_title(row: dict[str, Any]) -> tuple[str, str | None]:
    return str(row["title"]), f"/papers/{row['key']}"


def _value(row: dict[str, Any]) -> tuple[str, str | None]:
    marks = {"greater_than": ">", "less_than": "<", "approximately": "~"}
    qualifier = getattr(row.get("qualifier"), "value", row.get("qualifier"))
    value = f"{row['value']:g}" if row.get("value") is not None else ""
    if row.get("value_max") is not None:
        value += f"–{row['value_max']:g}"
    return f"{marks.get(str(qualifier), '')}{value} {row.get('unit') or ''}".strip(), None


LISTS: dict[str, ListPage] = {
    "engines": ListPage(
        title="Engines",
        api_path="/api/v1/engines",
        view=engines.ENGINE,
        filter_class=engines.EngineFilter,
        fetch=engines.list_engines,
        order=engines.EngineOrder,
        default_order=engines.EngineOrder.NAME,
        example="technique:paged-attention,platform:amd-instinct",
        intro="LLM inference engines and hosted services; filter by what they support.",
        columns=(
            linked("engine", "name", "/engines"),
            Column("organization", _organization),
            text("release"),
            text("open_source"),
            text("github_stars"),
            text("deployment_scale"),
        ),
    ),
    "organizations": ListPage(
        title="Organizations",
        api_path="/api/v1/organizations",
        view=engines.ORGANIZATION,
        filter_class=engines.OrganizationFilter,
        fetch=engines.list_organizations,
        example="kind:academic",
        columns=(linked("organization", "name", "/organizations"), text("kind")),
    ),
    "techniques": ListPage(
        title="Techniques",
        api_path="/api/v1/techniques",
        view=techniques.TECHNIQUE,
        filter_class=techniques.TechniqueFilter,
        fetch=techniques.list_techniques,
        example="category:quantization",
        intro="Optimization techniques, each in a category of the survey's tree.",
        columns=(
            linked("technique", "name", "/techniques"),
            reference("category", "category", "/categories"),
            text("description"),
        ),
    ),
    "papers": ListPage(
        title="Papers",
        api_path="/api/v1/papers",
        view=literature.PAPER,
        filter_class=literature.PaperFilter,
        fetch=literature.list_papers,
        order=literature.PaperOrder,
        default_order=literature.PaperOrder.YEAR_DESC,
        example="technique:paged-attention",
        intro="Works the survey cites and engines' own papers, with full BibTeX.",
        downloads=(("CSV", "csv"), ("BibTeX", "bibtex"), ("CSL-JSON", "csl-json")),
        columns=(
            Column("title", _paper_title),
            text("year"),
            text("venue"),
            text("arxiv_id"),
            text("doi"),
        ),
    ),
    "platforms": ListPage(
        title="Platforms",
        api_path="/api/v1/platforms",
        view=hardware.PLATFORM,
        filter_class=hardware.PlatformFilter,
        fetch=hardware.list_platforms,
        example="kind:accelerator",
        intro="Hardware-matrix columns: operating systems, CPU architectures, accelerators, "
        "edge devices and hosted APIs.",
        columns=(linked("platform", "name", "/platforms"), text("kind")),
    ),
    "benchmark-runs": ListPage(
        title="Benchmark runs",
        api_path="/api/v1/benchmark-runs",
        view=benchmarks.RUN,
        filter_class=benchmarks.RunFilter,
        fetch=benchmarks.list_runs,
        example="engine:vllm",
        order=benchmarks.RunOrder,
        default_order=benchmarks.RunOrder.SLUG,
        intro="Measured runs, each with the source it was reported in; `sort=-value` puts the "
        "largest values first (throughputs), `value` the smallest (latencies).",
        columns=(
            reference("engine", "engine", "/engines"),
            text("model_scope"),
            text("metric"),
            Column("value", _value),
            text("concurrency"),
            text("device"),
            text("workload"),
            text("source"),
        ),
    ),
    "model-prices": ListPage(
        title="Model prices",
        api_path="/api/v1/model-prices",
        view=market.MODEL_PRICE,
        filter_class=market.ModelPriceFilter,
        fetch=market.list_model_prices,
        example="provider:groqcloud",
        intro="USD per million tokens by provider and model. See also "
        "device prices (/device-prices).",
        columns=(
            reference("provider", "provider", "/engines"),
            text("model"),
            text("input_usd_per_million_tokens"),
            text("output_usd_per_million_tokens"),
            text("model_variant"),
            text("pricing_mode"),
        ),
    ),
    "device-prices": ListPage(
        title="Device prices",
        api_path="/api/v1/device-prices",
        view=market.DEVICE_PRICE,
        filter_class=market.DevicePriceFilter,
        fetch=market.list_device_prices,
        example="device:nvidia-h100-80gb",
        intro="USD per device-hour by provider.",
        columns=(
            reference("provider", "provider", "/engines"),
            text("device"),
            text("usd_per_hour"),
        ),
    ),
}


def _list_endpoint(name: str) -> Any:
    spec = LISTS[name]

    def endpoint(request: Request, session: SessionDep) -> HTMLResponse:
        return render_list(request, session, spec)

    endpoint.__name__ = "page_" + name.replace("-", "_")
    return endpoint


for _name in LISTS:
    router.get(f"/{_name}")(_list_endpoint(_name))


@router.get("/prices")
def prices(request: Request) -> HTMLResponse:
    return render(
        request,
        "prices.html",
        title="Prices",
        twins=[
            ("model prices JSON", "/api/v1/model-prices"),
            ("device prices JSON", "/api/v1/device-prices"),
        ],
    )


def _all_engines(session: SessionDep) -> list[Any]:
    return list(all_items(lambda page: engines.list_engines(session, page=page)))


def _by_status(rows: list[Any]) -> dict[str, list[Any]]:
    """Engines (as presented dicts) grouped by the status of their fact."""
    return {status.value: [r for r in rows if r["status"] == status] for status in STATUSES}


@router.get("/engines/{slug}")
def engine_page(request: Request, slug: str, session: SessionDep) -> HTMLResponse:
    engine = engines.get_engine(session, slug)
    shown = present(session, engines.ENGINE, [engine])[0]
    facts = {
        kind: present(
            session, support.SUPPORT_VIEWS[kind], support.engine_facts(session, engine, kind)
        )
        for kind in support.FactKind
    }
    supported = techniques.engine_techniques(session, engine, SupportStatus.SUPPORTED)
    others = _all_engines(session)
    return render(
        request,
        "engine.html",
        title=engine.name,
        engine=shown,
        facts={kind.value: _by_status(rows) for kind, rows in facts.items()},
        techniques=present(session, techniques.TECHNIQUE, supported),
        papers=present(session, literature.ENGINE_PAPER, literature.engine_papers(session, engine)),
        runs=present(session, benchmarks.RUN, benchmarks.engine_runs(session, engine)),
        model_prices=present(
            session, market.MODEL_PRICE, market.provider_model_prices(session, engine)
        ),
        others=[(e.slug, e.name) for e in others if e.slug != slug],
        profile=profile.engine_profiles(session, [engine])[0],
        twins=[
            ("JSON", f"/api/v1/engines/{slug}"),
            ("derived profile JSON", f"/api/v1/engines/{slug}/profile"),
            ("profile radar CSV", f"/api/v1/charts/radar.csv?engine={slug}"),
            ("JSON-LD", f"/api/v1/engines/{slug}?format=jsonld"),
            ("support facts JSON", f"/api/v1/engines/{slug}/support"),
            (
                "papers behind its techniques, BibTeX",
                f"/api/v1/engines/{slug}/technique-papers?format=bibtex",
            ),
        ],
    )


@router.get("/organizations/{slug}")
def organization_page(request: Request, slug: str, session: SessionDep) -> HTMLResponse:
    organization = engines.get_organization(session, slug)
    return render(
        request,
        "organization.html",
        title=organization.name,
        organization=present(session, engines.ORGANIZATION, [organization])[0],
        engines=present(
            session, engines.ENGINE, engines.organization_engines(session, organization)
        ),
        twins=[
            ("JSON", f"/api/v1/organizations/{slug}"),
            ("its engines, JSON", f"/api/v1/organizations/{slug}/engines"),
        ],
    )


@router.get("/techniques/{slug}")
def technique_page(request: Request, slug: str, session: SessionDep) -> HTMLResponse:
    technique = techniques.get_technique(session, slug)
    categories = {c.id: c for c in techniques.list_categories(session)}
    path: list[Any] = []
    category = categories.get(technique.category_id)
    while category is not None:
        path.insert(0, category)
        category = categories.get(category.parent_id)
    citations = literature.technique_citations(session, technique)
    by_status = {
        status.value: engines.engines_supporting(session, slug, status) for status in STATUSES
    }
    return render(
        request,
        "technique.html",
        title=technique.name,
        technique=present(session, techniques.TECHNIQUE, [technique])[0],
        category_path=[(c.slug, c.name) for c in path],
        citations=present(session, literature.CITATION, citations[:SHOWN_CITATIONS]),
        citation_count=len(citations),
        shown_citations=SHOWN_CITATIONS,
        engines_by_status=by_status,
        shown_engines=SHOWN_ENGINES,
        twins=[
            ("JSON", f"/api/v1/techniques/{slug}"),
            ("citations JSON", f"/api/v1/techniques/{slug}/papers"),
            ("citations BibTeX", f"/api/v1/techniques/{slug}/papers?format=bibtex"),
            ("engines JSON", f"/api/v1/techniques/{slug}/engines"),
        ],
    )


@router.get("/categories")
def categories_page(request: Request, session: SessionDep) -> HTMLResponse:
    categories = techniques.list_categories(session)
    by_category = techniques.techniques_by_category(session, SHOWN_PER_CATEGORY)
    children: dict[int | None, list[Any]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    return render(
        request,
        "categories.html",
        title="Technique categories",
        children=children,
        members=by_category,
        twins=[("JSON", "/api/v1/categories")],
    )


@router.get("/categories/{slug}")
def category_page(request: Request, slug: str, session: SessionDep) -> HTMLResponse:
    category = techniques.get_category(session, slug)
    members = list(
        all_items(
            lambda page: techniques.list_techniques(
                session, techniques.TechniqueFilter(category=slug), page=page
            )
        )
    )
    return render(
        request,
        "category.html",
        title=category.name,
        category=present(session, techniques.CATEGORY, [category])[0],
        techniques=present(session, techniques.TECHNIQUE, members),
        twins=[
            ("JSON", f"/api/v1/categories/{slug}"),
            ("papers BibTeX", f"/api/v1/categories/{slug}/papers?format=bibtex"),
        ],
    )


@router.get("/papers/{key}")
def paper_page(request: Request, key: str, session: SessionDep) -> HTMLResponse:
    paper = literature.get_paper(session, key)
    shown = present(session, literature.PAPER, [paper])[0]
    return render(
        request,
        "paper.html",
        title=paper.title or paper.bibtex_key,
        paper=shown,
        techniques=present(
            session, techniques.TECHNIQUE, techniques.paper_techniques(session, paper)
        ),
        engines=present(
            session, literature.ENGINE_PAPER, literature.papers_of_engines(session, paper)
        ),
        twins=[
            ("JSON", f"/api/v1/papers/{shown['key']}"),
            ("BibTeX", f"/api/v1/papers/{shown['key']}?format=bibtex"),
            ("CSL-JSON", f"/api/v1/papers/{shown['key']}?format=csl-json"),
            ("JSON-LD", f"/api/v1/papers/{shown['key']}?format=jsonld"),
        ],
    )


def _target_page(
    request: Request, session: SessionDep, kind: support.FactKind, row: Any, view: Any, api: str
) -> HTMLResponse:
    facts = present(session, support.SUPPORT_VIEWS[kind], support.target_facts(session, kind, row))
    names = {e.slug: e.name for e in _all_engines(session)}
    return render(
        request,
        "target.html",
        title=row.name,
        target=present(session, view, [row])[0],
        kind=kind.value,
        facts=_by_status(facts),
        engine_names=names,
        twins=[("JSON", f"{api}/{row.slug}"), ("support facts JSON", f"{api}/{row.slug}/support")],
    )


@router.get("/platforms/{slug}")
def platform_page(request: Request, slug: str, session: SessionDep) -> HTMLResponse:
    platform = hardware.get_platform(session, slug)
    return _target_page(
        request,
        session,
        support.FactKind.PLATFORM,
        platform,
        hardware.PLATFORM,
        "/api/v1/platforms",
    )


@router.get("/precisions/{slug}")
def precision_page(request: Request, slug: str, session: SessionDep) -> HTMLResponse:
    precision = hardware.get_precision(session, slug)
    return _target_page(
        request,
        session,
        support.FactKind.PRECISION,
        precision,
        hardware.PRECISION,
        "/api/v1/precisions",
    )


@router.get("/precisions")
def precisions_page(request: Request, session: SessionDep) -> HTMLResponse:
    return render(
        request,
        "precisions.html",
        title="Precisions",
        precisions=present(session, hardware.PRECISION, hardware.all_precisions(session)),
        twins=[("JSON", "/api/v1/precisions")],
    )


@router.get("/sources/{slug}")
def source_page(request: Request, slug: str, session: SessionDep) -> HTMLResponse:
    source = provenance.get_source(session, slug)
    return render(
        request,
        "source.html",
        title=source.title or source.slug,
        source=present(session, provenance.SOURCE, [source])[0],
        twins=[("JSON", f"/api/v1/sources/{slug}")],
    )
