"""Spot checks of seeded facts a reader of the survey would verify by hand."""

from collections import Counter

from sqlmodel import Session, col, select

import models as m
from models.base import SupportStatus


def paper(session: Session, key: str) -> m.Paper:
    return session.exec(select(m.Paper).where(m.Paper.bibtex_key == key)).one()


def authors(session: Session, paper_id: int | None) -> list[str]:
    rows = session.exec(
        select(m.Author.name)
        .join(m.PaperAuthor, col(m.PaperAuthor.author_id) == m.Author.id)
        .where(m.PaperAuthor.paper_id == paper_id)
        .order_by(col(m.PaperAuthor.position))
    )
    return list(rows)


def test_reference_links_cover_every_survey_link(session: Session) -> None:
    citations = list(session.exec(select(m.TechniqueCitation)))
    assert len(citations) == 83
    assert len({c.url for c in citations}) == 80
    assert len({c.paper_id for c in citations}) == 80


def test_a_paper_cited_twice_is_one_paper_with_two_links(session: Session) -> None:
    per_paper = Counter(c.paper_id for c in session.exec(select(m.TechniqueCitation)))
    twice = {
        session.get(m.Paper, paper_id).arxiv_id  # type: ignore[union-attr]
        for paper_id, count in per_paper.items()
        if count == 2
    }
    assert twice == {"2307.09702", "2308.16369", "2407.14057"}
    labels = session.exec(
        select(m.TechniqueCitation.label).where(
            m.TechniqueCitation.paper_id == paper(session, "willard2023efficient").id
        )
    )
    assert sorted(labels) == ["Wilard et al. (2023)", "Willard et al. (2023)"]


def test_engine_papers_and_technique_citations_share_works(session: Session) -> None:
    """vLLM's arXiv paper is the SOSP PagedAttention paper: one work, both identifiers."""
    kwon = paper(session, "kwon2023efficient")
    assert (kwon.arxiv_id, kwon.doi, kwon.year) == ("2309.06180", "10.1145/3600006.3613165", 2023)
    assert authors(session, kwon.id)[:2] == ["Woosuk Kwon", "Zhuohan Li"]
    assert len(authors(session, kwon.id)) == 9
    vllm = session.exec(select(m.Engine).where(m.Engine.slug == "vllm")).one()
    link = session.exec(select(m.EnginePaper).where(m.EnginePaper.engine_id == vllm.id)).one()
    assert (link.paper_id, link.url) == (kwon.id, "https://arxiv.org/abs/2309.06180")
    powerinfer = session.exec(select(m.Engine).where(m.Engine.slug == "powerinfer")).one()
    labels = session.exec(
        select(m.EnginePaper.label)
        .where(m.EnginePaper.engine_id == powerinfer.id)
        .order_by(col(m.EnginePaper.position))
    )
    assert list(labels) == ["Paper1", "Paper2"]


def test_the_survey_itself_is_a_paper(session: Session) -> None:
    survey = paper(session, "park2025survey")
    assert survey.arxiv_id == "2505.01658"
    assert authors(session, survey.id) == [
        "Sihyeong Park",
        "Sungryeol Jeon",
        "Chaelyn Lee",
        "Seokhun Jeon",
        "Byung-Soo Kim",
        "Jemin Lee",
    ]


def test_unknown_is_not_no(session: Session) -> None:
    groq = session.exec(select(m.Engine).where(m.Engine.slug == "groqcloud")).one()
    statuses = Counter(
        fact.status
        for fact in session.exec(
            select(m.FeatureSupport).where(m.FeatureSupport.engine_id == groq.id)
        )
    )
    assert statuses == {
        SupportStatus.UNKNOWN: 12,
        SupportStatus.SUPPORTED: 9,
        SupportStatus.NOT_SUPPORTED: 2,
    }


