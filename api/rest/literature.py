"""Techniques, categories, matrix columns, papers, authors, search and the survey tables."""

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, StreamingResponse
from sqlmodel import Session, col, select

import models as m
from api.rest import present
from api.rest import schemas as s
from api.rest.common import (
    CSV_DOWNLOAD,
    JSONLD,
    PAPER_DOWNLOADS,
    CursorParam,
    FilterParam,
    FormatParam,
    NodeFormatParam,
    PerPage,
    SessionDep,
    csv_download,
    get_by_slug,
    jsonld_response,
    list_response,
    wants_jsonld,
)
from api.rest.export_limit import NARROW_PAPERS, check_export_size
from api.rest.filters import parse_filter
from api.services import literature, search, survey_tables, techniques
from api.services.exports import (
    MEDIA_TYPES,
    PaperSelection,
    bibtex_stream,
    csl_json_stream,
    node_jsonld,
)
from api.services.lookup import not_found
from api.services.pagination import Page, PageRequest, all_items

router = APIRouter(tags=["literature"])

PaperFormatParam = Annotated[
    str | None,
    Query(
        alias="format",
        description="`json` (default), `csv`, `bibtex` or `csl-json` (the whole set); also "
        "chosen by the Accept header (`text/csv`, `application/x-bibtex`, "
        "`application/vnd.citationstyles.csl+json`).",
        pattern="^(json|csv|bibtex|csl-json)$",
    ),
]
PAPER_FILTER_KEYS = ("year_from", "year_to", "technique", "category", "author", "venue", "q")


DetailFormatParam = Annotated[
    str | None,
    Query(
        alias="format",
        description="`json` (default), `bibtex`, `csl-json` or `jsonld` (schema.org).",
        pattern="^(json|bibtex|csl-json|jsonld)$",
    ),
]


def paper_format(request: Request, requested: str | None) -> str:
    if requested is not None:
        return requested
    accept = request.headers.get("accept", "")
    if "application/x-bibtex" in accept:
        return "bibtex"
    if "application/vnd.citationstyles.csl+json" in accept:
        return "csl-json"
    if "application/ld+json" in accept:
        return "jsonld"
    if "text/csv" in accept:
        return "csv"
    return "json"


def paper_download(session: Session, selection: PaperSelection, chosen: str, filename: str) -> Any:
    """A paper set as BibTeX or CSL-JSON, streamed."""
    stream = bibtex_stream if chosen == "bibtex" else csl_json_stream
    media_type, suffix = MEDIA_TYPES[chosen]
    return StreamingResponse(
        stream(session, selection),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}{suffix}"'},
    )


def paper_set_response(
    request: Request,
    session: SessionDep,
    rows: Sequence[m.Paper],
    output_format: str | None,
    filename: str,
) -> Any:
    """A whole (unpaged) set of papers in the requested format."""
    check_export_size(request, len(rows), narrow=NARROW_PAPERS)
    chosen = paper_format(request, output_format)
    if chosen in ("bibtex", "csl-json"):
        return paper_download(session, [p.id for p in rows if p.id is not None], chosen, filename)
    if chosen == "csv":
        return csv_download(present.papers(session, rows), filename)
    return present.papers(session, rows)


# --- categories and techniques -------------------------------------------------------------


@router.get(
    "/categories", response_model=list[s.CategoryOut], summary="The technique category tree"
)
def list_categories(session: SessionDep) -> Any:
    rows = session.exec(
        select(m.TechniqueCategory).order_by(
            col(m.TechniqueCategory.parent_id), col(m.TechniqueCategory.position)
        )
    )
    return present.categories(session, list(rows))


@router.get(
    "/categories/{slug}", response_model=s.CategoryOut, summary="One category", responses=JSONLD
)
def get_category(
    request: Request, slug: str, session: SessionDep, output_format: NodeFormatParam = None
) -> Any:
    if wants_jsonld(request, output_format):
        get_by_slug(session, m.TechniqueCategory, slug, "category")
        return jsonld_response(node_jsonld(session, "category", slug), slug)
    return present.categories(
        session, [get_by_slug(session, m.TechniqueCategory, slug, "category")]
    )[0]


