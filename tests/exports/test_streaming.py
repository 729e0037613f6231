"""Whole-graph exports stream: 20 times more papers must not mean 20 times more memory."""

import gc
import io
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col

import models as m
from api.services.exports import (
    bibtex_stream,
    csl_json_stream,
    dump_graph,
    graph_jsonld_stream,
    graphml_stream,
    restore_graph,
    ris_stream,
)
from tests.exports.factories import add_papers

SURVEY_PAPERS = 88
EXPORTS: dict[str, Callable[[Session], Iterable[str]]] = {
    "graphml": graphml_stream,
    "jsonld": lambda s: graph_jsonld_stream(s, "http://127.0.0.1:8000"),
    "bibtex": lambda s: bibtex_stream(s, sa.select(col(m.Paper.id))),
    "csl-json": lambda s: csl_json_stream(s, sa.select(col(m.Paper.id))),
    "ris": lambda s: ris_stream(s, sa.select(col(m.Paper.id))),
}


def _measure(run: Callable[[], int]) -> tuple[int, int]:
    """(peak traced bytes, output size) of one run, after a warm-up run.

    The warm-up fills SQLAlchemy's statement cache and lazy imports, which would
    otherwise be counted against the first measurement only.
    """
    run()
    gc.collect()
    tracemalloc.start()
    try:
        size = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, size


@pytest.mark.parametrize("name", list(EXPORTS))
def test_export_memory_is_flat(session: Session, name: str) -> None:
    export = EXPORTS[name]

    def run() -> int:
        return sum(len(chunk) for chunk in export(session))

    small_peak, small_size = _measure(run)
    add_papers(session.connection(), 20 * SURVEY_PAPERS)
    large_peak, large_size = _measure(run)
    assert large_size > (3 if name in ("graphml", "jsonld") else 10) * small_size
    assert large_peak < 2 * small_peak, (small_peak, large_peak)


class _CountingSink:
    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


def test_dump_memory_is_flat(
    seeded_engine: sa.Engine, empty_engine: sa.Engine, tmp_path: Path
) -> None:
    def run(engine: sa.Engine) -> Callable[[], int]:
        def dump() -> int:
            sink = _CountingSink()
            dump_graph(engine, sink)  # type: ignore[arg-type]
            return sink.size

        return dump

    small_peak, small_size = _measure(run(seeded_engine))
    buffer = io.BytesIO()
    dump_graph(seeded_engine, buffer)
    buffer.seek(0)
    restore_graph(empty_engine, buffer)
    with empty_engine.begin() as connection:
        add_papers(connection, 20 * SURVEY_PAPERS)
    large_peak, large_size = _measure(run(empty_engine))
    assert large_size > 3 * small_size
    assert large_peak < 2 * small_peak, (small_peak, large_peak)
