"""Tools that look things up: search, an engine's profile, a technique, a paper."""

from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from pydantic import Field

from api.errors import InvalidInputError, NotFoundError, Problem
from api.mcp.access import READ_ONLY, Reader
from api.services import engines, literature, provenance, support, techniques
from api.services.exports import bibtex_stream
from api.services.pagination import check_page_size
from api.services.search import MAX_QUERY_LENGTH, search
from api.services.views import present
from models.base import SupportStatus

Slug = Annotated[str, Field(min_length=1, max_length=200, description="A slug, e.g. `vllm`.")]
WithBibtex = Annotated[
    bool, Field(description="Also return the cited papers as one BibTeX text (`bibtex`).")
]


def register(server: MCPServer, reader: Reader) -> None:
    max_page_size = reader.settings.max_page_size

    @server.tool(name="search", annotations=READ_ONLY)
    def search_tool(
        ctx: Context,
        text: Annotated[
            str,
            Field(
                min_length=1,
                max_length=MAX_QUERY_LENGTH,
                description="Words to find, e.g. `speculative decoding`.",
            ),
        ],
        limit: Annotated[int, Field(description="Most hits (1 to the page-size limit).")] = 20,
    ) -> dict[str, Any]:
        """Search engines (name, slug or alias containing the text, an exact match first), then
        ranked full text over technique names and descriptions and paper titles and abstracts,
        each best first. Use a hit's `id` with the `engine_profile` tool (kind engine: a slug),
        the `technique` tool (kind technique: a slug) or the `paper` tool (kind paper: a key)."""
        with reader.session(ctx) as session:
            check_page_size(limit, max_page_size, "limit")
            hits = [
                {
                    "kind": hit.kind,
                    "id": hit.key,
                    "title": hit.title,
                    "score": hit.score,
                }
                for hit in search(session, text, limit)
            ]
        return {"hits": hits}

    @server.tool(name="engine_profile", annotations=READ_ONLY)
    def engine_profile(
        ctx: Context,
        slug: Slug,
        kind: Annotated[
            support.FactKind | None,
            Field(description="Only facts about matrix columns, platforms or precisions."),
        ] = None,
        status: Annotated[SupportStatus | None, Field(description="Only facts with it.")] = None,
    ) -> dict[str, Any]:
        """One inference engine (e.g. `vllm`, `llama-cpp`, `tensorrt-llm`) with every support
        fact the survey records about it: optimization-matrix columns (`feature`), platforms
        and precisions, each `supported`, `not_supported` or `unknown`, with the `source` it
        was read from (listed under `sources`) and the engine's own papers."""
        with reader.session(ctx) as session:
            engine = engines.get_engine(session, slug)
            facts: dict[str, list[Any]] = {}
            rows: list[Any] = []
            for fact_kind in support.FactKind:
                if kind in (None, fact_kind):
                    found = support.engine_facts(session, engine, fact_kind, status)
                    facts[fact_kind.value] = present(
                        session, support.SUPPORT_VIEWS[fact_kind], found
                    )
                    rows += found
            papers = literature.engine_papers(session, engine)
            return {
                "engine": present(session, engines.ENGINE, [engine])[0],
                "support": facts,
                "papers": present(session, literature.ENGINE_PAPER, papers),
                "sources": provenance.cited_sources(session, [*rows, *papers]),
            }

    @server.tool(name="technique", annotations=READ_ONLY)
    def technique(ctx: Context, slug: Slug, bibtex: WithBibtex = False) -> dict[str, Any]:
        """One optimization technique (e.g. `paged-attention`, `flash-attention`) with the
        papers the survey cites for it, in the survey's order and with its labels
        (`Kwon et al. (2023)`); `bibtex` adds the cited papers as BibTeX entries."""
        with reader.session(ctx) as session:
            row = techniques.get_technique(session, slug)
            citations = literature.technique_citations(session, row)
            answer = {
                "technique": present(session, techniques.TECHNIQUE, [row])[0],
                "citations": present(session, literature.CITATION, citations),
                "sources": provenance.cited_sources(session, citations),
            }
            if bibtex:
                papers = literature.cited_papers(session, citations)
                answer["bibtex"] = "".join(bibtex_stream(session, [p.id for p in papers if p.id]))
            return answer

    @server.tool(name="paper", annotations=READ_ONLY)
    def paper(
        ctx: Context,
        key: Annotated[
            str | None, Field(max_length=200, description="BibTeX key, e.g. `kwon2023efficient`.")
        ] = None,
        arxiv_id: Annotated[
            str | None,
            Field(max_length=200, description="arXiv id, any version, e.g. `2309.06180`."),
        ] = None,
        doi: Annotated[str | None, Field(max_length=300, description="DOI, any case.")] = None,
        bibtex: WithBibtex = False,
    ) -> dict[str, Any]:
        """One paper by exactly one of its BibTeX key, arXiv id or DOI, with its authors, the
        techniques that cite it and the source its record came from (the survey's BibTeX or
        an arXiv ingest); `bibtex` adds its BibTeX entry."""
        given = {"key": key, "arxiv_id": arxiv_id, "doi": doi}
        named = [name for name, value in given.items() if value is not None]
        with reader.session(ctx) as session:
            if len(named) != 1:
                _exactly_one(named)
            found = literature.find_paper(session, key=key, arxiv_id=arxiv_id, doi=doi)
            if found is None:
                raise NotFoundError(
                    "no such paper", [Problem("not found", field=named[0], value=given[named[0]])]
                )
            answer = {
                "paper": present(session, literature.PAPER, [found])[0],
                "cited_by": present(
                    session, techniques.TECHNIQUE, techniques.paper_techniques(session, found)
                ),
                # The BibTeX file or arXiv query (ingest) the paper's record was read from.
                "sources": provenance.cited_sources(session, [found]),
            }
            if bibtex:
                answer["bibtex"] = "".join(bibtex_stream(session, [found.id] if found.id else []))
            return answer


def _exactly_one(named: list[str]) -> None:
    raise InvalidInputError(
        "name the paper by exactly one identifier",
        [Problem("give exactly one of key, arxiv_id, doi", field="key", value=", ".join(named))],
    )
