"""Tools over the pictures: a chart's data table (what its SVG draws) and the derived
six-dimension profile of engines (InferGraph's formula, not the survey's)."""

from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import urlencode

from mcp.server.mcpserver import Context, MCPServer
from pydantic import Field

from api.errors import InvalidInputError, Problem
from api.mcp.access import READ_ONLY, Reader
from api.services import charts, profile

EngineSlugs = Annotated[
    tuple[Annotated[str, Field(min_length=1, max_length=200)], ...],
    Field(max_length=200, description="Engine slugs, in order, e.g. `vllm`."),
]


def register(server: MCPServer, reader: Reader) -> None:
    max_values = reader.settings.max_list_values

    @server.tool(name="chart_data", annotations=READ_ONLY)
    def chart_data(
        ctx: Context,
        name: Annotated[
            str,
            Field(
                min_length=1,
                max_length=100,
                description="The chart: `radar`, " + ", ".join(f"`{n}`" for n in charts.CHARTS),
            ),
        ],
        engine: EngineSlugs = (),
        category: Annotated[
            str | None,
            Field(max_length=200, description="Matrices only: the columns of this group."),
        ] = None,
        sort: Annotated[
            str | None,
            Field(
                max_length=200,
                description="Matrices only: `name`, `-supported` or a column's slug.",
            ),
        ] = None,
        page: Annotated[
            int | None, Field(ge=1, le=100_000, description="Matrices only: page of engines.")
        ] = None,
    ) -> dict[str, Any]:
        """The table a chart is drawn from (the same rows as its CSV twin): its title,
        description, column names and rows, and the URLs of its SVG and CSV. `engine` names
        the radar's engines (one to four) or narrows the runs charts; `category`, `sort` and
        `page` choose a view of a matrix as its page does."""
        where = (
            None
            if category is None and sort is None and page is None
            else charts.MatrixFilter(category or "", sort or "name", page or 1)
        )
        with reader.session(ctx) as session:
            data = charts.chart(session, name, engine, where)
        asked = [("engine", e) for e in engine] + [
            (k, str(v)) for k, v in (("category", category), ("sort", sort), ("page", page)) if v
        ]
        query = f"?{urlencode(asked)}" if asked else ""
        return {
            "name": data.name,
            "title": data.title,
            "description": data.description,
            "columns": list(data.columns),
            "rows": [list(row) for row in data.rows],
            "svg": f"/api/v1/charts/{name}.svg{query}",
            "csv": f"/api/v1/charts/{name}.csv{query}",
        }

    @server.tool(name="derived_profile", annotations=READ_ONLY)
    def derived_profile(ctx: Context, engine: EngineSlugs = ()) -> dict[str, Any]:
        """The derived six-dimension profile of engines (general-purpose support, ease of
        use, ease of deployment, latency-awareness, throughput-awareness, scalability), each
        score on 0 to 5 with its range (unknown facts widen it), the facts it counts with
        their weights, and the inputs the graph lacks. Derived by InferGraph, not the
        survey's. Without `engine`, every engine by name."""
        if len(engine) > max_values:
            raise InvalidInputError(
                f"At most {max_values} engines at once.",
                [Problem(f"{len(engine)} given", field="engine", value=len(engine))],
            )
        with reader.session(ctx) as session:
            found = (
                profile.profiles_by_slugs(session, engine)
                if engine
                else profile.all_profiles(session)
            )
        return {"label": profile.LABEL, "profiles": [asdict(p) for p in found]}
