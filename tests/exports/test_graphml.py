"""GraphML of the whole graph, read back by networkx."""

import io
from typing import Any

import networkx as nx  # type: ignore[import-untyped]
from sqlmodel import Session, col, func, select

import models as m
from api.services import engines
from api.services.exports import graphml_stream
from api.services.views import present
from api.services.vocabulary import Interface


def _graph(session: Session) -> nx.MultiDiGraph:
    text = "".join(graphml_stream(session))
    graph = nx.read_graphml(io.BytesIO(text.encode()), force_multigraph=True)
    assert isinstance(graph, nx.MultiDiGraph)
    return graph


def _count(session: Session, model: Any, *where: Any) -> int:
    return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def test_node_and_edge_counts_equal_the_database(session: Session) -> None:
    graph = _graph(session)
    nodes = {
        "engine": m.Engine,
        "organization": m.Organization,
        "category": m.TechniqueCategory,
        "technique": m.Technique,
        "feature": m.OptimizationFeature,
        "paper": m.Paper,
        "author": m.Author,
        "platform": m.Platform,
        "precision": m.Precision,
        "device": m.Device,
        "model": m.LLMModel,
        "run": m.BenchmarkRun,
    }
    kinds = [data["kind"] for _, data in graph.nodes(data=True)]
    for kind, model in nodes.items():
        assert kinds.count(kind) == _count(session, model), kind
    assert graph.number_of_nodes() == sum(_count(session, model) for model in nodes.values())

    edges = {
        "made_by": _count(session, m.Engine, col(m.Engine.organization_id).is_not(None)),
        "in_category": _count(session, m.Technique),
        "subcategory_of": _count(
            session, m.TechniqueCategory, col(m.TechniqueCategory.parent_id).is_not(None)
        ),
        "member_of": _count(session, m.FeatureMember),
        "supports": _count(session, m.FeatureSupport) + _count(session, m.PrecisionSupport),
        "runs_on": _count(session, m.PlatformSupport),
        "cites": _count(session, m.TechniqueCitation),
        "described_in": _count(session, m.EnginePaper),
        "authored_by": _count(session, m.PaperAuthor),
        "instance_of": _count(session, m.Device, col(m.Device.platform_id).is_not(None)),
        "prices_model": _count(session, m.ModelPrice),
        "rents_device": _count(session, m.DevicePrice),
        "measured_engine": _count(
            session, m.BenchmarkRun, col(m.BenchmarkRun.engine_id).is_not(None)
        ),
        "measured_model": _count(
            session, m.BenchmarkRun, col(m.BenchmarkRun.model_id).is_not(None)
        ),
        "measured_on": _count(session, m.BenchmarkRun, col(m.BenchmarkRun.device_id).is_not(None)),
    }
    found: dict[str, int] = {}
    for _, _, data in graph.edges(data=True):
        found[data["kind"]] = found.get(data["kind"], 0) + 1
    assert found == edges
    assert graph.number_of_edges() == sum(edges.values()) > 2000


def test_typed_attributes(session: Session) -> None:
    graph = _graph(session)
    vllm = graph.nodes["engine:vllm"]
    assert vllm["label"] == "vLLM"
    assert vllm["is_commercial"] is False
    assert isinstance(vllm["github_stars"], int) and vllm["github_stars"] > 0
    assert graph.nodes["paper:kwon2023efficient"]["year"] == 2023
    assert graph.nodes["precision:fp8"]["bits"] == 8

    cites = graph.get_edge_data("technique:paged-attention", "paper:kwon2023efficient")
    [citation] = cites.values()
    assert citation["kind"] == "cites"
    assert citation["position"] == 0
    assert citation["label"] == "Kwon et al. (2023)"
    runs_on = graph.get_edge_data("engine:vllm", "platform:linux")
    assert [e["status"] for e in runs_on.values()] == ["supported"]
    prices = [data for _, _, data in graph.edges(data=True) if data["kind"] == "prices_model"]
    assert all(isinstance(p["input_usd_per_mtok"], float) for p in prices)


def test_markup_in_values_is_escaped(session: Session) -> None:
    session.add(m.Engine(slug="odd<&>\"engine'", name='A & <B> "C" \x01end', is_commercial=False))
    session.flush()
    graph = _graph(session)
    # XML 1.0 cannot carry control characters at all; they are dropped.
    assert graph.nodes["engine:odd<&>\"engine'"]["label"] == 'A & <B> "C" end'


def test_engine_nodes_carry_every_attribute_of_the_engine_view(session: Session) -> None:
    """Node attributes come from the entity's view: what REST shows of an engine, GraphML has
    (its slug and name as the node's key and label)."""
    graph = _graph(session)
    rows = list(session.exec(select(m.Engine).order_by(col(m.Engine.slug))))
    shown = present(session, engines.ENGINE, rows, Interface.GRAPHQL)
    for row, values in zip(rows, shown, strict=True):
        node = graph.nodes[f"engine:{row.slug}"]
        assert node["key"] == values.pop("slug") and node["label"] == values.pop("name")
        for name, value in values.items():
            if name in ("aliases", "organization"):
                continue  # references are edges (made_by) or not part of a node
            expected = value.value if hasattr(value, "value") else value
            assert node.get(name) == expected, (row.slug, name)
    assert graph.nodes["engine:vllm"]["deployment_scale"] == "multi_node"
    assert graph.nodes["engine:vllm"]["release_date"] == "2023-02"


def test_benchmark_runs_are_nodes_linked_to_engine_model_and_device(session: Session) -> None:
    graph = _graph(session)
    run = session.exec(
        select(m.BenchmarkRun).where(
            col(m.BenchmarkRun.engine_id).is_not(None),
            col(m.BenchmarkRun.model_id).is_not(None),
            col(m.BenchmarkRun.device_id).is_not(None),
        )
    ).first()
    assert run is not None
    node = graph.nodes[f"run:{run.slug}"]
    assert (node["kind"], node["label"], node["metric"], node["unit"]) == (
        "run",
        run.slug,
        run.metric,
        run.unit,
    )
    assert node["value"] == run.value
    engine = session.get(m.Engine, run.engine_id)
    model = session.get(m.LLMModel, run.model_id)
    device = session.get(m.Device, run.device_id)
    source = session.get(m.Source, run.source_id)
    assert engine and model and device and source
    for target, kind in (
        (f"engine:{engine.slug}", "measured_engine"),
        (f"model:{model.slug}", "measured_model"),
        (f"device:{device.slug}", "measured_on"),
    ):
        [edge] = graph.get_edge_data(f"run:{run.slug}", target).values()
        assert (edge["kind"], edge["source"]) == (kind, source.slug)
