"""The read watch behind the cache's "only content" rule, on a bare engine."""

import contextvars

import sqlalchemy as sa

from api.http.cacheable import access_check, watch_reads_on, watching_reads

_metadata = sa.MetaData()
_token = sa.Table("api_token", _metadata, sa.Column("id", sa.Integer, primary_key=True))
_engine_table = sa.Table("engine", _metadata, sa.Column("id", sa.Integer, primary_key=True))


def _database() -> sa.Engine:
    engine = sa.create_engine("sqlite://")
    _metadata.create_all(engine)
    watch_reads_on(engine)
    watch_reads_on(engine)  # once is enough; twice changes nothing
    return engine


def test_a_read_of_a_non_content_table_marks_only_its_own_request() -> None:
    engine = _database()
    with engine.connect() as connection:
        with watching_reads() as content:
            connection.execute(sa.select(_engine_table))
        with watching_reads() as tokens:
            connection.execute(sa.select(_engine_table.c.id).where(_engine_table.c.id == 1))
            connection.execute(sa.select(sa.func.count()).select_from(_token))
        connection.execute(sa.select(_token))  # nobody watching: nothing to mark
    assert not content.not_content
    assert tokens.not_content


def test_a_copied_context_shares_the_mark() -> None:
    """Thread-pool routes run in a copy of the request's context."""
    engine = _database()

    def route() -> None:
        with engine.connect() as connection:
            connection.execute(sa.select(_token))

    with watching_reads() as reads:
        contextvars.copy_context().run(route)
    assert reads.not_content


def test_an_access_check_does_not_mark() -> None:
    engine = _database()
    with watching_reads() as reads, engine.connect() as connection:
        with access_check():
            connection.execute(sa.select(_token))
        assert not reads.not_content
        connection.execute(sa.select(_token))
    assert reads.not_content
