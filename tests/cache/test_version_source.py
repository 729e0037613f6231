"""Version reads: never older than a write committed before the read began."""

import asyncio

import pytest
import sqlalchemy as sa

from api.cache.version import VersionUnavailableError, version_source_for
from tests.cache.conftest import Served, data_version


def test_concurrent_reads_see_every_write_committed_before_them(served: Served) -> None:
    source = version_source_for(served.engine)
    assert source is not None

    async def rounds() -> list[tuple[int, list[int]]]:
        seen = []
        for _ in range(5):
            with served.other.begin() as connection:
                connection.execute(sa.text("UPDATE engine SET name = name WHERE slug = 'vllm'"))
            committed = data_version(served.engine)
            # Many at once: on PostgreSQL they share round trips, never an earlier one.
            versions = await asyncio.gather(*(source.read() for _ in range(50)))
            seen.append((committed, [v.version for v in versions]))
        return seen

    try:
        for committed, versions in asyncio.run(rounds()):
            assert versions == [committed] * 50
    finally:
        source.close()


def test_a_closed_or_unmigrated_source_reports_unavailable(
    served: Served, blank_engine: sa.Engine
) -> None:
    source = version_source_for(served.engine)
    assert source is not None
    source.close()
    if served.engine.dialect.name == "postgresql":
        with pytest.raises(VersionUnavailableError):
            asyncio.run(source.read())
    blank = version_source_for(blank_engine)
    assert blank is not None
    try:
        with pytest.raises(VersionUnavailableError):
            asyncio.run(blank.read())
    finally:
        blank.close()


def test_in_memory_sqlite_has_no_source() -> None:
    assert version_source_for(sa.create_engine("sqlite://")) is None
