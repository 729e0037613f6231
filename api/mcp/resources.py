"""Resources: the survey's tables as Markdown, the GraphQL schema, the documentation pages."""

from collections.abc import Callable
from pathlib import Path

from mcp.server.mcpserver import Context, MCPServer

from api.mcp.access import Reader
from api.mcp.passthrough import GraphQLPort
from api.services import survey_tables

DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"
"""The repository's `docs/`; an installed wheel has none, and then serves no pages."""
TABLES_URI = "infergraph://survey-tables/{name}"
SCHEMA_URI = "infergraph://graphql/schema"


def register(server: MCPServer, reader: Reader, graphql: GraphQLPort) -> None:
    @server.resource(
        TABLES_URI,
        name="survey-table",
        mime_type="text/markdown",
        description="One of the survey's tables regenerated cell for cell from the database, "
        "as Markdown with its title and notes: `overview`, `hardware-matrix`, "
        "`optimization-matrix`, `precision-matrix`, `deployment-quadrant`, `model-pricing`, "
        "`device-pricing`, or `techniques-<category slug>` (e.g. `techniques-parallelism`).",
    )
    def survey_table(name: str, ctx: Context) -> str:
        # A template rather than one static resource per table: only templates get the
        # caller's context, which the token check needs (the tables are data).
        # The SDK's resource security refuses `%00`, `..` and the like before this runs.
        with reader.session(ctx) as session:
            return survey_tables.render_table(session, name).to_markdown()

    # The schema and the docs are the repository's public documentation, like `/docs`, so
    # they are static resources that need no token.
    server.resource(
        SCHEMA_URI,
        name="graphql-schema",
        mime_type="text/plain",
        description="The GraphQL schema (SDL) the `graphql` tool runs against.",
    )(lambda: graphql.sdl)
    for page in sorted(DOCS_DIR.glob("*.md")):
        server.resource(
            f"infergraph://docs/{page.stem}",
            name=f"docs-{page.stem}",
            mime_type="text/markdown",
            description=f"InferGraph documentation: docs/{page.name}.",
        )(_reader_of(page))


def _reader_of(page: Path) -> Callable[[], str]:
    return lambda: page.read_text(encoding="utf-8")