def test_etc_platforms_and_edge_notes(session: Session) -> None:
    rows = session.exec(
        select(m.Engine.slug, m.Platform.slug, m.PlatformSupport.note)
        .join(m.PlatformSupport, col(m.PlatformSupport.engine_id) == m.Engine.id)
        .join(m.Platform, col(m.Platform.id) == m.PlatformSupport.platform_id)
        .where(
            m.PlatformSupport.status == SupportStatus.SUPPORTED,
            col(m.Platform.slug).in_(
                ["moore-threads-mtt", "tecorigin-sdaa", "groq-lpu", "mobile-edge"]
            ),
            col(m.Engine.slug).in_(["llama-cpp", "deepspeed-fastgen", "groqcloud", "mlc-llm"]),
        )
    )
    assert set(rows) == {
        ("llama-cpp", "moore-threads-mtt", None),
        ("llama-cpp", "mobile-edge", "Qualcomm Adreno"),
        ("deepspeed-fastgen", "tecorigin-sdaa", None),
        ("groqcloud", "groq-lpu", None),
        ("mlc-llm", "mobile-edge", "Qualcomm Adreno, ARM Mali, Apple"),
    }


def test_matrix_columns_map_to_techniques(session: Session) -> None:
    members = session.exec(
        select(m.OptimizationFeature.slug, m.Technique.slug)
        .join(m.FeatureMember, col(m.FeatureMember.feature_id) == m.OptimizationFeature.id)
        .join(m.Technique, col(m.Technique.id) == m.FeatureMember.technique_id)
    )
    by_feature: dict[str, set[str]] = {}
    for feature, technique in members:
        by_feature.setdefault(feature, set()).add(technique)
    assert len(by_feature) == 23
    assert by_feature["speculative-decoding"] == {"eagle", "medusa", "redrafter"}
    assert by_feature["vattention"] == {"vattention"}
    assert len(by_feature["quantization"]) == 11


def test_prices_keep_footnotes_and_omit_dashes(session: Session) -> None:
    groq_r1 = session.exec(
        select(m.ModelPrice)
        .join(m.Engine, col(m.Engine.id) == m.ModelPrice.provider_id)
        .join(m.LLMModel, col(m.LLMModel.id) == m.ModelPrice.model_id)
        .where(m.Engine.slug == "groqcloud", m.LLMModel.slug == "deepseek-r1")
    ).one()
    served = session.get(m.LLMModel, groq_r1.served_model_id)
    assert served is not None and served.name == "DeepSeek-R1 Distill Llama 70B"
    assert (str(groq_r1.input_usd_per_mtok), str(groq_r1.output_usd_per_mtok)) in {
        ("0.75", "0.99"),
        ("0.7500", "0.9900"),
    }
    groq_lpu_prices = session.exec(
        select(m.DevicePrice)
        .join(m.Device, col(m.Device.id) == m.DevicePrice.device_id)
        .where(m.Device.slug == "groq-lpu")
    ).all()
    assert groq_lpu_prices == []


def test_benchmark_runs_from_figure_and_text(session: Session) -> None:
    figure = session.exec(
        select(m.BenchmarkRun)
        .join(m.Source, col(m.Source.id) == m.BenchmarkRun.source_id)
        .where(m.Source.slug == "survey-commercial-performance-figure")
    ).all()
    assert len(figure) == 50  # 64 bars, 14 of them labelled 0 (model not served)
    fastest = max((r for r in figure if r.metric == "output_throughput"), key=lambda r: r.value)
    assert (fastest.slug, fastest.value, fastest.unit) == (
        "fig-output-throughput/friendli-inference/llama-3.1-8b",
        486.9,
        "tokens/s",
    )
    trt = session.exec(
        select(m.BenchmarkRun).where(
            m.BenchmarkRun.slug == "exp-fp/token-throughput/tensorrt-llm/llama-2-7b"
        )
    ).one()
    assert (trt.value, trt.unit, trt.concurrency) == (7535, "tokens/s", 64)
