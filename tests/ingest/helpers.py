"""Factories and database fingerprints for the ingest tests."""

import hashlib
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

import models as m

BIBTEX_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bibtex"
ARXIV_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "arxiv"
_CONTENT_TABLES = ("paper", "author", "paper_author", "paper_change", "technique_link", "source")


def fingerprint(engine: sa.Engine) -> dict[str, str]:
    """Per table: row count and a hash of every row, to prove nothing was written."""
    result = {}
    with engine.connect() as connection:
        for name in _CONTENT_TABLES:
            table = SQLModel.metadata.tables[name]
            rows = connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
            count = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            result[name] = f"{count}:{digest[:16]}"
    return result


def count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as connection:
        value = connection.execute(
            sa.select(sa.func.count()).select_from(SQLModel.metadata.tables[table])
        ).scalar()
    return int(value or 0)


def make_technique(
    engine: sa.Engine, *, slug: str, name: str, aliases: tuple[str, ...] = ()
) -> int:
    with Session(engine) as session:
        category = session.exec(
            select(m.TechniqueCategory).where(m.TechniqueCategory.slug == "test-category")
        ).first()
        if category is None:
            category = m.TechniqueCategory(slug="test-category", name="Test", position=0)
            session.add(category)
            session.flush()
        assert category.id is not None
        technique = m.Technique(
            slug=slug, name=name, category_id=category.id, position=0, description=name
        )
        session.add(technique)
        session.flush()
        assert technique.id is not None
        for alias in aliases:
            session.add(m.TechniqueAlias(technique_id=technique.id, alias=alias))
        session.commit()
        return technique.id


def paper(engine: sa.Engine, **where: object) -> m.Paper:
    with Session(engine) as session:
        statement = select(m.Paper)
        for column, value in where.items():
            statement = statement.where(getattr(m.Paper, column) == value)
        rows = session.exec(statement).all()
        assert len(rows) == 1, f"{len(rows)} papers match {where}"
        return rows[0]


def authors_of(engine: sa.Engine, paper_id: int) -> list[tuple[str, list[str] | None]]:
    with Session(engine) as session:
        rows = session.exec(
            select(m.Author.name, m.PaperAuthor.affiliations)
            .join(m.PaperAuthor, col(m.PaperAuthor.author_id) == m.Author.id)
            .where(m.PaperAuthor.paper_id == paper_id)
            .order_by(col(m.PaperAuthor.position))
        )
        return [(name, list(affiliations) if affiliations else None) for name, affiliations in rows]
