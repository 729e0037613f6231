"""Writers for what a newer README adds: engines, organisations, techniques and their
references, engine papers, matrix rows, quadrant places, catch-all cells and new prices;
and for held changes a reviewer accepts (removals are retired by `retire.py`).

Everything is written through the ordinary tables in the sync's session, so the database's
triggers (data version, and the history kept on survey facts) see each write.
"""

from typing import Any

from sqlmodel import Session, col, select

import models as m
from api.errors import InvalidInputError, Problem
from api.services import survey_tables
from api.services.survey_sync import new_columns, retire
from api.services.survey_sync.layout_cache import Layout
from api.services.survey_sync.plan import (
    MATRICES,
    Change,
    Plan,
    PriceTerms,
    engine_names,
    price_terms_of,
)
from api.services.survey_sync.price_rows import PriceRows
from api.services.survey_sync.readme import LINK, EngineBullet, TableRow, normalize, slug
from api.services.survey_sync.references import Reference, References
from api.services.survey_sync.values import (
    PRICE_ROW_TABLES,
    organization_value,
    overview_value,
    starred_pair,
    support_value,
)
from models.base import DeploymentScale, HardwareDiversity, LayoutAxis, SupportStatus

RECORD_ONLY = frozenset({"section-added"})
"""Held kinds whose acceptance is recorded and nothing else: a new section is acknowledged,
the graph has no place for it."""
REMOVALS = frozenset(
    {
        "row-removed",
        "technique-removed",
        "engine-removed",
        "paper-removed",
        "table-removed",
        "column-removed",
    }
)
"""Held kinds whose acceptance retires facts (`retire.py`)."""
_OVERVIEW_FIELDS = {
    "GitHub Stars": "github_stars",
    "Docs": "docs_level",
    "Open Source": "open_source",
    "SNS": "has_sns",
    "Forum": "has_forum",
    "Meetup": "has_meetup",
}
_WEB_LABELS = ("webpage", "website", "homepage", "docs", "site")
_URL_LENGTH = 500
_SCALES = {normalize(label): scale for scale, label in survey_tables.QUADRANT_ROWS.items()}
_DIVERSITIES = {
    normalize(label): diversity for diversity, label in survey_tables.QUADRANT_COLUMNS.items()
}


def cell_names(cell: str | None) -> list[str]:
    if cell in {None, "", "❌", "-"}:
        return []
    return [name.strip() for name in (cell or "").split(",") if name.strip()]


def references_of(plan: Plan, changes: list[Change]) -> list[Reference]:
    """Every link the changes about to be written cite, for `References.prepare`."""
    parsed = plan.parsed
    assert parsed is not None
    bullets = {bullet.name.casefold(): bullet for bullet in parsed.bullets}
    found: list[Reference] = []
    for change in changes:
        if change.kind == "technique-added":
            row = _row(plan, change)
            found += [Reference(label, url, row.line) for label, url in LINK.findall(row.cells[-1])]
        elif change.kind == "cell-changed" and change.column == "References":
            found += [Reference(label, url, change.line) for label, url in _links(change.new)]
        elif change.kind == "paper-added":
            bullet = bullets[(change.row or "").casefold()]
            found += [
                Reference(link.label, link.url, bullet.line)
                for link in bullet.urls_labelled("paper")
                if link.url == change.new
            ]
        elif change.kind == "engine-added":
            bullet = bullets[(change.row or "").casefold()]
            # A paper another engine holds is the paper-moved change's, not a new reference.
            moved = {c.id.removeprefix("paper-moved:") for c in plan.changes}
            found += [
                Reference(link.label, link.url, bullet.line)
                for link in bullet.urls_labelled("paper")
                if link.url not in moved
            ]
    return found


def _links(cell: str | None) -> list[tuple[str, str]]:
    return [(label, url) for label, url in LINK.findall(cell or "")]


def _row(plan: Plan, change: Change) -> TableRow:
    assert plan.parsed is not None
    table = plan.parsed.tables[change.table]
    return next(row for row in table.rows if row.cells[0] == change.row)


