"""Read and validate the survey seed: every problem in every file, before anything is written."""

from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from api.errors import InvalidInputError, Problem
from api.services.ingest.readers.bibtex import BibEntry, parse_bibtex
from seed import rows as r
from seed.files import (
    Record,
    display_path,
    read_csv_records,
    read_yaml_records,
    record_from_mapping,
)

RowT = TypeVar("RowT", bound=r.Row)
T = TypeVar("T")


@dataclass(frozen=True)
class Located(Generic[T]):
    row: T
    record: Record


@dataclass(frozen=True)
class PlacedCategory:
    row: r.CategoryRow
    parent: str | None
    position: int
    depth: int


@dataclass(frozen=True)
class PlacedTechnique:
    row: r.TechniqueRow
    category: str
    position: int


@dataclass
class SurveySeed:
    """The whole survey seed, validated, with references still written as slugs."""

    sources: list[r.SourceRow] = field(default_factory=list)
    organizations: list[r.OrganizationRow] = field(default_factory=list)
    engines: list[r.EngineRow] = field(default_factory=list)
    categories: list[PlacedCategory] = field(default_factory=list)
    techniques: list[PlacedTechnique] = field(default_factory=list)
    features: list[r.FeatureRow] = field(default_factory=list)
    platforms: list[r.PlatformRow] = field(default_factory=list)
    platform_examples: dict[str, list[r.PlatformExampleRow]] = field(default_factory=dict)
    devices: list[r.DeviceRow] = field(default_factory=list)
    precisions: list[r.PrecisionRow] = field(default_factory=list)
    models: list[r.ModelRow] = field(default_factory=list)
    papers: list[BibEntry] = field(default_factory=list)
    citations: list[r.CitationRow] = field(default_factory=list)
    engine_papers: list[r.EnginePaperRow] = field(default_factory=list)
    feature_support: list[r.FeatureSupportRow] = field(default_factory=list)
    platform_support: list[r.PlatformSupportRow] = field(default_factory=list)
    precision_support: list[r.PrecisionSupportRow] = field(default_factory=list)
    model_prices: list[r.ModelPriceRow] = field(default_factory=list)
    device_prices: list[r.DevicePriceRow] = field(default_factory=list)
    benchmark_runs: list[r.BenchmarkRunRow] = field(default_factory=list)
    layout: list[r.LayoutRow] = field(default_factory=list)


