"""A large synthetic graph on top of the seeded survey, for the scale benchmark.

The survey is seeded first (migrations + seed loader), then synthetic rows are bulk-inserted
until the graph holds the requested totals. A "citation link" is a `technique_citation` row
(a technique cites a paper): the only paper-to-graph edge our model has. With the survey's 56
techniques a million links would mean ~18,000 citations per technique, so the generator adds
techniques (5,000 in total by default, spread over the survey's categories), each citing
~200 papers; papers get three authors each from a pool of 30,000.

Rows are written with Core `executemany` on SQLite and `COPY` on PostgreSQL, with explicit
ids (PostgreSQL sequences are moved past them afterwards). Everything is deterministic.

    python -m bench.scale_data --database-url URL   (an empty database; default: a SQLite file)
"""

import argparse
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

import models as m
from api.config import normalize_database_url
from api.db import create_db_engine
from seed.loader import seed_database

SOURCE_SLUG = "bench-scale"
BATCH_ROWS = 20_000
COUNTED_TABLES = (
    "engine",
    "feature_support",
    "technique",
    "paper",
    "author",
    "paper_author",
    "technique_citation",
)
_WORDS = ("paged", "speculative", "sparse", "quantized", "batched", "fused", "offloaded", "cached")


@dataclass(frozen=True)
class ScaleSize:
    papers: int = 100_000
    citations: int = 1_000_000
    engines: int = 200
    techniques: int = 5_000
    authors: int = 30_000
    authors_per_paper: int = 3

    def scaled(self, factor: float) -> "ScaleSize":
        """A proportionally smaller graph (for the memory comparison and `--quick`)."""
        return ScaleSize(
            papers=max(1_000, int(self.papers * factor)),
            citations=max(10_000, int(self.citations * factor)),
            engines=self.engines,
            techniques=max(100, int(self.techniques * factor)),
            authors=max(1_000, int(self.authors * factor)),
            authors_per_paper=self.authors_per_paper,
        )


def build_scale_graph(engine: sa.Engine, size: ScaleSize) -> dict[str, int]:
    """Seed the survey into an empty database, then grow it to `size`. Returns row counts."""
    seed_database(engine)
    with engine.begin() as db:
        writer = _Writer(db)
        source_id = writer.insert_one(
            m.Source, slug=SOURCE_SLUG, title="Synthetic scale benchmark data", kind="list"
        )
        _add_engines(writer, size, source_id)
        technique_ids = _add_techniques(writer, size)
        author_ids = _add_authors(writer, size)
        paper_ids = _add_papers(writer, size, source_id, author_ids)
        _add_citations(writer, size, source_id, technique_ids, paper_ids)
        writer.move_sequences()
    with engine.begin() as db:
        # Fresh statistics, as a production database would have after autovacuum.
        db.execute(sa.text("ANALYZE"))
        return {
            table: int(db.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in COUNTED_TABLES
        }


class _Writer:
    """Bulk inserts with explicit ids, the fastest path each dialect offers."""

    def __init__(self, db: sa.Connection) -> None:
        self.db = db
        self.postgres = db.dialect.name == "postgresql"
        self.tables: set[str] = set()

    def next_id(self, model: Any) -> int:
        table: sa.Table = model.__table__
        return int(self.db.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1

    def insert_one(self, model: Any, **values: Any) -> int:
        row_id = self.next_id(model)
        self.insert(model, [{"id": row_id, **values}])
        return row_id

    def insert(self, model: Any, rows: Sequence[dict[str, Any]] | Iterator[dict[str, Any]]) -> None:
        table: sa.Table = model.__table__
        self.tables.add(table.name)
        for batch in _batches(rows, BATCH_ROWS):
            if self.postgres:
                self._copy(table, batch)
            else:
                self.db.execute(table.insert(), batch)

    def _copy(self, table: sa.Table, batch: list[dict[str, Any]]) -> None:
        columns = list(batch[0])
        json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
        cursor = self.db.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in batch:
                copy.write_row([_json(row[c]) if c in json_columns else row[c] for c in columns])

    def move_sequences(self) -> None:
        if not self.postgres:
            return
        for table in sorted(self.tables):
            if table == "paper_author":
                continue  # composite key, no sequence
            self.db.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )
            )


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _batches(
    rows: Sequence[dict[str, Any]] | Iterator[dict[str, Any]], size: int
) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _count(db: sa.Connection, model: Any) -> int:
    return int(db.execute(sa.select(sa.func.count()).select_from(model.__table__)).scalar_one())


