"""Tools over the tri-state facts and the measurements: requirements, matrix slices,
benchmark runs and prices. Filters take the REST grammar (`key:value,key:value`)."""

from collections.abc import Callable
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from pydantic import Field
from sqlmodel import Session

from api.errors import InvalidInputError, Problem
from api.mcp.access import READ_ONLY, Reader
from api.services import benchmarks, engines, hardware, market, provenance, support, techniques
from api.services.pagination import Page, PageRequest, page_request
from api.services.requirements import MAX_REQUIREMENTS, Requirements, match_engines
from api.services.views import View, present
from api.services.vocabulary import Interface, describe, from_text, respelled
from models.base import SupportStatus

_GRAMMAR = "Filter as `key:value,key:value`; `key:a|b` means any of; a key twice, all of. "
Slugs = Annotated[
    tuple[Annotated[str, Field(max_length=200)], ...], Field(max_length=MAX_REQUIREMENTS)
]
Limit = Annotated[int, Field(description="Most rows (0 to the page-size limit).")]
After = Annotated[
    str | None, Field(max_length=1000, description="`next_cursor` of the previous answer.")
]
_TARGETS: dict[support.FactKind, Callable[[Session, str], Any]] = {
    support.FactKind.FEATURE: techniques.get_feature,
    support.FactKind.PLATFORM: hardware.get_platform,
    support.FactKind.PRECISION: hardware.get_precision,
}


EngineFilterText = Annotated[
    str | None, Field(max_length=2000, description=_GRAMMAR + describe(engines.EngineFilter))
]
RunFilterText = Annotated[
    str | None, Field(max_length=2000, description=_GRAMMAR + describe(benchmarks.RunFilter))
]
PriceFilterText = Annotated[
    str | None,
    Field(
        max_length=2000,
        description=_GRAMMAR
        + "For model prices: "
        + describe(market.ModelPriceFilter)
        + " For device prices: "
        + describe(market.DevicePriceFilter),
    ),
]


def parsed(filter_class: type[Any], text: str | None, max_values: int) -> Any:
    with respelled(filter_class, Interface.REST):
        return from_text(filter_class, text, max_values)


def page_answer(session: Session, view: View, page: Page[Any]) -> dict[str, Any]:
    """A page of fact rows with the sources they cite and the cursor of the next page."""
    return {
        "results": present(session, view, page.items),
        "count": page.count(),
        "next_cursor": page.end_cursor if page.has_next else None,
        "sources": provenance.cited_sources(session, page.items),
    }


def register(server: MCPServer, reader: Reader) -> None:
    max_size = reader.settings.max_page_size
    max_values = reader.settings.max_list_values

    def page_of(limit: int, after: str | None) -> PageRequest:
        return page_request(limit, after, max_size, "limit")

    @server.tool(name="requirements", annotations=READ_ONLY)
    def requirements(
        ctx: Context,
        technique: Annotated[Slugs, Field(description="Technique or matrix-column slugs.")] = (),
        platform: Annotated[Slugs, Field(description="Platform slugs, e.g. `amd-instinct`.")] = (),
        precision: Annotated[Slugs, Field(description="Precision slugs, e.g. `fp8`.")] = (),
        filter: EngineFilterText = None,
    ) -> dict[str, Any]:
        """Which engines meet these requirements? Every engine (narrowed by `filter`), best
        first, with each requirement `met` (a source says supported), `missing` (a source
        says not supported) or `unknown` (the survey says `-`, or nothing)."""
        wanted = Requirements(tuple(technique), tuple(platform), tuple(precision))
        with reader.session(ctx) as session:
            engine_filter = parsed(engines.EngineFilter, filter, max_values)
            with (
                respelled(engines.EngineFilter, Interface.REST),
                respelled(Requirements, Interface.REST, "requirements.", ""),
            ):
                matches = match_engines(session, wanted, engine_filter)
            return {
                "matches": [
                    {
                        "engine": x.engine.slug,
                        "engine_name": x.engine.name,
                        "score": x.score,
                        **{
                            name: [{"kind": r.kind, "slug": r.slug} for r in found]
                            for name, found in (
                                ("met", x.met),
                                ("missing", x.missing),
                                ("unknown", x.unknown),
                            )
                        },
                    }
                    for x in matches
                ]
            }

    @server.tool(name="support_matrix", annotations=READ_ONLY)
    def support_matrix(
        ctx: Context,
        kind: Annotated[
            support.FactKind,
            Field(description="`feature` (optimization matrix), `platform` or `precision`."),
        ],
        target: Annotated[
            str | None,
            Field(max_length=200, description="A column slug, e.g. `paged-attention`, `fp8`."),
        ] = None,
        engine: Annotated[str | None, Field(max_length=200, description="Engine slug.")] = None,
        status: Annotated[SupportStatus | None, Field(description="Only facts with it.")] = None,
    ) -> dict[str, Any]:
        """A slice of one support matrix: every engine's fact about one column (`target`),
        one engine's facts across the matrix (`engine`), or the one cell (both)."""
        with reader.session(ctx) as session:
            if target is None and engine is None:
                raise InvalidInputError(
                    "name a target, an engine or both",
                    [Problem("give target or engine", field="target")],
                )
            if target is not None:
                column = _TARGETS[kind](session, target)
                rows = support.target_facts(session, kind, column, status)
                if engine is not None:
                    engine_id = engines.get_engine(session, engine).id
                    rows = [row for row in rows if row.engine_id == engine_id]
            else:
                assert engine is not None
                rows = support.engine_facts(
                    session, engines.get_engine(session, engine), kind, status
                )
            return {
                "facts": present(session, support.SUPPORT_VIEWS[kind], rows),
                "sources": provenance.cited_sources(session, rows),
            }

    @server.tool(name="benchmark_runs", annotations=READ_ONLY)
    def benchmark_runs(
        ctx: Context,
        filter: RunFilterText = None,
        limit: Limit = 50,
        after: After = None,
    ) -> dict[str, Any]:
        """Measured benchmark runs: engine, model, device and count, metric, value (or range,
        with its qualifier such as `approximate`) and its `unit`, concurrency, workload."""
        with reader.session(ctx) as session:
            run_filter = parsed(benchmarks.RunFilter, filter, max_values)
            with respelled(benchmarks.RunFilter, Interface.REST):
                page = benchmarks.list_runs(session, run_filter, page=page_of(limit, after))
            return page_answer(session, benchmarks.RUN, page)

    @server.tool(name="prices", annotations=READ_ONLY)
    def prices(
        ctx: Context,
        kind: Annotated[
            Literal["model", "device"],
            Field(description="`model`: USD per 1M tokens; `device`: USD per device-hour."),
        ],
        filter: PriceFilterText = None,
        limit: Limit = 50,
        after: After = None,
    ) -> dict[str, Any]:
        """What commercial providers charge: model prices (input and output USD per million
        tokens, with variant and pricing mode) or device prices (USD per device-hour); every
        row names its currency and unit."""
        with reader.session(ctx) as session:
            page_wanted = page_of(limit, after)
            if kind == "model":
                model_filter = parsed(market.ModelPriceFilter, filter, max_values)
                with respelled(market.ModelPriceFilter, Interface.REST):
                    page = market.list_model_prices(session, model_filter, page_wanted)
                return page_answer(session, market.MODEL_PRICE, page)
            device_filter = parsed(market.DevicePriceFilter, filter, max_values)
            with respelled(market.DevicePriceFilter, Interface.REST):
                device_page = market.list_device_prices(session, device_filter, page_wanted)
            return page_answer(session, market.DEVICE_PRICE, device_page)