@router.get(
    "/categories/{slug}/papers",
    response_model=list[s.PaperOut],
    summary="Papers cited by a whole category (sub-categories included)",
    responses=PAPER_DOWNLOADS,
)
def category_papers(
    request: Request, slug: str, session: SessionDep, output_format: PaperFormatParam = None
) -> Any:
    def fetch(page: PageRequest) -> Page[m.Paper]:
        return literature.list_papers(
            session, literature.PaperFilter(category=slug), literature.PaperOrder.KEY, page
        )

    check_export_size(request, fetch(PageRequest(first=0)).count(), narrow=NARROW_PAPERS)
    chosen = paper_format(request, output_format)
    selection = literature.paper_id_select(session, literature.PaperFilter(category=slug))
    if chosen in ("bibtex", "csl-json") and selection is not None:
        # Streamed in keyset batches: the set is never held in memory.
        return paper_download(session, selection, chosen, f"category-{slug}")
    rows = list(all_items(fetch))
    return paper_set_response(request, session, rows, chosen, f"category-{slug}")


@router.get(
    "/techniques",
    response_model=s.ListPage[s.TechniqueOut],
    summary="List techniques",
    description="Filter keys: `category` (sub-categories included), `q` (full text, ranked).",
    responses=CSV_DOWNLOAD,
)
def list_techniques(
    request: Request,
    session: SessionDep,
    per_page: PerPage,
    filter: FilterParam = None,
    cursor: CursorParam = None,
    output_format: FormatParam = None,
) -> Any:
    f = parse_filter(filter, ("category", "q"))
    technique_filter = techniques.TechniqueFilter(category=f.one("category"), text=f.one("q"))
    return list_response(
        request,
        session,
        lambda page: techniques.list_techniques(session, technique_filter, page),
        present.techniques,
        per_page=per_page,
        cursor=cursor,
        output_format=output_format,
        filename="techniques",
    )


@router.get(
    "/techniques/{slug}", response_model=s.TechniqueOut, summary="One technique", responses=JSONLD
)
def get_technique(
    request: Request, slug: str, session: SessionDep, output_format: NodeFormatParam = None
) -> Any:
    if wants_jsonld(request, output_format):
        get_by_slug(session, m.Technique, slug, "technique")
        return jsonld_response(node_jsonld(session, "technique", slug), slug)
    return present.techniques(session, [get_by_slug(session, m.Technique, slug, "technique")])[0]


@router.get(
    "/techniques/{slug}/papers",
    response_model=list[s.CitationOut],
    summary="A technique's citations",
    description="In the survey's order with its labels; `format=bibtex` downloads the papers.",
    responses=PAPER_DOWNLOADS,
)
def technique_papers(
    request: Request, slug: str, session: SessionDep, output_format: PaperFormatParam = None
) -> Any:
    technique = get_by_slug(session, m.Technique, slug, "technique")
    rows = list(
        session.exec(
            select(m.TechniqueCitation)
            .where(m.TechniqueCitation.technique_id == technique.id)
            .order_by(col(m.TechniqueCitation.source_id), col(m.TechniqueCitation.position))
        )
    )
    chosen = paper_format(request, output_format)
    if chosen == "json":
        return present.citations(session, rows)
    papers = [session.get(m.Paper, c.paper_id) for c in rows]
    unique = list({p.id: p for p in papers if p is not None}.values())
    return paper_set_response(request, session, unique, chosen, f"technique-{slug}")


