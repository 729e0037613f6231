"""The derived profile, recomputed by hand from the seeded facts of three engines."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

import models as m
from api.services import profile
from models.base import SupportStatus


def _status(
    session: Session, model: Any, column: str, engine: m.Engine, slug: str, target: Any
) -> float | None:
    """1 supported, 0 not supported, None unknown or absent: the facts as a person reads them."""
    target_id = session.exec(select(target.id).where(target.slug == slug)).one()
    statuses = set(
        session.exec(
            select(model.status).where(
                model.engine_id == engine.id, getattr(model, column) == target_id
            )
        )
    )
    if SupportStatus.SUPPORTED in statuses:
        return 1.0
    if SupportStatus.NOT_SUPPORTED in statuses:
        return 0.0
    return None


def _range(credits: list[tuple[float, float | None]]) -> tuple[float, float]:
    """(weight, credit or None) → the 0..5 range, unknowns as 0 then as 1."""
    total = sum(w for w, _ in credits)
    low = sum(w * (c if c is not None else 0.0) for w, c in credits)
    high = sum(w * (c if c is not None else 1.0) for w, c in credits)
    return round(5 * low / total, 3), round(5 * high / total, 3)


def _by_hand(session: Session, slug: str) -> dict[str, tuple[float, float]]:
    e = session.exec(select(m.Engine).where(m.Engine.slug == slug)).one()

    def feature(slug: str) -> float | None:
        return _status(session, m.FeatureSupport, "feature_id", e, slug, m.OptimizationFeature)

    def platform(slug: str) -> float | None:
        return _status(session, m.PlatformSupport, "platform_id", e, slug, m.Platform)

    def precision(slug: str) -> float | None:
        return _status(session, m.PrecisionSupport, "precision_id", e, slug, m.Precision)

    def any_of(*slugs: str) -> float | None:
        credits = [feature(slug) for slug in slugs]
        if 1.0 in credits:
            return 1.0
        return 0.0 if all(c == 0.0 for c in credits) else None

    def flag(value: bool | None) -> float | None:
        return None if value is None else float(value)

    docs = {"detailed": 1.0, "moderate": 2 / 3, "simple": 1 / 3, "missing": 0.0}
    doc = docs[e.docs_level] if e.docs_level is not None else None
    platforms = list(session.exec(select(m.Platform.slug)))
    precisions = list(session.exec(select(m.Precision.slug)))
    diversity = (
        None if e.hardware_diversity is None else float(e.hardware_diversity == "heterogeneous")
    )
    scale = None if e.deployment_scale is None else float(e.deployment_scale == "multi_node")
    return {
        "general_purpose": _range(
            [(1.0, diversity)]
            + [(3 / len(platforms), platform(p)) for p in platforms]
            + [(2 / len(precisions), precision(p)) for p in precisions]
        ),
        "ease_of_use": _range(
            [
                (2.0, doc),
                (1.0, flag(e.has_sns)),
                (1.0, flag(e.has_forum)),
                (1.0, flag(e.has_meetup)),
            ]
        ),
        "ease_of_deployment": _range(
            [(2.0, flag(e.is_commercial)), (1.0, doc)]
            + [(1.0, platform(p)) for p in ("linux", "windows", "macos")]
        ),
        "latency_awareness": _range(
            [
                (1.0, feature("speculative-decoding")),
                (1.0, any_of("flash-attention", "flex-attention", "fire-attention")),
                (1.0, feature("kv-caching")),
                (1.0, any_of("prefix-caching", "prompt-caching")),
                (1.0, feature("chunked-prefills")),
                (1.0, feature("quantization")),
            ]
        ),
        "throughput_awareness": _range(
            [
                (2.0, any_of("continuous-batching", "dynamic-batching", "nano-batching")),
                (2.0, any_of("paged-attention", "vattention", "radix-attention")),
                (1.0, feature("chunked-prefills")),
                (1.0, feature("prefix-caching")),
            ]
        ),
        "scalability": _range(
            [(2.0, scale)]
            + [
                (1.0, feature(f))
                for f in ("data-parallelism", "tensor-parallelism", "pipeline-parallelism", "fsdp")
            ]
        ),
    }


@pytest.mark.parametrize("slug", ["vllm", "ollama", "groqcloud"])
def test_scores_equal_the_formula_worked_by_hand(session: Session, slug: str) -> None:
    derived = profile.engine_profile(session, slug)
    assert derived.label == "derived by InferGraph, not the survey's"
    assert {s.dimension.value: (s.score_min, s.score_max) for s in derived.scores} == _by_hand(
        session, slug
    )


def test_known_values_of_vllm_are_the_numbers_of_docs_profile(session: Session) -> None:
    # Pinned so a change to the formula or the seed is seen: docs/profile.md works these out.
    scores = {
        s.dimension.value: (s.score_min, s.score_max)
        for s in profile.engine_profile(session, "vllm").scores
    }
    assert scores["ease_of_use"] == (5.0, 5.0)  # detailed docs, Discord/Slack, forum, meetups
    assert scores["scalability"] == (5.0, 5.0)  # multi-node and all four parallelisms
    assert scores["ease_of_deployment"] == (1.667, 1.667)  # not hosted; Linux only of three OSes
    groq = {
        s.dimension.value: (s.score_min, s.score_max)
        for s in profile.engine_profile(session, "groqcloud").scores
    }
    # The seed says nothing of GroqCloud's batching, KV memory, chunked prefills or prefix
    # caching: 0 if all are no, 5 if all are yes.
    assert groq["throughput_awareness"] == (0.0, 5.0)


def test_an_unknown_fact_widens_the_range_instead_of_counting_as_no(session: Session) -> None:
    engine = session.exec(select(m.Engine).where(m.Engine.slug == "vllm")).one()
    before = {s.dimension: s for s in profile.engine_profile(session, "vllm").scores}
    engine.has_forum = None  # ease of use: weight 1 of 5
    feature = session.exec(
        select(m.OptimizationFeature).where(m.OptimizationFeature.slug == "fsdp")
    ).one()
    for fact in session.exec(
        select(m.FeatureSupport).where(
            m.FeatureSupport.engine_id == engine.id, m.FeatureSupport.feature_id == feature.id
        )
    ):
        session.delete(fact)  # scalability: no row at all is unknown too
    session.flush()
    after = {s.dimension: s for s in profile.engine_profile(session, "vllm").scores}
    use = after[profile.Dimension.EASE_OF_USE]
    assert (use.score_min, use.score_max) == (4.0, 5.0)
    forum = next(f for f in use.facts if f.target == "has_forum")
    assert (forum.value, forum.credit_min, forum.credit_max) == ("unknown", 0.0, 1.0)
    scale = after[profile.Dimension.SCALABILITY]
    was = before[profile.Dimension.SCALABILITY]
    assert scale.score_min < was.score_min and scale.score_max == 5.0
    assert not scale.known and was.known


def test_missing_inputs_are_named(session: Session) -> None:
    scores = {s.dimension: s for s in profile.engine_profile(session, "vllm").scores}
    assert any(
        "model families" in x for x in scores[profile.Dimension.GENERAL_PURPOSE].missing_inputs
    )
    assert any(
        "install methods" in x for x in scores[profile.Dimension.EASE_OF_DEPLOYMENT].missing_inputs
    )


def test_rest_and_graphql_give_the_service_scores(api: TestClient, session: Session) -> None:
    derived = profile.engine_profile(session, "groqcloud")
    rest = api.get("/api/v1/engines/groqcloud/profile").json()
    assert rest["label"] == profile.LABEL
    assert [(s["score_min"], s["score_max"]) for s in rest["scores"]] == [
        (s.score_min, s.score_max) for s in derived.scores
    ]
    assert rest["scores"][3]["facts"][0]["target"] == "speculative-decoding"
    several = api.get("/api/v1/profiles?engine=vllm&engine=groqcloud").json()
    assert [p["engine"] for p in several] == ["vllm", "groqcloud"]
    query = (
        '{ engine(slug: "groqcloud") { profile { label '
        "scores { dimension scoreMin scoreMax facts { target value } } } } }"
    )
    body = api.post("/graphql", json={"query": query}).json()
    assert "errors" not in body, body
    node = body["data"]["engine"]
    assert node["profile"]["label"] == profile.LABEL
    assert [(s["scoreMin"], s["scoreMax"]) for s in node["profile"]["scores"]] == [
        (s.score_min, s.score_max) for s in derived.scores
    ]


def test_unknown_engine_is_a_404_naming_the_field(api: TestClient) -> None:
    error = api.get("/api/v1/profiles?engine=vlm").json()["error"]
    assert error["code"] == "not_found" and error["problems"][0]["field"] == "engine"
    assert api.get("/api/v1/engines/vlm/profile").status_code == 404


def test_graphql_profiles_of_a_list_equal_each_engines_own(
    api: TestClient, session: Session
) -> None:
    query = "{ engines(first: 30) { nodes { slug profile { scores { scoreMin scoreMax } } } } }"
    body = api.post("/graphql", json={"query": query}).json()
    assert "errors" not in body, body
    nodes = body["data"]["engines"]["nodes"]
    assert len(nodes) == 27
    for node in nodes:
        own = profile.engine_profile(session, node["slug"])
        assert [(s["scoreMin"], s["scoreMax"]) for s in node["profile"]["scores"]] == [
            (s.score_min, s.score_max) for s in own.scores
        ]