def refusal(session: Session, plan: Plan, change: Change) -> str | None:
    """Why an accepted held change cannot be written, or None when it can."""
    if change.kind in RECORD_ONLY:
        return None
    if change.kind == "column-added":
        return new_columns.refusal(session, plan, change)
    if change.kind in REMOVALS:
        return retire.refusal(change)
    if change.kind == "paper-moved":
        return None
    if change.kind == "column-renamed":
        if change.table in MATRICES or change.table.endswith("-pricing"):
            return None
        return f"the columns of {change.table} are fixed; a curator changes them"
    if change.kind == "cell-changed":
        if change.table == "deployment-quadrant":
            assert plan.context is not None
            unknown = [n for n in cell_names(change.new) if not plan.context.engine_known(n)]
            return f"no engine named {', '.join(unknown)} in the graph yet" if unknown else None
        if change.table == "hardware-matrix":
            unknown = [name for name in cell_names(change.new) if not _platform_exists(plan, name)]
            return f"no platform named {', '.join(unknown)} in the graph yet" if unknown else None
        if change.column == "References" or retire.is_withdrawn_price(change):
            return None
    return f"a {change.kind} change of this kind has no writer: {change.reason}"


def _platform_exists(plan: Plan, name: str) -> bool:
    assert plan.context is not None
    return name.casefold() in plan.context.platforms