@router.get(
    "/techniques/{slug}/engines",
    response_model=list[s.EngineOut],
    summary="Engines supporting a technique",
)
def technique_engines(slug: str, session: SessionDep) -> Any:
    from api.services.engines import EngineFilter, SupportCondition, list_engines

    get_by_slug(session, m.Technique, slug, "technique")
    condition = SupportCondition(all_of=(slug,))
    rows = list(
        all_items(lambda page: list_engines(session, EngineFilter(techniques=condition), page=page))
    )
    return present.engines(session, rows)


@router.get("/features", response_model=list[s.FeatureOut], summary="Optimization-matrix columns")
def list_features(session: SessionDep) -> Any:
    rows = session.exec(select(m.OptimizationFeature).order_by(col(m.OptimizationFeature.id)))
    return present.features(session, list(rows))


@router.get("/features/{slug}", response_model=s.FeatureOut, summary="One matrix column")
def get_feature(slug: str, session: SessionDep) -> Any:
    return present.features(
        session, [get_by_slug(session, m.OptimizationFeature, slug, "feature")]
    )[0]


@router.get(
    "/features/{slug}/support",
    response_model=list[s.SupportOut],
    summary="Every engine's fact for a column",
)
def feature_support(slug: str, session: SessionDep) -> Any:
    feature = get_by_slug(session, m.OptimizationFeature, slug, "feature")
    rows = session.exec(
        select(m.FeatureSupport)
        .where(m.FeatureSupport.feature_id == feature.id)
        .order_by(col(m.FeatureSupport.engine_id))
    )
    return present.support(session, list(rows), "feature")


# --- papers and authors --------------------------------------------------------------------


def paper_filter(text: str | None) -> literature.PaperFilter:
    f = parse_filter(text, PAPER_FILTER_KEYS)
    return literature.PaperFilter(
        year_from=f.integer("year_from"),
        year_to=f.integer("year_to"),
        techniques=tuple(f.values("technique")),
        category=f.one("category"),
        author=f.one("author"),
        venue=f.one("venue"),
        text=f.one("q"),
    )


@router.get(
    "/papers",
    response_model=s.ListPage[s.PaperOut],
    summary="List papers",
    description="Filter keys: `year_from`, `year_to`, `technique` (cited by any of), `category` "
    "(cited by a technique of the category or its sub-categories), `author` (name substring), "
    "`venue` (substring), `q` (full text over title and abstract, ranked). `format=bibtex` or "
    "`csv` downloads the whole filtered set.",
    responses=PAPER_DOWNLOADS,
)
def list_papers(
    request: Request,
    session: SessionDep,
    per_page: PerPage,
    filter: FilterParam = None,
    sort: Annotated[
        literature.PaperOrder, Query(description="Ignored with `q` (ranked).")
    ] = literature.PaperOrder.YEAR_DESC,
    cursor: CursorParam = None,
    output_format: PaperFormatParam = None,
) -> Any:
    paper_filter_ = paper_filter(filter)
    fetch = lambda page: literature.list_papers(session, paper_filter_, sort, page)  # noqa: E731
    chosen = paper_format(request, output_format)
    if chosen in ("bibtex", "csl-json"):
        rows = literature.list_papers(session, paper_filter_, sort, PageRequest(first=0)).count()
        check_export_size(request, rows, narrow=NARROW_PAPERS)
        # Streamed in keyset batches (memory stays flat); a ranked text query's hits are
        # already a bounded list.
        selection: PaperSelection | None = literature.paper_id_select(session, paper_filter_)
        if selection is None:
            selection = [p.id for p in all_items(fetch) if p.id is not None]
        return paper_download(session, selection, chosen, "papers")
    return list_response(
        request,
        session,
        fetch,
        present.papers,
        per_page=per_page,
        cursor=cursor,
        output_format=output_format,
        filename="papers",
    )


def get_paper(session: Session, key: str) -> m.Paper:
    paper = literature.find_paper(session, key=key)
    if paper is None:
        raise not_found("paper", key, session.exec(select(m.Paper.bibtex_key)), "key")
    return paper


