"""Suggested and explicit technique links, their review, and the provenance of ingested facts."""

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

import models as m
from api.errors import NotFoundError
from api.services.ingest import (
    LinkStatus,
    TechniqueMatcher,
    ingest_arxiv,
    ingest_bibtex,
    list_suggestions,
    review_suggestion,
)
from api.services.ingest import writer as ingest_writer
from api.services.ingest.suggestions import technique_terms
from models.base import SourceKind
from models.ingest import IngestKind, IngestStatus, LinkOrigin
from tests.ingest.helpers import ARXIV_FIXTURES, count, make_technique, paper


def test_terms_come_from_names_parentheses_slashes_and_aliases() -> None:
    terms = technique_terms("Data Parallelism (DP)", ["Distributed Data Parallel"])
    assert terms == {
        "data parallelism (dp)": True,
        "data parallelism": True,
        "distributed data parallel": False,
    }  # `DP` is too short to suggest anything
    assert set(technique_terms("FSM / CFG", [])) == {"fsm / cfg", "fsm", "cfg"}


def test_matcher_scores_by_where_and_how_a_term_matched() -> None:
    matcher = TechniqueMatcher(
        {
            1: technique_terms("PagedAttention", []),
            2: technique_terms("KV Caching", ["KV cache"]),
            3: technique_terms("Medusa", []),
            4: technique_terms("N:M Sparsity", ["2:4 sparsity"]),
        }
    )
    found = matcher.match(
        "Serving with PagedAttention",
        "The kv cache grows. The KV cache is paged; 2:4 sparsity too. Medusas are not Medusa-like",
    )
    assert [(x.technique_id, x.score, x.matched) for x in found] == [
        (1, 0.9, ("PagedAttention",)),
        (2, 0.55, ("kv cache", "KV cache")),
        (3, 0.6, ("Medusa",)),
        (4, 0.5, ("2:4 sparsity",)),
    ]


def test_suggestions_are_stored_for_review_and_kept_apart_from_citations(
    empty_engine: sa.Engine,
) -> None:
    paged = make_technique(empty_engine, slug="paged-attention", name="PagedAttention")
    kv = make_technique(empty_engine, slug="kv-caching", name="KV Caching", aliases=("KV cache",))
    make_technique(empty_engine, slug="eagle", name="EAGLE")

    report = ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "query_ids.xml")

    assert report.suggestions == 2
    vllm = paper(empty_engine, arxiv_id="2309.06180")
    with Session(empty_engine) as session:
        views = list_suggestions(session)
        links = session.exec(select(m.TechniqueLink)).all()
    assert [(v.paper_key, v.technique_slug, v.score, v.status) for v in views] == [
        ("kwon2023efficient", "paged-attention", 0.95, LinkStatus.SUGGESTED),
        ("kwon2023efficient", "kv-caching", 0.5, LinkStatus.SUGGESTED),
    ]
    assert {(link.paper_id, link.technique_id) for link in links} == {
        (vllm.id, paged),
        (vllm.id, kv),
    }
    assert count(empty_engine, "technique_citation") == 0


def test_accept_and_reject_with_a_note(empty_engine: sa.Engine) -> None:
    make_technique(empty_engine, slug="paged-attention", name="PagedAttention")
    make_technique(empty_engine, slug="kv-caching", name="KV Caching", aliases=("KV cache",))
    ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "query_ids.xml")
    with Session(empty_engine) as session:
        paged, kv = list_suggestions(session)

    accepted = review_suggestion(empty_engine, paged.id, accept=True, note="the paper's own idea")
    rejected = review_suggestion(empty_engine, kv.id, accept=False)

    assert (accepted.status, accepted.note) == (LinkStatus.ACCEPTED, "the paper's own idea")
    assert accepted.decided_at is not None
    assert rejected.status == LinkStatus.REJECTED
    with Session(empty_engine) as session:
        assert list_suggestions(session) == []
        assert [v.id for v in list_suggestions(session, LinkStatus.ACCEPTED)] == [paged.id]
        assert [v.technique_slug for v in list_suggestions(session, None)] == [
            "paged-attention",
            "kv-caching",
        ]
    # A later ingest does not bring a rejected suggestion back.
    again = ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "query_ids.xml")
    assert again.suggestions == 0
    with pytest.raises(NotFoundError):
        review_suggestion(empty_engine, 9999, accept=True)


