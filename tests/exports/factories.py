"""Generated rows for tests that need a bigger or odder graph than the survey's."""

from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel, col

import models as m


def add_papers(connection: sa.Connection, count: int, *, prefix: str = "zz-generated") -> None:
    """`count` papers with stored BibTeX fields and three authors each, like the survey's."""
    source_id = connection.execute(sa.select(sa.func.min(col(m.Source.id)))).scalar_one()
    author_ids = list(
        connection.execute(
            sa.select(col(m.Author.id)).order_by(col(m.Author.id)).limit(3)
        ).scalars()
    )
    start = (connection.execute(sa.select(sa.func.max(col(m.Paper.id)))).scalar_one() or 0) + 1
    papers: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for offset in range(count):
        paper_id = start + offset
        key = f"{prefix}{offset:06d}"
        title = f"Generated {{LLM}} Paper Number {offset} on Serving Efficiency"
        papers.append(
            {
                "id": paper_id,
                "bibtex_key": key,
                "entry_type": "misc",
                "title": title.replace("{", "").replace("}", ""),
                "year": 2024,
                "month": 5,
                "url": f"https://example.org/{key}",
                "source_id": source_id,
                "bibtex_fields": {
                    "title": title,
                    "author": "Doe, Jane and Roe, Richard and Poe, Edgar",
                    "year": "2024",
                    "month": "may",
                    "url": f"https://example.org/{key}",
                },
            }
        )
        links += [
            {"paper_id": paper_id, "position": p, "author_id": a, "raw_name": "Doe, Jane"}
            for p, a in enumerate(author_ids)
        ]
    connection.execute(sa.insert(table("paper")), papers)
    connection.execute(sa.insert(table("paper_author")), links)


def table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


def table_count(connection: sa.Connection, name: str) -> int:
    return int(connection.execute(sa.select(sa.func.count()).select_from(table(name))).scalar_one())
