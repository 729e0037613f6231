"""Settings, read once from the environment (prefix `INFERGRAPH_`)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("infergraph.db")
DEFAULT_ARXIV_BASE_URL = "https://export.arxiv.org"
DEFAULT_ARXIV_DELAY = 3.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INFERGRAPH_")

    database_url: str | None = None
    """SQLAlchemy URL. PostgreSQL: `postgresql+psycopg://user@host/db`. Default: SQLite file."""

    read_database_url: str | None = None
    """A streaming replica (hot standby) of the PostgreSQL `database_url` for the server's
    reads; writes stay on the primary. A read still sees every write committed before it was
    sent (api/replica.py)."""

    read_replica_wait: float = Field(default=0.05, ge=0, le=10)
    """Seconds a read waits for the replica to replay the primary's latest writes before it
    is sent to the primary instead."""

    sqlite_path: Path = DEFAULT_SQLITE_PATH
    """Where the embedded SQLite database lives when no `database_url` is given."""

    graphql_max_document_bytes: int = 100_000
    graphql_max_tokens: int = 15_000
    graphql_max_depth: int = 20
    graphql_max_aliases: int = 50
    graphql_max_cost: int = Field(default=500_000, ge=1)
    """Most objects one query may return by its static cost (`first` multiplied down the
    nesting, computed before it runs); beyond, it is refused with `query_too_costly`."""
    graphql_max_response_bytes: int = Field(default=32 * 2**20, ge=1)
    """Largest GraphQL response body; beyond, `response_too_large` instead of the data."""
    max_page_size: int = 500
    """Upper bound of `first` / `limit` on every list, REST and GraphQL."""
    statement_timeout: float = Field(default=15.0, ge=0)
    """Seconds one database statement of the server may run before it is cancelled and the
    request answered 503 `query_timeout` (PostgreSQL `statement_timeout` per connection;
    SQLite: time the engine is busy, by a progress handler). 0: no limit. The CLI has none."""
    max_list_values: int = Field(default=50, ge=1)
    """Most distinct values one list argument may hold: filter slugs (`technique:` terms,
    `allOf` / `anyOf`), requirements of each kind, GraphQL `nodes(ids:)`. Repeats count once."""

    rate_limit_requests: int = Field(default=0, ge=0)
    """Requests one client (its token, else its address) may make per window; beyond, 429
    with `Retry-After`. 0 (the default, for local use): no limit and no `RateLimit` headers."""
    rate_limit_window: int = Field(default=60, ge=1)
    """Seconds of one client's rate-limit window, from its first request in it."""

    read_requires_token: bool = False
    """Reads are public by default; when set, every read needs a token (any scope).
    Writes always need a token with the `write` scope (`infergraph token create`)."""

    mcp_token: str | None = None
    """The token `infergraph mcp` (stdio) presents for its caller when reads require one;
    over HTTP each request brings its own `Authorization` header instead."""

    max_ingest_bytes: int = 20_000_000
    """Largest BibTeX upload accepted over HTTP."""

    ingest_stale_seconds: int = Field(default=1800, ge=60)
    """An ingest run still `running` with no committed batch for this long belongs to a
    process that died; the next ingest marks it `aborted`."""

    max_body_bytes: int = 1_048_576
    """Largest request body on any other route (413 beyond, refused before it is read)."""

    compression: bool = True
    """Compress answers and downloads (brotli or gzip, as the client's Accept-Encoding asks)."""

    compression_min_bytes: int = Field(default=512, ge=0)
    """Answers shorter than this (sent whole) go out uncompressed: the headers would cost more."""

    body_read_timeout: float = Field(default=30.0, gt=0, le=3600)
    """Seconds a client has to send a request's whole body, counted from the request's start;
    a slower body is answered 408 `request_timeout` and its connection closed."""

    max_export_rows: int = 100_000
    """Most rows (papers, list items, graph nodes) one HTTP download may hold."""

    lean_reads: bool = True
    """Answer the hottest REST reads (the paper list and one paper, as JSON) on a lean path
    that skips FastAPI's per-request machinery (api/rest/lean.py); the same bytes either way."""

    response_cache_bytes: int = Field(default=64 * 2**20, ge=0)
    """Memory for cached read responses (least recently used evicted first); 0 disables."""

    host: str = "127.0.0.1"
    port: int = 8000

    base_url: str | None = None
    """The URL JSON-LD IRIs start with (`https://graph.example.org`). Unset: over HTTP the
    URL the request reached the server at; in the CLI `http://{host}:{port}`."""

    @field_validator("base_url")
    @classmethod
    def _absolute_http_url(cls, value: str | None) -> str | None:
        # A relative base would make every IRI relative, which no JSON-LD reader resolves.
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("INFERGRAPH_BASE_URL must start with http:// or https://")
        return value

    @property
    def own_base_url(self) -> str:
        """`base_url`, or where `serve` listens: the base of IRIs written outside a request."""
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")

    arxiv_base_url: str = DEFAULT_ARXIV_BASE_URL
    """The arXiv API that `ingest arxiv` queries; a local stand-in in tests and benchmarks."""

    arxiv_delay: float = Field(default=DEFAULT_ARXIV_DELAY, ge=0)
    """Seconds between two arXiv requests (arXiv asks for three); lower it only for a local
    stand-in."""

    max_concurrent_ingests: int = Field(default=2, ge=1)
    """Ingests (arXiv or BibTeX) the server runs at once; one more is refused with 503
    `ingest_busy` and `Retry-After`, so waiting ingests never take the threads reads need."""

    @field_validator("arxiv_base_url", "arxiv_delay", "base_url", mode="before")
    @classmethod
    def _empty_means_default(cls, value: object, info: ValidationInfo) -> object:
        # `INFERGRAPH_ARXIV_BASE_URL=` (set but empty) has always meant the default.
        if value == "" and info.field_name is not None:
            return cls.model_fields[info.field_name].default
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return normalize_database_url(self.database_url)
        return f"sqlite:///{self.sqlite_path}"


def normalize_database_url(url: str) -> str:
    """Accept the libpq-style `postgresql://` and `postgres://` and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
