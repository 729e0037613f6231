"""JSON-LD (schema.org), expanded by pyld with no network: the context is inline."""

import json
from collections import Counter
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

import models as m
from api.errors import InvalidInputError, NotFoundError
from api.services.exports import graph_jsonld_stream, node_jsonld
from api.services.exports.jsonld_terms import PROPERTIES
from tests.exports.jsonld_reading import expand_offline

S = "https://schema.org/"
BASE = "http://127.0.0.1:8000"
API = f"{BASE}/api/v1"
IG = f"{BASE}/vocab#"


def _ids(node: dict[str, Any], prop: str) -> list[str]:
    return [value["@id"] for value in node.get(prop, [])]


def test_an_engine_node(session: Session) -> None:
    [node] = expand_offline(node_jsonld(session, "engine", "vllm", BASE))
    assert node["@id"] == f"{API}/engines/vllm"
    assert node["@type"] == [f"{S}SoftwareApplication"]
    assert node[f"{S}name"] == [{"@value": "vLLM"}]
    [code] = node["@reverse"][f"{S}targetProduct"]
    assert code["@type"] == [f"{S}SoftwareSourceCode"]
    assert _ids(code, f"{S}codeRepository") == ["https://github.com/vllm-project/vllm"]
    assert f"{S}codeRepository" not in node  # outside SoftwareApplication's properties
    assert _ids(node, f"{S}url") == ["https://docs.vllm.ai/en/latest/"]
    assert _ids(node, f"{S}creator") == [f"{API}/organizations/vllm-team"]
    assert node[f"{S}isAccessibleForFree"] == [{"@value": True}]
    assert f"{API}/techniques/paged-attention" in _ids(node, f"{IG}supportsTechnique")
    assert {f"{API}/platforms/linux", f"{API}/platforms/x86-64"} <= set(_ids(node, f"{IG}runsOn"))
    assert f"{API}/papers/kwon2023efficient" in _ids(node, f"{S}subjectOf")


def test_a_technique_and_its_category(session: Session) -> None:
    [technique] = expand_offline(node_jsonld(session, "technique", "paged-attention", BASE))
    assert technique["@type"] == [f"{S}DefinedTerm"]
    assert _ids(technique, f"{S}inDefinedTermSet") == [f"{API}/categories/attention-optimization"]
    # `citation` is a creative work's property; the works cited describe the technique.
    assert _ids(technique, f"{S}subjectOf") == [f"{API}/papers/kwon2023efficient"]
    assert f"{S}citation" not in technique

    [category] = expand_offline(node_jsonld(session, "category", "quantization", BASE))
    assert set(category["@type"]) == {f"{S}DefinedTermSet", f"{S}DefinedTerm"}
    assert _ids(category, f"{S}inDefinedTermSet") == [f"{API}/categories/compression"]


def test_a_paper_keeps_its_author_order(session: Session) -> None:
    [paper] = expand_offline(node_jsonld(session, "paper", "kwon2023efficient", BASE))
    assert paper["@type"] == [f"{S}ScholarlyArticle"]
    authors = paper[f"{S}author"][0]["@list"]
    assert [a[f"{S}familyName"][0]["@value"] for a in authors[:3]] == ["Kwon", "Li", "Zhuang"]
    assert authors[0]["@type"] == [f"{S}Person"]
    assert set(_ids(paper, f"{S}sameAs")) == {
        "https://doi.org/10.1145/3600006.3613165",
        "https://arxiv.org/abs/2309.06180",
    }
    assert paper[f"{S}datePublished"] == [{"@value": "2023-10"}]
    venue = paper[f"{S}isPartOf"][0]
    assert venue[f"{S}name"] == [
        {"@value": "Proceedings of the 29th Symposium on Operating Systems Principles"}
    ]


def test_other_kinds_and_a_custom_base(session: Session) -> None:
    base = "https://graph.example.org/v1"
    [device] = expand_offline(node_jsonld(session, "device", "nvidia-h100-80gb", base=base))
    assert device["@id"] == f"{base}/api/v1/devices/nvidia-h100-80gb"
    assert device["@type"] == [f"{S}Product"]
    assert _ids(device, f"{S}isRelatedTo")[0].startswith(f"{base}/api/v1/platforms/")
    [org] = expand_offline(node_jsonld(session, "organization", "vllm-team", base=base))
    assert org[f"{base}/vocab#organizationKind"] == [{"@value": "academic"}]


def test_unknown_kinds_and_keys_are_reported(session: Session) -> None:
    with pytest.raises(InvalidInputError) as bad_kind:
        node_jsonld(session, "gadget", "x", BASE)
    assert bad_kind.value.problems[0].field == "kind"
    with pytest.raises(NotFoundError) as bad_slug:
        node_jsonld(session, "engine", "vllmm", BASE)
    assert "'vllm'" in bad_slug.value.problems[0].message
    with pytest.raises(NotFoundError):
        node_jsonld(session, "paper", "kwon2023", BASE)


def test_the_whole_graph_expands_with_one_node_per_row(session: Session) -> None:
    document = json.loads("".join(graph_jsonld_stream(session, BASE)))
    expanded = expand_offline(document)
    types = Counter(t for node in expanded for t in node.get("@type", []))

    def count(model: Any) -> int:
        return session.exec(select(func.count()).select_from(model)).one()

    assert types[f"{S}SoftwareApplication"] == count(m.Engine) == 27
    assert types[f"{S}DefinedTerm"] == (
        count(m.Technique)
        + count(m.TechniqueCategory)
        + count(m.OptimizationFeature)
        + count(m.Precision)
    )
    assert types[f"{S}DefinedTermSet"] == count(m.TechniqueCategory)
    assert types[f"{S}ScholarlyArticle"] == count(m.Paper) == 88
    assert types[f"{S}Product"] == count(m.Platform) + count(m.Device)
    assert types[f"{IG}BenchmarkRun"] == count(m.BenchmarkRun)
    assert types[f"{S}CreativeWork"] == count(m.LLMModel) + count(m.Source)
    # Organizations: the nodes, plus the publishers named inline on papers.
    organization_nodes = [
        n for n in expanded if n.get("@type") == [f"{S}Organization"] and "@id" in n
    ]
    assert len(organization_nodes) == count(m.Organization)
    # Every citation points at a paper node of the same graph.
    papers = {n["@id"] for n in expanded if n.get("@type") == [f"{S}ScholarlyArticle"]}
    techniques = [n for n in expanded if n.get("@type") == [f"{S}DefinedTerm"]]
    cited = {i for n in techniques for i in _ids(n, f"{S}subjectOf")}
    cited_in_db = session.exec(
        select(func.count(func.distinct(col(m.TechniqueCitation.paper_id))))
    ).one()
    assert len(cited) == cited_in_db and cited <= papers
    # The custom properties and classes describe themselves.
    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    declared = {n["@id"] for n in expanded if n.get("@type") == [f"{rdfs}Property"]}
    assert declared == {f"{IG}{name}" for name in PROPERTIES}
    classes = {n["@id"] for n in expanded if n.get("@type") == [f"{rdfs}Class"]}
    assert classes == {f"{IG}SupportFact", f"{IG}BenchmarkRun"}
