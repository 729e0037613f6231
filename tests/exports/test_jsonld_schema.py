"""The JSON-LD is valid against the schema.org vocabulary, and says what the graph says.

Each document is expanded by pyld (no network), then every property of every node is looked
up: a schema.org property must exist in the pinned vocabulary (tests/fixtures/schemaorg,
release and source recorded there), not be superseded, and have a domain that includes one
of the node's types or their superclasses; an embedded node must be of a type in its range.
InferGraph's own properties (`ig:`) must be declared with a domain that fits the same way.
"""

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

import models as m
from api.services.exports import graph_jsonld_stream, node_jsonld
from api.services.exports.jsonld_terms import CLASSES, PROPERTIES, iri
from models.base import SupportStatus
from tests.exports.jsonld_reading import expand_offline

VOCABULARY = Path(__file__).resolve().parent.parent / "fixtures" / "schemaorg" / "vocabulary.json"
S = "https://schema.org/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
BASE = "https://graph.example.org"
IG = f"{BASE}/vocab#"
# Characters RFC 3987 lets no IRI hold as they are.
_NOT_IN_IRI = re.compile(r"[\x00-\x20<>\"{}|\\^`]")


@cache
def _schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(VOCABULARY.read_text(encoding="utf-8"))
    return data


def _ancestors(type_iri: str) -> set[str]:
    """The schema.org names a type is, itself included, through rdfs:subClassOf."""
    if type_iri.startswith(IG):
        _, parent = CLASSES[type_iri.removeprefix(IG)]
        return {f"ig:{type_iri.removeprefix(IG)}"} | _ancestors(S + parent)
    assert type_iri.startswith(S), type_iri
    classes = _schema()["classes"]
    found: set[str] = set()
    todo = [type_iri.removeprefix(S)]
    while todo:
        name = todo.pop()
        assert name in classes, f"{name} is no schema.org type"
        if name not in found:
            found.add(name)
            todo += classes[name]
    return found


def _domain_and_range(prop: str) -> tuple[set[str], set[str]]:
    if prop.startswith(IG):
        name = prop.removeprefix(IG)
        assert name in PROPERTIES, f"ig:{name} is not declared"
        _, domain, value_range, _ = PROPERTIES[name]
        return set(domain), {value_range}
    assert prop.startswith(S), f"{prop} is neither schema.org nor ours"
    name = prop.removeprefix(S)
    entry = _schema()["properties"].get(name)
    assert entry is not None, f"{name} is no schema.org property"
    assert "supersededBy" not in entry, f"{name} is superseded by {entry['supersededBy']}"
    return set(entry["domain"]), set(entry["range"])


def problems(expanded: list[dict[str, Any]]) -> Iterator[str]:
    """Every property used outside its domain (or with a node outside its range)."""
    for node in expanded:
        types = node.get("@type", [])
        if types in ([f"{RDFS}Property"], [f"{RDFS}Class"]):
            continue  # the description of our own vocabulary, in RDF Schema's terms
        yield from _node_problems(node)


def _node_problems(node: dict[str, Any]) -> Iterator[str]:
    types = node.get("@type")
    if not types:
        yield f"{node.get('@id', 'a blank node')} has no type"
        return
    kinds = set().union(*(_ancestors(t) for t in types))
    for prop, values in node.items():
        if prop == "@reverse":
            for reverse_prop, subjects in values.items():
                for subject in subjects:
                    yield from _value_problems(reverse_prop, subject, kinds, reverse=True)
                    yield from _node_problems(subject)
            continue
        if prop.startswith("@"):
            continue
        domain, _ = _domain_and_range(prop)
        if not domain & kinds:
            yield f"{prop} on {types}: its domain is {sorted(domain)}"
        for value in values:
            for item in value.get("@list", [value]):
                if "@value" in item or set(item) == {"@id"}:
                    continue
                yield from _value_problems(prop, item, kinds, reverse=False)
                yield from _node_problems(item)


def _value_problems(
    prop: str, item: dict[str, Any], subject_kinds: set[str], *, reverse: bool
) -> Iterator[str]:
    domain, value_range = _domain_and_range(prop)
    item_kinds = set().union(*(_ancestors(t) for t in item.get("@type", [])))
    if reverse:
        # `"@reverse": {"p": x}` on node n states `x p n`: x is the subject.
        if not domain & item_kinds:
            yield f"{prop} from {item.get('@type')}: its domain is {sorted(domain)}"
        if not value_range & subject_kinds:
            yield f"{prop} to {sorted(subject_kinds)}: its range is {sorted(value_range)}"
    elif not value_range & item_kinds:
        yield f"{prop} holding {item.get('@type')}: its range is {sorted(value_range)}"


