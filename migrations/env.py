"""Alembic environment: runs against a connection handed in, or the configured URL."""

from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context

import models
from api.config import get_settings
from api.data_version_schema import DATA_VERSION_OBJECT_PREFIX
from api.db import create_db_engine
from api.history_schema import HISTORY_OBJECT_PREFIX
from api.search_schema import SEARCH_OBJECT_PREFIXES

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = models.metadata


def _include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Full-text search structures, the data version and fact history are created by hand per
    dialect (see api/search_schema.py, api/data_version_schema.py, api/history_schema.py);
    autogenerate must neither drop nor try to recreate them."""
    prefixes = (*SEARCH_OBJECT_PREFIXES, DATA_VERSION_OBJECT_PREFIX, HISTORY_OBJECT_PREFIX)
    return not (name or "").startswith(prefixes)


def _configure(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_include_name,
        # pytest-alembic hands its own hook in to inspect autogenerate output.
        process_revision_directives=config.attributes.get("process_revision_directives"),
    )


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # A caller may hand in a Connection (our upgrade_database) or an Engine (pytest-alembic).
    connectable = config.attributes.get("connection")
    if isinstance(connectable, sa.Connection):
        _run_on(connectable)
        return
    if isinstance(connectable, sa.Engine):
        _run_with_engine(connectable)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    engine = create_db_engine(url)
    try:
        _run_with_engine(engine)
    finally:
        engine.dispose()


def _run_with_engine(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        _run_on(connection)
        connection.commit()


def _run_on(connection: sa.Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