@router.get(
    "/papers/{key}",
    response_model=s.PaperOut,
    summary="One paper",
    description="`format=bibtex` for its BibTeX entry.",
    responses=PAPER_DOWNLOADS,
)
def paper_detail(
    request: Request, key: str, session: SessionDep, output_format: DetailFormatParam = None
) -> Any:
    paper = get_paper(session, key)
    chosen = paper_format(request, output_format)
    if chosen in ("bibtex", "csl-json"):
        return paper_download(session, [paper.id or 0], chosen, key)
    if chosen == "jsonld":
        return jsonld_response(node_jsonld(session, "paper", key), key)
    return present.papers(session, [paper])[0]


@router.get(
    "/papers/{key}/citations", response_model=list[s.CitationOut], summary="Where a paper is cited"
)
def paper_citations(key: str, session: SessionDep) -> Any:
    paper = get_paper(session, key)
    rows = session.exec(
        select(m.TechniqueCitation)
        .where(m.TechniqueCitation.paper_id == paper.id)
        .order_by(col(m.TechniqueCitation.technique_id))
    )
    return present.citations(session, list(rows))


@router.get(
    "/papers/{key}/techniques",
    response_model=list[s.TechniqueOut],
    summary="Techniques citing a paper",
)
def paper_techniques(key: str, session: SessionDep) -> Any:
    paper = get_paper(session, key)
    rows = session.exec(
        select(m.Technique)
        .join(m.TechniqueCitation, col(m.TechniqueCitation.technique_id) == m.Technique.id)
        .where(m.TechniqueCitation.paper_id == paper.id)
        .distinct()
        .order_by(col(m.Technique.id))
    )
    return present.techniques(session, list(rows))


@router.get(
    "/papers/{key}/engines",
    response_model=list[s.EnginePaperOut],
    summary="Engines whose own paper it is",
)
def paper_engines(key: str, session: SessionDep) -> Any:
    paper = get_paper(session, key)
    rows = session.exec(select(m.EnginePaper).where(m.EnginePaper.paper_id == paper.id))
    return present.engine_papers(session, list(rows))


@router.get(
    "/search",
    response_model=list[s.SearchHitOut],
    summary="Full-text search",
    description="Ranked search over technique names and descriptions and over paper titles "
    "and abstracts.",
)
def full_text_search(
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to find.")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Any:
    hits: list[s.SearchHitOut] = []
    for hit in search.search_ids(session, "technique", q, limit):
        technique = session.get(m.Technique, hit.id)
        if technique is not None:
            hits.append(
                s.SearchHitOut(
                    kind="technique", id=technique.slug, title=technique.name, score=hit.score
                )
            )
    for hit in search.search_ids(session, "paper", q, limit):
        paper = session.get(m.Paper, hit.id)
        if paper is not None:
            hits.append(
                s.SearchHitOut(
                    kind="paper", id=paper.bibtex_key, title=paper.title, score=hit.score
                )
            )
    return hits[:limit]


# --- survey tables --------------------------------------------------------------------------


@router.get("/tables", response_model=list[str], summary="Names of the regenerable survey tables")
def list_tables(session: SessionDep) -> Any:
    return survey_tables.table_names(session)


@router.get(
    "/tables/{name}",
    response_model=s.TableOut,
    summary="One survey table, regenerated from the database",
    description="`format=markdown` or `csv` downloads it.",
    responses={200: {"content": {"text/markdown": {}, "text/csv": {}}}},
)
def get_table(
    name: str,
    session: SessionDep,
    output_format: Annotated[
        str | None, Query(alias="format", pattern="^(json|markdown|csv)$")
    ] = None,
) -> Any:
    table = survey_tables.render_table(session, name)
    if output_format == "markdown":
        return PlainTextResponse(
            table.to_markdown(),
            media_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.md"'},
        )
    if output_format == "csv":
        return PlainTextResponse(
            table.to_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return s.TableOut(
        name=table.name,
        title=table.title,
        headers=table.headers,
        rows=table.rows,
        notes=table.notes,
    )
