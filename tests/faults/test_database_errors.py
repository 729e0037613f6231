"""Which database errors mean "unavailable, retry" (503) and which are bugs (500)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from graphql import GraphQLError

from api.http.database_errors import DatabaseUnavailableError, database_unavailable

pytestmark = pytest.mark.faults


def _error_of(engine: sa.Engine, sql: str) -> sa.exc.SQLAlchemyError:
    with pytest.raises(sa.exc.SQLAlchemyError) as caught, engine.begin() as connection:
        connection.exec_driver_sql(sql)
    return caught.value


@pytest.fixture
def locked_sqlite(tmp_path: Path) -> Iterator[sa.Engine]:
    """A SQLite file whose write lock another connection holds, and an engine that will not
    wait for it."""
    path = tmp_path / "locked.db"
    holder = sa.create_engine(f"sqlite:///{path}").connect()
    holder.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    holder.commit()
    holder.exec_driver_sql("BEGIN EXCLUSIVE")
    yield sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    holder.close()


def test_a_locked_sqlite_database_is_unavailable(locked_sqlite: sa.Engine) -> None:
    error = _error_of(locked_sqlite, "INSERT INTO t VALUES (1)")
    unavailable = database_unavailable(error)
    assert isinstance(unavailable, DatabaseUnavailableError)
    assert (unavailable.status, unavailable.code) == (503, "database_unavailable")
    assert unavailable.headers["Retry-After"].isdigit()


def test_unavailability_is_found_inside_graphql_field_errors_and_chained_errors(
    locked_sqlite: sa.Engine,
) -> None:
    cause = _error_of(locked_sqlite, "INSERT INTO t VALUES (1)")
    assert database_unavailable(GraphQLError("x", original_error=cause)) is not None
    try:
        try:
            raise cause
        except sa.exc.SQLAlchemyError as first:
            raise RuntimeError("cleanup failed too") from first
    except RuntimeError as chained:
        assert database_unavailable(chained) is not None


@pytest.mark.parametrize(
    "sql",
    ["SELECT * FROM no_such_table", "SELECT syntax error", "INSERT INTO t VALUES (1, 2)"],
)
def test_errors_of_the_statement_are_not_unavailability(tmp_path: Path, sql: str) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'ok.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER PRIMARY KEY)")
    assert database_unavailable(_error_of(engine, sql)) is None
    assert database_unavailable(ValueError("not a database error")) is None