def test_explicit_technique_links_are_accepted_links(empty_engine: sa.Engine) -> None:
    make_technique(empty_engine, slug="speculative-decoding", name="Speculative Decoding")
    eagle = make_technique(empty_engine, slug="eagle", name="EAGLE")

    report = ingest_arxiv(
        empty_engine, feed_file=ARXIV_FIXTURES / "search_page_0.xml", techniques=["eagle"]
    )

    assert report.links == 2
    with Session(empty_engine) as session:
        explicit = session.exec(
            select(m.TechniqueLink).where(m.TechniqueLink.technique_id == eagle)
        ).all()
    assert {(x.origin, x.status, x.score) for x in explicit} == {
        (LinkOrigin.EXPLICIT, LinkStatus.ACCEPTED, 1.0)
    }
    assert len(explicit) == 2
    rerun = ingest_arxiv(
        empty_engine, feed_file=ARXIV_FIXTURES / "search_page_0.xml", techniques=["eagle"]
    )
    assert (rerun.links, rerun.unchanged) == (0, 2)


def test_unknown_explicit_technique_is_rejected_before_writing(empty_engine: sa.Engine) -> None:
    # Well spelled but naming no technique: not found (404 over REST), nothing written.
    with pytest.raises(NotFoundError) as raised:
        ingest_arxiv(
            empty_engine, feed_file=ARXIV_FIXTURES / "search_page_0.xml", techniques=["nope"]
        )
    assert raised.value.problems[0].value == "nope"
    assert count(empty_engine, "paper") == 0


def test_every_ingested_fact_names_its_run_and_source(empty_engine: sa.Engine) -> None:
    make_technique(empty_engine, slug="paged-attention", name="PagedAttention")
    arxiv = ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "query_ids.xml")
    bibtex = ingest_bibtex(
        empty_engine,
        "@article{new, title={Efficient Memory Management for Large Language Model Serving"
        " with PagedAttention}, author={Kwon, Woosuk}, journal={J}, year=2024,"
        " eprint={2309.06180}, archiveprefix={arXiv}}\n@article{n2, title={Two},"
        " author={Roe, Rick}, journal={J}, year=2024}",
        file_name="mine.bib",
    )

    with Session(empty_engine) as session:
        runs = {run.id: run for run in session.exec(select(m.IngestRun))}
        sources = {source.id: source for source in session.exec(select(m.Source))}
        link = session.exec(select(m.TechniqueLink)).one()
        change = session.exec(select(m.PaperChange)).one()
    arxiv_run, bibtex_run = runs[arxiv.run_id], runs[bibtex.run_id]
    assert (arxiv_run.kind, arxiv_run.locator, arxiv_run.status) == (
        IngestKind.ARXIV,
        "query_ids.xml",
        IngestStatus.FINISHED,
    )
    assert arxiv_run.finished_at is not None and arxiv_run.added == 3
    assert (bibtex_run.kind, bibtex_run.added, bibtex_run.updated) == (IngestKind.BIBTEX, 1, 1)
    arxiv_source = sources[arxiv_run.source_id]
    assert (arxiv_source.kind, arxiv_source.locator, arxiv_source.as_of) == (
        SourceKind.ARXIV,
        "query_ids.xml",
        date.today(),
    )
    assert sources[bibtex_run.source_id].kind == SourceKind.BIBTEX
    assert paper(empty_engine, arxiv_id="2309.06180").source_id == arxiv_run.source_id
    assert paper(empty_engine, bibtex_key="n2").source_id == bibtex_run.source_id
    assert link.source_id == arxiv_run.source_id
    assert (change.run_id, change.paper_id) == (
        bibtex_run.id,
        paper(empty_engine, arxiv_id="2309.06180").id,
    )


def test_a_suggestion_named_explicitly_is_accepted_even_entry_by_entry(
    empty_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry whose only change is upgrading its suggestion is still written when the batch
    fails and its entries are written one at a time."""
    make_technique(empty_engine, slug="paged-attention", name="PagedAttention")
    ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "query_ids.xml")
    original = ingest_writer._write_plan
    calls = 0

    def refuse_the_batch(connection: sa.Connection, plan: Any, context: Any) -> dict[int, int]:
        nonlocal calls
        calls += 1
        ids = original(connection, plan, context)
        if calls == 1:  # the whole batch: refused, so each entry is written on its own
            connection.execute(sa.text("INSERT INTO author (id) VALUES (NULL)"))
        return ids

    monkeypatch.setattr(ingest_writer, "_write_plan", refuse_the_batch)
    report = ingest_arxiv(
        empty_engine, feed_file=ARXIV_FIXTURES / "query_ids.xml", techniques=["paged-attention"]
    )

    # Three entries: the batch, then each on its own; vLLM's suggestion becomes explicit.
    assert (report.links, report.failed, calls) == (3, 0, 4)
    vllm = paper(empty_engine, arxiv_id="2309.06180")
    with Session(empty_engine) as session:
        link = session.exec(
            select(m.TechniqueLink).where(m.TechniqueLink.paper_id == vllm.id)
        ).one()
    assert (link.origin, link.status, link.score) == (
        LinkOrigin.EXPLICIT,
        LinkStatus.ACCEPTED,
        1.0,
    )
