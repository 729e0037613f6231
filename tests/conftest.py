"""Every database test runs on SQLite and on PostgreSQL.

PostgreSQL tests need a server: set INFERGRAPH_TEST_POSTGRES_URL (e.g.
`postgresql://postgres@127.0.0.1:5432/test`); without it they are skipped with that reason.
Databases are built by running the migrations, and each test runs in a transaction that
is rolled back, so tests cannot see each other's writes.
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from api.db import upgrade_database
from seed.loader import SeedResult, seed_database
from tests.databases import BACKENDS, POSTGRES_URL_ENV, fresh_database, postgres_admin_url

T = TypeVar("T")

LONGEST_MODULES = (
    "tests/rest/test_schemathesis_cli.py",
    "tests/hostile/test_pages.py",
    "tests/graphql/test_schemathesis.py",
    "tests/hostile/test_every_route.py",
)
"""The modules that each take minutes, longest first (`--durations` of a full run: 9.5, 2.6,
0.7 and 0.6 minutes)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the modules for the two workers: the longest first, then by number of tests.

    Each module runs whole on one worker (`--dist loadfile`), and xdist hands them out by
    number of tests, so the schemathesis command-line module (4 tests, 9.5 minutes) came
    last and ran alone for its whole length while the other worker sat idle. Started first,
    it runs beside the rest. Tests keep their order within a module.
    """
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::", 1)[0], []).append(item)

    def rank(module: str) -> tuple[int, int]:
        longest = (
            LONGEST_MODULES.index(module) if module in LONGEST_MODULES else len(LONGEST_MODULES)
        )
        return longest, -len(modules[module])

    items[:] = [item for module in sorted(modules, key=rank) for item in modules[module]]


def _backend_params() -> list[object]:
    params: list[object] = []
    for backend in BACKENDS:
        marks = []
        if backend == "postgresql":
            marks.append(pytest.mark.postgresql)
            if postgres_admin_url() is None:
                marks.append(pytest.mark.skip(reason=f"{POSTGRES_URL_ENV} is not set"))
        params.append(pytest.param(backend, marks=marks, id=backend))
    return params


@pytest.fixture(scope="session", params=_backend_params())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class _ProcessDatabases:
    """The shared read-only databases, built once per test process and backend.

    pytest keeps one value of a parametrized session fixture at a time: a worker that runs
    a module's SQLite tests, then its PostgreSQL tests, then the next module's SQLite tests
    would tear down and rebuild the seeded database at every switch (seconds each, once per
    module under `--dist loadfile`). Keeping them here, outside pytest's fixture cache, builds
    each once; they are dropped when the session ends.
    """

    def __init__(self) -> None:
        self._built: dict[tuple[str, str], Any] = {}
        self._cleanup = ExitStack()

    def get(self, key: tuple[str, str], build: Callable[[ExitStack], T]) -> T:
        if key not in self._built:
            self._built[key] = build(self._cleanup)
        return cast(T, self._built[key])

    def close(self) -> None:
        self._built.clear()
        self._cleanup.close()


_process_databases = _ProcessDatabases()


@pytest.fixture(scope="session", autouse=True)
def _drop_process_databases() -> Iterator[None]:
    yield
    _process_databases.close()


@pytest.fixture(scope="session")
def seeded(backend: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[sa.Engine, SeedResult]:
    """One seeded database per backend for the whole run (tests only read it)."""

    def build(stack: ExitStack) -> tuple[sa.Engine, SeedResult]:
        engine = stack.enter_context(fresh_database(backend, tmp_path_factory.mktemp("db")))
        return engine, seed_database(engine)

    return _process_databases.get(("seeded", backend), build)


NEWER_README = Path(__file__).resolve().parent / "fixtures" / "history" / "newer.md"
NEWER_VERSION = "2026-03-01"
NEWER_REMOVAL = "row-removed:precision-matrix:unsloth"


@pytest.fixture(scope="session")
def synced_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    """A seeded database that then synced a newer README (`fixtures/history/newer.md`: five
    cells changed, one price new, a row removed, its removal accepted and so retired) as
    version 2026-03-01; tests only read it."""
    from api.services.survey_sync import sync_survey

    def build(stack: ExitStack) -> sa.Engine:
        engine = stack.enter_context(fresh_database(backend, tmp_path_factory.mktemp("synced")))
        seed_database(engine)
        with Session(engine) as session:
            result = sync_survey(
                session,
                NEWER_README.read_text(encoding="utf-8"),
                file="newer.md",
                apply=True,
                source_version=NEWER_VERSION,
                accept=[NEWER_REMOVAL],
            )
        assert len(result.applied) == 6
        return engine

    return _process_databases.get(("synced", backend), build)


@pytest.fixture(scope="session")
def seeded_engine(seeded: tuple[sa.Engine, SeedResult]) -> sa.Engine:
    return seeded[0]


@pytest.fixture
def session(seeded_engine: sa.Engine) -> Iterator[Session]:
    """A session on the seeded database whose writes are rolled back after the test."""
    with seeded_engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            yield session
        transaction.rollback()


def _template(
    backend: str, tmp_path_factory: pytest.TempPathFactory, prepare: Callable[[sa.Engine], object]
) -> sa.Engine:
    """A database that `prepare` filled, built once per process and backend and then only
    copied, never used directly (so its content stays what `prepare` wrote)."""

    def build(stack: ExitStack) -> sa.Engine:
        engine = stack.enter_context(fresh_database(backend, tmp_path_factory.mktemp("tmpl")))
        prepare(engine)
        engine.dispose()
        return engine

    return _process_databases.get((f"template:{prepare.__name__}", backend), build)


@pytest.fixture(scope="session")
def migrated_template(backend: str, tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    """An empty database migrated to the head revision (copied by `empty_engine`)."""
    return _template(backend, tmp_path_factory, upgrade_database)


@pytest.fixture(scope="session")
def seeded_template(backend: str, tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    """A migrated and seeded database (copied by `seeded_copy` and `module_seeded_copy`)."""
    return _template(backend, tmp_path_factory, seed_database)


@pytest.fixture
def empty_engine(backend: str, migrated_template: sa.Engine, tmp_path: Path) -> Iterator[sa.Engine]:
    """A migrated, empty database of this test's own (a copy of `migrated_template`)."""
    with fresh_database(backend, tmp_path, template=migrated_template) as engine:
        yield engine


@pytest.fixture
def seeded_copy(backend: str, seeded_template: sa.Engine, tmp_path: Path) -> Iterator[sa.Engine]:
    """A seeded database of this test's own, free to write to (a copy of `seeded_template`:
    the same rows `seed_database` writes, without running it again)."""
    with fresh_database(backend, tmp_path, template=seeded_template) as engine:
        yield engine


@pytest.fixture(scope="module")
def module_seeded_copy(
    backend: str, seeded_template: sa.Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    """A seeded database the tests of one module share and may write to."""
    with fresh_database(
        backend, tmp_path_factory.mktemp("module"), template=seeded_template
    ) as engine:
        yield engine


@pytest.fixture
def blank_engine(backend: str, tmp_path: Path) -> Iterator[sa.Engine]:
    """A database with no schema at all."""
    with fresh_database(backend, tmp_path) as engine:
        yield engine
