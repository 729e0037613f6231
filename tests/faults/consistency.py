"""What "the database is consistent" and "the database is unchanged" mean in the fault tests.

Unchanged is about the survey's content, checked with the dump's content hash
(`api/services/exports/content_hash.py`), which is independent of row order and ids. Two
tables are the server's own logs, not content, and are left out: `api_token`, whose
`last_used_at` every authenticated request moves, and `ingest_run`, the audit log of ingest
attempts (an attempt whose entries all fail still records its run and that run's `source`).
"""

from collections.abc import Collection

import sqlalchemy as sa

from api.services.exports.content_hash import content_hash

ACCESS_LOG = ("api_token",)
AUDIT_LOG = ("ingest_run", "ingest_entry")
IDENTIFIERS = ("arxiv_id", "doi", "identity_key", "bibtex_key")


def survey_hash(engine: sa.Engine, *, with_runs: bool = True) -> str:
    """The content hash without the access log; `with_runs=False` also leaves out the audit
    log of ingest attempts and the `source` rows that record them."""
    if with_runs:
        return content_hash(engine, skip=ACCESS_LOG)
    return content_hash(engine, skip=(*ACCESS_LOG, *AUDIT_LOG, "source")) + _survey_sources(engine)


def _survey_sources(engine: sa.Engine) -> str:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT slug FROM source WHERE id NOT IN "
                "(SELECT source_id FROM ingest_run WHERE source_id IS NOT NULL) ORDER BY slug"
            )
        )
        return "|" + ",".join(row[0] for row in rows)


def authorless_papers(connection: sa.Connection) -> list[str]:
    """Cite keys of papers without authors (the survey has a few: software, web pages)."""
    rows = connection.execute(
        sa.text(
            "SELECT bibtex_key FROM paper p WHERE NOT EXISTS "
            "(SELECT 1 FROM paper_author pa WHERE pa.paper_id = p.id)"
        )
    )
    return [str(row[0]) for row in rows]


def consistency_problems(
    engine: sa.Engine,
    authors_per_paper: int | None = None,
    known_authorless: Collection[str] = (),
) -> list[str]:
    """Everything wrong with the stored papers: storage damage, broken references,
    duplicates, papers without (all of) their authors. Empty when consistent.

    `authors_per_paper`: how many authors every paper has, where all have as many;
    `known_authorless`: papers that had no authors before (see `authorless_papers`).
    """
    problems: list[str] = []
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            integrity = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
            if integrity != ["ok"]:
                problems.append(f"integrity_check: {integrity}")
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                problems.append(f"foreign_key_check: {broken[:5]}")
        for column in IDENTIFIERS:
            duplicated = connection.execute(
                sa.text(
                    f"SELECT {column}, count(*) FROM paper WHERE {column} IS NOT NULL "
                    f"GROUP BY {column} HAVING count(*) > 1"
                )
            ).all()
            if duplicated:
                problems.append(f"duplicate {column}: {duplicated[:5]}")
        authorless = set(authorless_papers(connection)) - set(known_authorless)
        if authorless:
            problems.append(f"papers without authors: {sorted(authorless)[:5]}")
        if authors_per_paper is not None:
            partial = connection.execute(
                sa.text(
                    "SELECT paper_id, count(*) FROM paper_author GROUP BY paper_id "
                    "HAVING count(*) <> :n OR max(position) <> :n - 1"
                ),
                {"n": authors_per_paper},
            ).all()
            if partial:
                problems.append(f"papers with a partial author list: {partial[:5]}")
    return problems


def scalar(engine: sa.Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text(sql)).scalar_one())