class _Validator:
    """Collects problems instead of stopping at the first one."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def rows(self, records: Iterable[Record], model: type[RowT]) -> list[Located[RowT]]:
        parsed = []
        for record in records:
            try:
                parsed.append(Located(model.model_validate(record.data), record))
            except ValidationError as error:
                for detail in error.errors():
                    self.problems.append(
                        Problem(
                            detail["msg"],
                            location=record.location,
                            field=".".join(str(part) for part in detail["loc"]) or None,
                            value=detail.get("input") if detail["type"] != "missing" else None,
                        )
                    )
        return parsed

    def unique(self, items: list[Located[Any]], key: Callable[[Any], Hashable], what: str) -> None:
        counts = Counter(key(item.row) for item in items)
        first_seen: dict[Hashable, str] = {}
        for item in items:
            value = key(item.row)
            if counts[value] < 2:
                continue
            if value in first_seen:
                self.problems.append(
                    Problem(
                        f"duplicate {what}; first defined at {first_seen[value]}",
                        location=item.record.location,
                        value=value if isinstance(value, str) else repr(value),
                    )
                )
            else:
                first_seen[value] = item.record.location

    def refers(self, item: Located[Any], field_name: str, known: set[str], what: str) -> None:
        value = getattr(item.row, field_name)
        if value is not None and value not in known:
            self.problems.append(
                Problem(
                    f"unknown {what}",
                    location=item.record.location,
                    field=field_name,
                    value=value,
                )
            )


def read_survey_seed(data_dir: Path, bibtex_path: Path) -> SurveySeed:
    """Validate every seed file; raise one InvalidInputError listing all problems."""
    check = _Validator()

    def csv(name: str) -> list[Record]:
        return read_csv_records(data_dir / name)

    def yml(name: str) -> list[Record]:
        return read_yaml_records(data_dir / name)

    sources = check.rows(yml("sources.yaml"), r.SourceRow)
    organizations = check.rows(csv("organizations.csv"), r.OrganizationRow)
    engines = check.rows(yml("engines.yaml"), r.EngineRow)
    categories, techniques = _read_category_tree(yml("techniques.yaml"), check)
    features = check.rows(yml("features.yaml"), r.FeatureRow)
    platforms = check.rows(yml("platforms.yaml"), r.PlatformRow)
    devices = check.rows(csv("devices.csv"), r.DeviceRow)
    precisions = check.rows(csv("precisions.csv"), r.PrecisionRow)
    models = check.rows(csv("models.csv"), r.ModelRow)
    citations = check.rows(csv("technique_citations.csv"), r.CitationRow)
    engine_papers = check.rows(csv("engine_papers.csv"), r.EnginePaperRow)
    feature_support = check.rows(csv("feature_support.csv"), r.FeatureSupportRow)
    platform_support = check.rows(csv("platform_support.csv"), r.PlatformSupportRow)
    precision_support = check.rows(csv("precision_support.csv"), r.PrecisionSupportRow)
    model_prices = check.rows(csv("model_prices.csv"), r.ModelPriceRow)
    device_prices = check.rows(csv("device_prices.csv"), r.DevicePriceRow)
    runs = check.rows(csv("benchmark_runs.csv"), r.BenchmarkRunRow)
    layout = check.rows(csv("layout.csv"), r.LayoutRow)

    examples: dict[str, list[r.PlatformExampleRow]] = {}
    for platform in platforms:
        mappings = [record_from_mapping(m, platform.record.file) for m in platform.row.examples]
        examples[platform.row.slug] = [
            example.row for example in check.rows(mappings, r.PlatformExampleRow)
        ]

    bib_file = display_path(bibtex_path)
    try:
        parsed_bib = parse_bibtex(bibtex_path.read_text(encoding="utf-8"), bib_file)
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInputError(
            f"cannot read {bib_file}", [Problem(str(error), location=bib_file)]
        ) from error
    check.problems.extend(parsed_bib.problems)

    def slug(row: Any) -> str:
        return str(row.slug)

    keyed: list[tuple[list[Located[Any]], str]] = [
        (sources, "source slug"),
        (organizations, "organization slug"),
        (engines, "engine slug"),
        (features, "feature slug"),
        (platforms, "platform slug"),
        (devices, "device slug"),
        (precisions, "precision slug"),
        (models, "model slug"),
        (runs, "benchmark run slug"),
    ]
    for items, what in keyed:
        check.unique(items, slug, what)
    check.unique(categories, lambda placed: placed.row.slug, "category slug")
    check.unique(techniques, lambda placed: placed.row.slug, "technique slug")
    aliases: list[Located[Any]] = [
        Located(alias, e.record)
        for e in engines
        for alias in {name.casefold() for name in _names_of(e.row)}
    ]
    check.unique(aliases, lambda alias: alias, "engine name or alias")
    check.unique(citations, lambda c: (c.technique, c.position), "citation position")
    check.unique(engine_papers, lambda p: (p.engine, p.position), "engine paper position")
    check.unique(engine_papers, lambda p: (p.engine, p.bibtex_key), "engine paper")
    check.unique(feature_support, lambda s: (s.engine, s.feature), "engine × feature fact")
    check.unique(platform_support, lambda s: (s.engine, s.platform), "engine × platform fact")
    check.unique(precision_support, lambda s: (s.engine, s.precision), "engine × precision fact")
    check.unique(model_prices, lambda p: (p.provider, p.model), "model price")
    check.unique(device_prices, lambda p: (p.provider, p.device), "device price")
    check.unique(layout, lambda e: (e.source, e.axis, e.cell or "", e.position), "layout slot")

    known = {
        "source": {s.row.slug for s in sources},
        "organization": {o.row.slug for o in organizations},
        "engine": {e.row.slug for e in engines},
        "technique": {t.row.row.slug for t in techniques},
        "feature": {f.row.slug for f in features},
        "platform": {p.row.slug for p in platforms},
        "device": {d.row.slug for d in devices},
        "precision": {p.row.slug for p in precisions},
        "model": {m.row.slug for m in models},
        "BibTeX key": {entry.key for entry in parsed_bib.entries},
    }
    for engine in engines:
        check.refers(engine, "organization", known["organization"], "organization")
    for feature in features:
        for member in feature.row.members:
            if member not in known["technique"]:
                check.problems.append(
                    Problem(
                        "unknown technique",
                        location=feature.record.location,
                        field="members",
                        value=member,
                    )
                )
    for device in devices:
        check.refers(device, "platform", known["platform"], "platform")
    for citation in citations:
        check.refers(citation, "technique", known["technique"], "technique")
        check.refers(citation, "bibtex_key", known["BibTeX key"], "BibTeX key")
    for paper in engine_papers:
        check.refers(paper, "engine", known["engine"], "engine")
        check.refers(paper, "bibtex_key", known["BibTeX key"], "BibTeX key")
    facts: list[Located[Any]] = [*feature_support, *platform_support, *precision_support]
    for fact in facts:
        check.refers(fact, "engine", known["engine"], "engine")
    for feature_fact in feature_support:
        check.refers(feature_fact, "feature", known["feature"], "feature")
    for platform_fact in platform_support:
        check.refers(platform_fact, "platform", known["platform"], "platform")
    for precision_fact in precision_support:
        check.refers(precision_fact, "precision", known["precision"], "precision")
    for model_price in model_prices:
        check.refers(model_price, "provider", known["engine"], "engine")
        check.refers(model_price, "model", known["model"], "model")
        check.refers(model_price, "served_model", known["model"], "model")
    for device_price in device_prices:
        check.refers(device_price, "provider", known["engine"], "engine")
        check.refers(device_price, "device", known["device"], "device")
    for run in runs:
        check.refers(run, "source", known["source"], "source")
        check.refers(run, "engine", known["engine"], "engine")
        check.refers(run, "model", known["model"], "model")
        check.refers(run, "device", known["device"], "device")
    _check_layout(layout, engines, features, platforms, precisions, devices, models, known, check)

    if check.problems:
        raise InvalidInputError(
            f"the seed has {len(check.problems)} problem(s); nothing was written",
            check.problems,
        )
    return SurveySeed(
        sources=[s.row for s in sources],
        organizations=[o.row for o in organizations],
        engines=[e.row for e in engines],
        categories=[c.row for c in categories],
        techniques=[t.row for t in techniques],
        features=[f.row for f in features],
        platforms=[p.row for p in platforms],
        platform_examples=examples,
        devices=[d.row for d in devices],
        precisions=[p.row for p in precisions],
        models=[m.row for m in models],
        papers=parsed_bib.entries,
        citations=[c.row for c in citations],
        engine_papers=[p.row for p in engine_papers],
        feature_support=[s.row for s in feature_support],
        platform_support=[s.row for s in platform_support],
        precision_support=[s.row for s in precision_support],
        model_prices=[p.row for p in model_prices],
        device_prices=[p.row for p in device_prices],
        benchmark_runs=[run.row for run in runs],
        layout=[entry.row for entry in layout],
    )


def _names_of(engine: r.EngineRow) -> list[str]:
    return [engine.name, *engine.aliases]


def _read_category_tree(
    records: list[Record], check: _Validator
) -> tuple[list[Located[PlacedCategory]], list[Located[PlacedTechnique]]]:
    categories: list[Located[PlacedCategory]] = []
    techniques: list[Located[PlacedTechnique]] = []

    def visit(level: list[Record], parent: str | None, depth: int) -> None:
        for position, located in enumerate(check.rows(level, r.CategoryRow)):
            category = located.row
            categories.append(
                Located(PlacedCategory(category, parent, position, depth), located.record)
            )
            technique_records = [
                record_from_mapping(m, located.record.file) for m in category.techniques
            ]
            for index, technique in enumerate(check.rows(technique_records, r.TechniqueRow)):
                techniques.append(
                    Located(PlacedTechnique(technique.row, category.slug, index), technique.record)
                )
            children = [record_from_mapping(m, located.record.file) for m in category.children]
            visit(children, category.slug, depth + 1)

    visit(records, None, 0)
    return categories, techniques


def _check_layout(
    layout: list[Located[r.LayoutRow]],
    engines: list[Located[r.EngineRow]],
    features: list[Located[r.FeatureRow]],
    platforms: list[Located[r.PlatformRow]],
    precisions: list[Located[r.PrecisionRow]],
    devices: list[Located[r.DeviceRow]],
    models: list[Located[r.ModelRow]],
    known: dict[str, set[str]],
    check: _Validator,
) -> None:
    """A layout label must be a name the entity is known by: catches a row read as another."""
    names: dict[str, dict[str, set[str]]] = {
        "engine": {e.row.slug: set(_names_of(e.row)) for e in engines},
        "feature": {f.row.slug: {f.row.name} for f in features},
        "platform": {p.row.slug: {p.row.name} for p in platforms},
        "precision": {p.row.slug: {p.row.name} for p in precisions},
        "device": {d.row.slug: {d.row.name} for d in devices},
        "model": {m.row.slug: {m.row.name} for m in models},
    }
    for entry in layout:
        row = entry.row
        check.refers(entry, "source", known["source"], "source")
        if (row.entity_type is None) != (row.entity is None):
            check.problems.append(
                Problem(
                    "entity_type and entity go together",
                    location=entry.record.location,
                    field="entity",
                )
            )
            continue
        if row.entity_type is None or row.entity is None:
            continue
        by_slug = names[row.entity_type]
        if row.entity not in by_slug:
            check.problems.append(
                Problem(
                    f"unknown {row.entity_type}",
                    location=entry.record.location,
                    field="entity",
                    value=row.entity,
                )
            )
        elif row.label not in by_slug[row.entity]:
            check.problems.append(
                Problem(
                    f"label is not a name of {row.entity_type} {row.entity!r}"
                    f" (known: {', '.join(sorted(by_slug[row.entity]))})",
                    location=entry.record.location,
                    field="label",
                    value=row.label,
                )
            )