def iri_problems(document: Any) -> Iterator[str]:
    """Node IRIs and IRI values that hold characters an IRI may not."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "@id" and _NOT_IN_IRI.search(value):
                yield value
            yield from iri_problems(value)
    elif isinstance(document, list):
        for value in document:
            yield from iri_problems(value)


def _graph(session: Session) -> list[dict[str, Any]]:
    return expand_offline(json.loads("".join(graph_jsonld_stream(session, BASE))))


def test_the_checker_refuses_what_the_issue_found() -> None:
    engine = {"@type": [f"{S}SoftwareApplication"], f"{S}codeRepository": [{"@id": "x:y"}]}
    technique = {"@type": [f"{S}DefinedTerm"], f"{S}citation": [{"@id": "x:y"}]}
    assert list(problems([engine])) == [
        f"{S}codeRepository on ['{S}SoftwareApplication']: its domain is ['SoftwareSourceCode']"
    ]
    assert list(problems([technique])) == [
        f"{S}citation on ['{S}DefinedTerm']: its domain is ['CreativeWork']"
    ]
    assert list(iri_problems({"@id": "https://doi.org/10.1002/a<b>"})) == [
        "https://doi.org/10.1002/a<b>"
    ]


def test_the_whole_graph_is_valid_schema_org(session: Session) -> None:
    expanded = _graph(session)
    assert list(problems(expanded)) == []
    assert list(iri_problems(expanded)) == []


def test_every_node_kind_is_valid_alone(session: Session) -> None:
    for kind, key in (
        ("engine", "vllm"),
        ("technique", "paged-attention"),
        ("category", "quantization"),
        ("feature", "speculative-decoding"),
        ("paper", "kwon2023efficient"),
        ("device", "nvidia-h100-80gb"),
        ("organization", "vllm-team"),
        ("precision", "fp8"),
        ("source", session.exec(select(m.Source.slug)).first() or ""),
    ):
        expanded = expand_offline(node_jsonld(session, kind, key, BASE))
        assert list(problems(expanded)) == [], kind


def test_support_facts_are_tri_state_with_their_source(session: Session) -> None:
    expanded = _graph(session)
    engines = [n for n in expanded if n.get("@type") == [f"{S}SoftwareApplication"]]
    facts = [fact for engine in engines for fact in engine.get(f"{IG}support", [])]
    statuses = [fact[f"{IG}status"][0]["@value"] for fact in facts]
    in_db = sum(
        session.exec(select(func.count()).select_from(table)).one()
        for table in (m.FeatureSupport, m.PlatformSupport, m.PrecisionSupport)
    )
    assert len(facts) == in_db
    assert {"supported", "not_supported", "unknown"} == set(statuses)
    unknown_in_db = sum(
        session.exec(
            select(func.count()).select_from(table).where(table.status == SupportStatus.UNKNOWN)
        ).one()
        for table in (m.FeatureSupport, m.PlatformSupport, m.PrecisionSupport)
    )
    assert statuses.count("unknown") == unknown_in_db
    sources = {n["@id"] for n in expanded if n.get("@type") == [f"{S}CreativeWork"]}
    assert all(fact[f"{IG}source"][0]["@id"] in sources for fact in facts)
    targets = {n["@id"] for n in expanded if "@id" in n}
    assert all(fact[f"{IG}target"][0]["@id"] in targets for fact in facts)


def test_prices_are_offers_of_their_provider(session: Session) -> None:
    expanded = _graph(session)
    offers = [
        (engine["@id"], offer)
        for engine in expanded
        if engine.get("@type") == [f"{S}SoftwareApplication"]
        for offer in engine.get(f"{S}offers", [])
    ]
    prices_in_db = session.exec(select(func.count()).select_from(m.ModelPrice)).one()
    hours_in_db = session.exec(select(func.count()).select_from(m.DevicePrice)).one()
    assert len(offers) == prices_in_db + hours_in_db
    price = session.exec(select(m.ModelPrice)).first()
    assert price is not None
    provider = session.get(m.Engine, price.provider_id)
    model = session.get(m.LLMModel, price.model_id)
    assert provider is not None and model is not None
    mine = [
        offer
        for engine_iri, offer in offers
        if engine_iri == f"{BASE}/api/v1/engines/{provider.slug}"
        and offer[f"{S}itemOffered"][0]["@id"] == f"{BASE}/api/v1/models/{model.slug}"
    ]
    specs = {
        spec[f"{S}unitText"][0]["@value"]: spec[f"{S}price"][0]["@value"]
        for offer in mine
        for spec in offer[f"{S}priceSpecification"]
    }
    assert specs["1M input tokens"] == float(price.input_usd_per_mtok)
    assert specs["1M output tokens"] == float(price.output_usd_per_mtok)


def test_benchmark_runs_link_engine_model_and_device(session: Session) -> None:
    expanded = _graph(session)
    runs = {n["@id"]: n for n in expanded if n.get("@type") == [f"{IG}BenchmarkRun"]}
    run = session.exec(
        select(m.BenchmarkRun).where(col(m.BenchmarkRun.device_id).is_not(None)).limit(1)
    ).one()
    node = runs[iri(BASE, "run", run.slug)]
    assert "%2F" in node["@id"]  # the slug's `/` is part of the key, not a path step
    device = session.get(m.Device, run.device_id)
    assert device is not None
    assert node[f"{IG}device"] == [{"@id": f"{BASE}/api/v1/devices/{device.slug}"}]
    assert node[f"{IG}metric"] == [{"@value": run.metric}]
    result = node[f"{IG}result"][0]
    assert result[f"{S}unitText"] == [{"@value": run.unit}]
    value_key = f"{S}value" if run.value_max is None else f"{S}minValue"
    assert result[value_key] == [{"@value": run.value}]


def test_dois_and_urls_are_percent_encoded(session: Session) -> None:
    source_id = session.exec(select(m.Source.id)).first()
    session.execute(
        sa.insert(m.Paper).values(
            bibtex_key="sici1998odd",
            entry_type="article",
            title="A Paper Whose DOI Has Angle Brackets",
            doi="10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0",
            # Stored before BibTeX URL escapes were decoded at ingest.
            url=r"https://example.org/a{\_}b/c d?q=<x>",
            source_id=source_id,
            bibtex_fields={},
        )
    )
    [paper] = expand_offline(node_jsonld(session, "paper", "sici1998odd", BASE))
    assert {v["@id"] for v in paper[f"{S}sameAs"]} == {
        "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-0"
    }
    assert paper[f"{S}url"] == [{"@id": "https://example.org/a_b/c%20d?q=%3Cx%3E"}]
    assert list(iri_problems(paper)) == []