class Writers:
    """One apply's writers; engines created on the way are found again by name."""

    def __init__(
        self, session: Session, layout: Layout, plan: Plan, references: References
    ) -> None:
        self.session = session
        self.layout = layout
        self.plan = plan
        self.references = references
        self.retirements = retire.Retirements(session, layout)
        self.price_rows = PriceRows(session, layout, self._free_slug, self._price_terms)
        self.engines = engine_names(session)
        assert plan.parsed is not None
        self._slugs: dict[type, set[str]] = {}
        self._organizations: dict[str, m.Organization] | None = None
        self._categories: dict[str, m.TechniqueCategory] = {}
        self._platforms: dict[str, m.Platform] | None = None
        self._positions: dict[int, int] = {}
        """The last technique position per category, kept as techniques are added."""
        self.bullets: dict[str, EngineBullet] = {}
        for bullet in plan.parsed.bullets:
            self.bullets.setdefault(bullet.name.casefold(), bullet)

    # --- what needs no judgement -----------------------------------------------------

    def write(self, change: Change) -> bool:
        """Write a change of a kind this module knows; False for the cells apply.py writes."""
        if change.kind == "engine-added":
            self._engine_added(change)
        elif change.kind == "paper-added":
            engine = self.engine_for(change.row or "")
            label = self._paper_label(change.row or "", change.new or "")
            self._engine_paper(engine, label, change.new or "")
        elif change.kind == "row-added":
            self._row_added(change)
        elif change.kind == "technique-added":
            self._technique_added(change)
        elif change.kind == "table-added":
            self._category(change.table)
        elif change.kind == "cell-changed" and change.column == "References":
            self._references(change)
        elif change.kind == "cell-changed" and change.column == "Organization":
            self._organization(change)
        elif change.kind == "cell-changed" and change.table == "deployment-quadrant":
            self._quadrant(change)
        elif (
            change.kind == "cell-changed"
            and change.table == "hardware-matrix"
            and self.plan.context is not None
            and (change.table, change.column or "") in self.plan.context.catch_all
        ):
            self._catch_all(change)
        elif change.kind == "cell-changed" and change.table == "model-pricing":
            self._model_price(change)
        else:
            return False
        return True

    def engine_for(self, name: str) -> m.Engine:
        """The engine of this name or alias, created (from its bullet, if any) when new."""
        known = self.engines.get(name.casefold())
        if known is not None:
            return known
        bullet = self.bullets.get(name.casefold())
        engine = m.Engine(slug=self._free_slug(m.Engine, name), name=name[:200])
        if bullet is not None:
            engine.is_commercial = bullet.section == "commercial"
            links = [link for link in bullet.links if len(link.url) <= _URL_LENGTH]
            named = [link for link in links if link.label == bullet.name]
            for link in named[:1]:
                if "github.com/" in link.url:
                    engine.repo_url = link.url
                else:
                    engine.web_url = link.url
            for link in links:
                if engine.web_url is None and link.label.lower().startswith(_WEB_LABELS):
                    engine.web_url = link.url
        self.session.add(engine)
        self.session.flush()
        self.engines[name.casefold()] = engine
        return engine

    def _free_slug(self, model: type[Any], name: str) -> str:
        if model not in self._slugs:
            self._slugs[model] = set(self.session.exec(select(model.slug)))
        taken = self._slugs[model]
        base = slug(name)[:110] or "entry"
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        return candidate

    def _engine_added(self, change: Change) -> None:
        engine = self.engine_for(change.row or "")
        bullet = self.bullets.get((change.row or "").casefold())
        if bullet is None:
            return
        owned = set(
            self.session.exec(
                select(m.EnginePaper.url).where(
                    m.EnginePaper.source_id == self._lists(), m.EnginePaper.engine_id != engine.id
                )
            )
        )
        for link in bullet.urls_labelled("paper"):
            if link.url not in owned:  # held as a paper-moved change, for a reviewer
                self._engine_paper(engine, link.label, link.url)

    def _paper_label(self, engine: str, url: str) -> str:
        bullet = self.bullets.get(engine.casefold())
        labels = [link.label for link in bullet.links if link.url == url] if bullet else []
        return labels[0] if labels else "Paper"

    def _lists(self) -> int:
        return self.layout.source_id("survey-engine-lists")

    def _engine_paper(self, engine: m.Engine, label: str, url: str) -> None:
        paper_id = self.references.paper_id(url)
        mine = list(
            self.session.exec(select(m.EnginePaper).where(m.EnginePaper.engine_id == engine.id))
        )
        if any(row.paper_id == paper_id for row in mine):
            return  # the same paper under another link: one engine paper
        assert engine.id is not None
        self.session.add(
            m.EnginePaper(
                engine_id=engine.id,
                paper_id=paper_id,
                position=max((row.position for row in mine), default=-1) + 1,
                label=label[:100],
                url=url,
                source_id=self._lists(),
            )
        )

    def _row_added(self, change: Change) -> None:
        assert self.plan.parsed is not None and change.row is not None
        table = self.plan.parsed.tables[change.table]
        row = _row(self.plan, change)
        if change.table in PRICE_ROW_TABLES:
            self.price_rows.write(table, row)
            return
        engine = self.engine_for(change.row)
        assert engine.id is not None
        source_id = self.layout.source_id(f"survey-{change.table}")
        self.layout.add(source_id, LayoutAxis.ROW, change.row, engine_id=engine.id)
        cells = dict(zip(table.headers[1:], row.cells[1:], strict=True))
        if change.table == "overview":
            for column, cell in cells.items():
                self._overview_cell(engine, column, cell)
            return
        _, target_column = MATRICES[change.table]
        columns = self.layout.all(source_id, LayoutAxis.COLUMN)
        for header, cell in cells.items():
            column_entry = columns.get(header)
            if column_entry is None:
                continue  # a renamed or added column: held on its own
            target = getattr(column_entry, target_column)
            if target is None:
                if change.table == "hardware-matrix":
                    self._support_platforms(engine.id, cell_names(cell), SupportStatus.SUPPORTED)
                continue
            status, note = support_value(cell)
            self.layout.set_fact(change.table, engine.id, target, status, note)

    def _overview_cell(self, engine: m.Engine, column: str, cell: str) -> None:
        if column == "Organization":
            self._set_organization(engine, cell)
        elif column == "Release Date":
            value = overview_value(column, cell)
            year, month = value if isinstance(value, tuple) else (None, None)
            engine.release_year, engine.release_month = year, month
        elif column in _OVERVIEW_FIELDS:
            setattr(engine, _OVERVIEW_FIELDS[column], overview_value(column, cell))
        self.session.add(engine)

    def _set_organization(self, engine: m.Engine, cell: str) -> None:
        stated = organization_value(cell)
        if stated is None:
            engine.organization_id = None
            return
        kind, name = stated
        if self._organizations is None:
            self._organizations = {
                o.name.casefold(): o for o in self.session.exec(select(m.Organization))
            }
        organization = self._organizations.get(name.casefold())
        if organization is None:
            organization = m.Organization(
                slug=self._free_slug(m.Organization, name), name=name, kind=kind
            )
            self._organizations[name.casefold()] = organization
        organization.kind = kind
        self.session.add(organization)
        self.session.flush()
        engine.organization_id = organization.id

    def _organization(self, change: Change) -> None:
        source_id = self.layout.source_id("survey-overview")
        row = self.layout.entry(source_id, LayoutAxis.ROW, change.row or "")
        engine = self.session.get(m.Engine, row.engine_id)
        assert engine is not None
        self._set_organization(engine, change.new or "")
        self.session.add(engine)

    def _category(self, table: str) -> m.TechniqueCategory:
        """The table's category; a new table's is created under the section above it."""
        wanted = table.removeprefix("techniques-")
        if wanted in self._categories:
            return self._categories[wanted]
        found = self.session.exec(
            select(m.TechniqueCategory).where(m.TechniqueCategory.slug == wanted)
        ).first()
        if found is not None:
            self._categories[wanted] = found
            return found
        assert self.plan.parsed is not None
        readme_table = self.plan.parsed.tables[table]
        sections = [s for s in self.plan.parsed.sections if s.line <= readme_table.line]
        own = sections[-1]
        parents = [s for s in sections if s.level < own.level]
        parent = None
        if parents and parents[-1].key != "optimization techniques":
            parent = self.session.exec(
                select(m.TechniqueCategory).where(
                    m.TechniqueCategory.slug == slug(parents[-1].heading)
                )
            ).first()
        parent_id = parent.id if parent else None
        siblings = self.session.exec(
            select(m.TechniqueCategory.position).where(
                m.TechniqueCategory.parent_id == parent_id
                if parent_id is not None
                else col(m.TechniqueCategory.parent_id).is_(None)
            )
        ).all()
        words = [word for word in own.heading.split() if any(ch.isalnum() for ch in word)]
        category = m.TechniqueCategory(
            slug=wanted[:120],
            name=" ".join(words)[:200],
            parent_id=parent_id,
            position=max(siblings, default=-1) + 1,
            description=None,  # InferGraph's own words, for a curator to write
        )
        self.session.add(category)
        self.session.flush()
        self._categories[wanted] = category
        return category

    def _technique_added(self, change: Change) -> None:
        row = _row(self.plan, change)
        category = self._category(change.table)
        assert category.id is not None and change.row is not None
        if category.id not in self._positions:
            taken = self.session.exec(
                select(m.Technique.position).where(m.Technique.category_id == category.id)
            ).all()
            self._positions[category.id] = max(taken, default=-1)
        self._positions[category.id] += 1
        technique = m.Technique(
            slug=self._free_slug(m.Technique, change.row),
            name=change.row[:200],
            category_id=category.id,
            position=self._positions[category.id],
            # InferGraph describes techniques in its own words: empty until a curator does.
            description="",
            in_survey_table=True,
        )
        self.session.add(technique)
        self.session.flush()
        self._cite(technique, _links(row.cells[-1]), first=0)

    def _cite(self, technique: m.Technique, links: list[tuple[str, str]], *, first: int) -> None:
        assert technique.id is not None
        source_id = self.layout.source_id("survey-technique-tables")
        for position, (label, url) in enumerate(links, start=first):
            self.session.add(
                m.TechniqueCitation(
                    technique_id=technique.id,
                    paper_id=self.references.paper_id(url),
                    position=position,
                    label=label[:200],
                    url=url,
                    source_id=source_id,
                )
            )

    def _technique(self, change: Change) -> m.Technique:
        category = self._category(change.table)
        return self.session.exec(
            select(m.Technique).where(
                m.Technique.category_id == category.id,
                m.Technique.name == change.row,
                col(m.Technique.in_survey_table),
            )
        ).one()

    def _references(self, change: Change) -> None:
        """New links after the ones the graph has (no judgement needed)."""
        old, new = _links(change.old), _links(change.new)
        self._cite(self._technique(change), new[len(old) :], first=len(old))

    def _replace_references(self, change: Change) -> None:
        """An accepted reference change: each position takes the README's link (a changed link
        is the same citation); old ones past the README's last are retired, their papers stay."""
        old, new = _links(change.old), _links(change.new)
        technique = self._technique(change)
        citations = list(
            self.session.exec(
                select(m.TechniqueCitation)
                .where(
                    m.TechniqueCitation.technique_id == technique.id,
                    m.TechniqueCitation.source_id
                    == self.layout.source_id("survey-technique-tables"),
                )
                .order_by(col(m.TechniqueCitation.position))
            )
        )
        for citation, (label, url) in zip(citations, new, strict=False):
            if (citation.label, citation.url) != (label, url):
                citation.label, citation.url = label[:200], url
                citation.paper_id = self.references.paper_id(url)
                self.session.add(citation)
        for citation in citations[len(new) :]:
            self.session.delete(citation)  # the history keeps it (retire.py)
        self._cite(technique, new[len(old) :], first=len(old))

    def _quadrant_cell(self, change: Change) -> tuple[DeploymentScale, HardwareDiversity]:
        return _SCALES[normalize(change.row or "")], _DIVERSITIES[normalize(change.column or "")]

    def _quadrant(self, change: Change) -> None:
        scale, diversity = self._quadrant_cell(change)
        source_id = self.layout.source_id("survey-deployment-quadrant")
        before = set(cell_names(change.old))
        for name in cell_names(change.new):
            if name in before:
                continue
            engine = self.engine_for(name)
            assert engine.id is not None
            engine.deployment_scale, engine.hardware_diversity = scale, diversity
            self.session.add(engine)
            cell = f"{scale.value}/{diversity.value}"
            self.layout.add(source_id, LayoutAxis.ROW, name, cell=cell, engine_id=engine.id)

    def _accept_quadrant(self, change: Change) -> None:
        """An engine that moved in (written) or left the quadrant (its place becomes
        unknown, unless the README puts it in another cell, which that cell's change says)."""
        self._quadrant(change)
        assert self.plan.parsed is not None
        quadrant = self.plan.parsed.tables["deployment-quadrant"]
        placed = {
            name for row in quadrant.rows for cell in row.cells[1:] for name in cell_names(cell)
        }
        for name in set(cell_names(change.old)) - set(cell_names(change.new)) - placed:
            engine = self.engines.get(name.casefold())
            if engine is not None:
                engine.deployment_scale = engine.hardware_diversity = None
                self.session.add(engine)

    def _support_platforms(self, engine_id: int, names: list[str], status: SupportStatus) -> None:
        if self._platforms is None:
            self._platforms = {p.name.casefold(): p for p in self.session.exec(select(m.Platform))}
        for name in names:
            platform = self._platforms.get(name.casefold())
            if platform is None or platform.id is None:
                raise InvalidInputError(
                    f"no platform named {name!r} in the graph",
                    [Problem("unknown platform", field="ETC", value=name)],
                )
            self.layout.set_fact(
                "hardware-matrix", engine_id, platform.id, status, None, keep_note=True
            )

    def _catch_all(self, change: Change) -> None:
        source_id = self.layout.source_id("survey-hardware-matrix")
        row = self.layout.entry(source_id, LayoutAxis.ROW, change.row or "")
        assert row.engine_id is not None
        before, after = cell_names(change.old), cell_names(change.new)
        self._support_platforms(
            row.engine_id, [n for n in after if n not in before], SupportStatus.SUPPORTED
        )
        # Accepted only: a name gone from the cell is no longer said to be supported.
        gone = [n for n in before if n not in after]
        self._support_platforms(row.engine_id, gone, SupportStatus.UNKNOWN)

    def _model_price(self, change: Change) -> None:
        """A model price, new or changed; a starred one is for the model the table's `\\*`
        note names (checked by the plan), a plain one for the row's model itself."""
        source_id = self.layout.source_id("survey-model-pricing")
        row = self.layout.entry(source_id, LayoutAxis.ROW, change.row or "")
        provider = self.layout.entry(
            source_id, LayoutAxis.COLUMN, (change.column or "").rstrip("†‡*")
        )
        assert provider.engine_id is not None and row.model_id is not None
        given, taken, starred = starred_pair(change.new or "")
        price = self.layout.price(
            "model-pricing", provider.engine_id, row.model_id
        ) or m.ModelPrice(
            provider_id=provider.engine_id,
            model_id=row.model_id,
            input_usd_per_mtok=given,
            output_usd_per_mtok=taken,
            source_id=source_id,
        )
        if price.id is None:
            price.model_variant, price.pricing_mode = self._price_terms(change.column or "")
        price.input_usd_per_mtok, price.output_usd_per_mtok = given, taken
        price.served_model_id = self._substitute_id() if starred else None
        self.session.add(price)

    def _price_terms(self, column: str) -> PriceTerms:
        """The variant and mode a new price in `column` takes: those every survey price of
        its provider shares (Together AI's `‡`: Turbo); the plan held the price otherwise."""
        assert self.plan.context is not None
        return price_terms_of(self.plan.context, column)

    def _substitute_id(self) -> int:
        assert self.plan.context is not None and self.plan.context.substitute is not None
        wanted = self.plan.context.substitute.casefold()
        found = [
            model.id
            for model in self.session.exec(select(m.LLMModel))
            if model.name.casefold() == wanted and model.id is not None
        ]
        return found[0]

    # --- what a reviewer accepted ----------------------------------------------------

    def accept(self, change: Change) -> None:
        if change.kind in RECORD_ONLY:
            return
        if change.kind in REMOVALS or retire.is_withdrawn_price(change):
            engine = self.engines.get((change.row or "").casefold())
            self.retirements.retire(change, engine if change.table == "engine-lists" else None)
        elif change.kind == "column-added":
            new_columns.write(self.session, self.layout, self.plan, change)
        elif change.kind == "paper-moved":
            self._move_paper(change)
        elif change.kind == "column-renamed":
            self._rename_column(change)
        elif change.table == "deployment-quadrant":
            self._accept_quadrant(change)
        elif change.table == "hardware-matrix":
            self._catch_all(change)
        elif change.column == "References":
            self._replace_references(change)

    def finish(self) -> None:
        """After the last accepted change: retire what the removals left without a use."""
        self.retirements.sweep()

    def _move_paper(self, change: Change) -> None:
        url = change.id.removeprefix("paper-moved:")
        engine = self.engine_for(change.new or "")
        source_id = self._lists()
        row = self.session.exec(
            select(m.EnginePaper).where(
                m.EnginePaper.url == url, m.EnginePaper.source_id == source_id
            )
        ).one()
        positions = self.session.exec(
            select(m.EnginePaper.position).where(
                m.EnginePaper.engine_id == engine.id, m.EnginePaper.source_id == source_id
            )
        ).all()
        assert engine.id is not None
        row.engine_id = engine.id
        row.position = max(positions, default=-1) + 1
        self.session.add(row)

    def _rename_column(self, change: Change) -> None:
        """The same column spelt anew: the survey's label changes, the entity keeps its name."""
        source_id = self.layout.source_id(f"survey-{change.table}")
        column = self.layout.entry(source_id, LayoutAxis.COLUMN, (change.old or "").rstrip("†‡*"))
        column.label = (change.new or "").rstrip("†‡*")[:200]
        self.session.add(column)