def _add_engines(writer: _Writer, size: ScaleSize, source_id: int) -> None:
    existing = _count(writer.db, m.Engine)
    first = writer.next_id(m.Engine)
    new_ids = list(range(first, first + max(0, size.engines - existing)))
    writer.insert(
        m.Engine,
        (
            {
                "id": engine_id,
                "slug": f"scale-engine-{n:03d}",
                "name": f"Scale Engine {n:03d}",
                "release_year": 2020 + n % 6,
                "is_commercial": n % 3 == 0,
                "github_stars": n * 37,
            }
            for n, engine_id in enumerate(new_ids)
        ),
    )
    features = [row.id for row in writer.db.execute(sa.text("SELECT id FROM optimization_feature"))]
    statuses = ("supported", "not_supported", "unknown")
    first_fact = writer.next_id(m.FeatureSupport)
    writer.insert(
        m.FeatureSupport,
        (
            {
                "id": first_fact + i * len(features) + j,
                "engine_id": engine_id,
                "feature_id": feature_id,
                "status": statuses[(i + j) % 3],
                "source_id": source_id,
            }
            for i, engine_id in enumerate(new_ids)
            for j, feature_id in enumerate(features)
        ),
    )


def _add_techniques(writer: _Writer, size: ScaleSize) -> list[int]:
    """Ids of the synthetic techniques, spread over the survey's categories."""
    categories = [row.id for row in writer.db.execute(sa.text("SELECT id FROM technique_category"))]
    existing = _count(writer.db, m.Technique)
    first = writer.next_id(m.Technique)
    ids = list(range(first, first + max(0, size.techniques - existing)))
    writer.insert(
        m.Technique,
        (
            {
                "id": technique_id,
                "slug": f"scale-technique-{n:05d}",
                "name": f"Scale Technique {n:05d}",
                "category_id": categories[n % len(categories)],
                "position": 1_000 + n,
                "description": f"A synthetic {_WORDS[n % len(_WORDS)]} technique.",
                "in_survey_table": False,
            }
            for n, technique_id in enumerate(ids)
        ),
    )
    return ids


def _add_authors(writer: _Writer, size: ScaleSize) -> list[int]:
    first = writer.next_id(m.Author)
    ids = list(range(first, first + size.authors))
    writer.insert(
        m.Author,
        (
            {
                "id": author_id,
                "name": f"Given{n} Family{n}",
                "family": f"Family{n}",
                "given": f"Given{n}",
                "name_key": f"family{n}, given{n}",
            }
            for n, author_id in enumerate(ids)
        ),
    )
    return ids


def _add_papers(
    writer: _Writer, size: ScaleSize, source_id: int, author_ids: list[int]
) -> list[int]:
    existing = _count(writer.db, m.Paper)
    first = writer.next_id(m.Paper)
    ids = list(range(first, first + max(0, size.papers - existing)))

    def paper(n: int, paper_id: int) -> dict[str, Any]:
        # One paper in a hundred has no year, so NULL ordering is exercised at scale too.
        year = None if n % 100 == 99 else 2000 + n % 26
        title = f"Scale paper {n}: {_WORDS[n % 8]} {_WORDS[(n // 8) % 8]} inference"
        return {
            "id": paper_id,
            "bibtex_key": f"scale{n:06d}",
            "entry_type": "article",
            "title": title,
            "year": year,
            "month": 1 + n % 12,
            "venue": f"Venue {n % 40}",
            "doi": f"10.5555/scale.{n}",
            "arxiv_id": f"{(year or 2001) % 100:02d}{1 + n % 12:02d}.{n:06d}",
            "source_id": source_id,
            "bibtex_fields": {"title": title, "year": str(year or "")},
        }

    writer.insert(m.Paper, (paper(n, paper_id) for n, paper_id in enumerate(ids)))
    writer.insert(
        m.PaperAuthor,
        (
            {
                "paper_id": paper_id,
                "position": k,
                "author_id": author_ids[(n * 7 + k * 1_009) % len(author_ids)],
                "raw_name": f"Family{(n * 7 + k * 1_009) % len(author_ids)}, Given",
            }
            for n, paper_id in enumerate(ids)
            for k in range(size.authors_per_paper)
        ),
    )
    return ids


def _add_citations(
    writer: _Writer,
    size: ScaleSize,
    source_id: int,
    technique_ids: list[int],
    paper_ids: list[int],
) -> None:
    existing = _count(writer.db, m.TechniqueCitation)
    wanted = max(0, size.citations - existing)
    per_technique = -(-wanted // len(technique_ids))
    first = writer.next_id(m.TechniqueCitation)

    def links() -> Iterator[dict[str, Any]]:
        made = 0
        for t, technique_id in enumerate(technique_ids):
            for k in range(per_technique):
                if made == wanted:
                    return
                paper_id = paper_ids[(t * 7_919 + k * 104_729) % len(paper_ids)]
                yield {
                    "id": first + made,
                    "technique_id": technique_id,
                    "paper_id": paper_id,
                    "position": k,
                    "label": f"Family et al. ({2000 + k % 26})",
                    "url": f"https://example.org/p/{paper_id}",
                    "source_id": source_id,
                }
                made += 1

    writer.insert(m.TechniqueCitation, links())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="sqlite:///scale.db")
    parser.add_argument("--factor", type=float, default=1.0, help="fraction of the full size")
    args = parser.parse_args()
    engine = create_db_engine(normalize_database_url(args.database_url))
    began = time.perf_counter()
    counts = build_scale_graph(engine, ScaleSize().scaled(args.factor))
    print(f"built in {time.perf_counter() - began:.1f} s: {counts}")


if __name__ == "__main__":
    main()
