"""`ingest runs`: resolution against stored names, the review queue, create-missing,
idempotence, corrected files, one transaction, and the CLI and REST entry points."""

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select
from typer.testing import CliRunner

import models as m
from api.cli import app
from api.config import get_settings
from api.errors import InvalidInputError
from api.services.ingest.readers.runs import RunContext
from api.services.ingest.run_reviews import (
    ReviewDecision,
    accept_run_review,
    list_run_reviews,
    reject_run_review,
)
from api.services.ingest.runs import RunFile, import_runs
from api.services.tokens import create_token
from models.access import TokenScope
from models.benchmarks import ReviewStatus
from tests.auth.conftest import client_for
from tests.ingest.helpers import count

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "benchmarks"
VARIANTS = SAMPLES / "variants"
MLPERF = SAMPLES / "mlperf-inference-v4.1-summary_results.json"


@pytest.fixture
def graph(seeded_copy: sa.Engine) -> sa.Engine:
    """A seeded database of this test's own (imports commit)."""
    return seeded_copy


def _file(path: Path, text: str | None = None) -> RunFile:
    return RunFile(path.name, text if text is not None else path.read_text(encoding="utf-8"))


def _run(engine: sa.Engine, slug: str) -> m.BenchmarkRun:
    with Session(engine) as session:
        run = session.exec(select(m.BenchmarkRun).where(m.BenchmarkRun.slug == slug)).one()
        session.expunge(run)
        return run


def _slug_id(engine: sa.Engine, model: type[m.Engine | m.LLMModel | m.Device], slug: str) -> int:
    with Session(engine) as session:
        return int(session.exec(select(model.id).where(model.slug == slug)).one() or 0)


def _only_amd_record(records: int = 1) -> str:
    """The MLPerf sample's first record (AMD, vLLM on one MI300X), alone in a file."""
    rows = json.loads(MLPERF.read_text())
    return json.dumps(rows[:records])


def test_unmatched_names_are_held_with_suggestions_and_nothing_is_written(
    graph: sa.Engine,
) -> None:
    runs_before = count(graph, "benchmark_run")
    report = import_runs(graph, [RunFile("amd.json", _only_amd_record())])
    assert (report.records, report.held, report.added) == (1, 1, 0)
    assert count(graph, "benchmark_run") == runs_before
    with Session(graph) as session:
        (review,) = list_run_reviews(session)
    assert review.identity == "mlperf:v4.1-0001/llama2-70b-99/Offline"
    # vLLM is stored (engine resolves); the model and the device are not
    assert set(review.unresolved) == {"model", "device"}
    assert review.unresolved["device"]["name"] == "AMD Instinct MI300X-NPS1-SPX-192GB-750W"
    assert review.unresolved["device"]["suggestions"][0] == "amd-mi300x"
    assert review.unresolved["model"]["name"] == "llama2-70b"


def test_accepting_a_review_writes_the_run_and_teaches_aliases(graph: sa.Engine) -> None:
    report = import_runs(graph, [RunFile("amd.json", _only_amd_record(2))])
    assert report.held == 2  # Offline and Server of the same system
    first, _held_too = report.reviews
    view, written = accept_run_review(
        graph, first, ReviewDecision(device="amd-mi300x", create_missing=True)
    )
    assert view.status == ReviewStatus.ACCEPTED
    # the model was created as named; both names now resolve the second held run too
    assert written.created["model"] == ["llama2-70b"]
    assert written.added == 2
    with Session(graph) as session:
        assert list_run_reviews(session) == []
        alias = session.exec(select(m.DeviceAlias)).one()
        assert alias.alias == "AMD Instinct MI300X-NPS1-SPX-192GB-750W"
    offline = _run(graph, "mlperf/v4.1-0001/llama2-70b-99/Offline/output_throughput/value")
    assert offline.value == 3062.72
    assert offline.device_id == _slug_id(graph, m.Device, "amd-mi300x")
    assert offline.engine_id == _slug_id(graph, m.Engine, "vllm")
    assert (offline.engine_version, offline.model_variant, offline.precision) == (
        "0.4.3+rocm614",
        "99",
        "fp8",
    )
    assert offline.verbatim is not None
    assert offline.verbatim["device"] == "AMD Instinct MI300X-NPS1-SPX-192GB-750W"
    assert offline.verbatim["field"] == "Performance_Result"
    # a later file naming the same model and device needs no review
    again = import_runs(graph, [_file(VARIANTS / "mlperf-v5-renamed-fields.json")])
    interactive = _run(graph, "mlperf/5.0-0042/llama2-70b-99.9/Interactive/output_throughput/value")
    assert interactive.model_id == offline.model_id
    assert (interactive.device_count, interactive.model_variant) == (8, "99.9")
    assert again.held == 1  # the EdgeCo record: TensorRT and the L4 are not stored


def test_rejected_runs_are_skipped_next_time(graph: sa.Engine) -> None:
    report = import_runs(graph, [RunFile("amd.json", _only_amd_record())])
    reject_run_review(graph, report.reviews[0], note="not an LLM engine run we want")
    again = import_runs(graph, [RunFile("amd.json", _only_amd_record())])
    assert (again.rejected, again.held, again.added) == (1, 0, 0)


def test_create_missing_then_the_same_file_again_changes_nothing(graph: sa.Engine) -> None:
    first = import_runs(graph, [_file(MLPERF)], create_missing=True)
    assert (first.records, first.held, first.added) == (937, 0, 968)
    assert "nvidia-h200-sxm-141gb" in first.created["device"]
    dell = _run(graph, "mlperf/v4.1-0021/llama2-70b-99.9/Server/output_throughput/value")
    assert (dell.value, dell.unit, dell.device_count, dell.scenario) == (
        29739.9,
        "tokens/s",
        8,
        "Server",
    )
    with graph.connect() as connection:
        version = connection.execute(sa.text("SELECT version FROM data_version")).scalar()
    second = import_runs(graph, [_file(MLPERF)], create_missing=True)
    assert (second.added, second.updated, second.removed, second.unchanged) == (0, 0, 0, 968)
    assert second.created == {"engine": [], "model": [], "device": []}
    with graph.connect() as connection:
        assert connection.execute(sa.text("SELECT version FROM data_version")).scalar() == version


def test_a_corrected_file_updates_its_runs_in_place(graph: sa.Engine) -> None:
    path = VARIANTS / "mlperf-v5-renamed-fields.json"
    import_runs(graph, [_file(path)], create_missing=True)
    server_slug = "mlperf/5.0-0042/llama2-70b-99.9/Server/output_throughput/value"
    run_id = _run(graph, server_slug).id
    rows = json.loads(path.read_text())
    rows[1]["Result"] = 23555.0
    del rows[1]["Power_Result"]
    report = import_runs(graph, [RunFile(path.name, json.dumps(rows))], create_missing=True)
    assert (report.added, report.updated, report.removed) == (0, 1, 1)
    corrected = _run(graph, server_slug)
    assert (corrected.id, corrected.value) == (run_id, 23555.0)
    with Session(graph) as session:
        assert not session.exec(
            select(m.BenchmarkRun).where(
                m.BenchmarkRun.slug == "mlperf/5.0-0042/llama2-70b-99.9/Server/power/value"
            )
        ).first()


def test_one_bad_file_writes_nothing_of_the_batch(graph: sa.Engine) -> None:
    runs_before, engines_before = count(graph, "benchmark_run"), count(graph, "engine")
    with pytest.raises(InvalidInputError) as caught:
        import_runs(
            graph,
            [_file(VARIANTS / "inferencex-agg.json"), _file(VARIANTS / "mlperf-malformed.json")],
            create_missing=True,
        )
    assert caught.value.problems[0].location == "mlperf-malformed.json:$[1].Performance_Result"
    assert count(graph, "benchmark_run") == runs_before
    # dynamo-trt would have been created for the InferenceX file, which came first
    assert count(graph, "engine") == engines_before


def test_context_fills_what_a_vllm_file_does_not_say(graph: sa.Engine) -> None:
    report = import_runs(
        graph,
        [_file(SAMPLES / "vllm-bench-serve-glm47_conc1.json")],
        context=RunContext(
            engine="vLLM",
            engine_version="0.17.1rc1",
            device="Intel Gaudi 3 HL-325L",
            device_count=8,
            precision="BF16",
        ),
        create_missing=True,
    )
    assert report.created["engine"] == []  # vLLM is stored
    assert report.created["device"] == ["intel-gaudi-3-hl-325l"]
    ttft = _run(graph, "vllm-bench/20260314-190304/zai-org/GLM-4.7/c1/rinf/ttft/p99")
    assert ttft.value == pytest.approx(0.22219892384120612)
    assert (ttft.unit, ttft.engine_version, ttft.device_count, ttft.precision) == (
        "s",
        "0.17.1rc1",
        8,
        "bf16",
    )
    assert ttft.verbatim is not None
    assert (ttft.verbatim["field"], ttft.verbatim["unit"]) == ("p99_ttft_ms", "ms")
    assert ttft.verbatim["given_by_importer"]["device"] == "Intel Gaudi 3 HL-325L"


def test_cli_imports_and_lists_reviews(graph: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFERGRAPH_DATABASE_URL", graph.url.render_as_string(False))
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        result = runner.invoke(
            app, ["ingest", "runs", str(SAMPLES / "llmperf-leaderboard-groq_70b.json")]
        )
        assert result.exit_code == 0, result.output
        assert "llmperf-leaderboard-groq_70b.json: llmperf, 1 records" in result.output
        listing = runner.invoke(app, ["run-reviews", "list"])
        assert "engine 'groq' → groqcloud" in listing.output
        review_id = listing.output.split()[0]
        accepted = runner.invoke(
            app, ["run-reviews", "accept", review_id, "--engine", "groqcloud", "--create-missing"]
        )
        assert accepted.exit_code == 0, accepted.output
        assert "42 added" in accepted.output
        bad = runner.invoke(app, ["ingest", "runs", str(VARIANTS / "mlperf-malformed.json")])
        assert bad.exit_code == 1
        assert "mlperf-malformed.json:$[1].Performance_Result" in bad.output
    finally:
        get_settings.cache_clear()
    run = _run(graph, "llmperf/groq/llama2-70b-4096_550_150_summary/c5/ttft/p50")
    assert run.engine_id == _slug_id(graph, m.Engine, "groqcloud")
    assert run.value == 0.2218883791938424


def test_rest_import_needs_a_write_token_and_reports(graph: sa.Engine) -> None:
    token = create_token(graph, name="curator", scope=TokenScope.WRITE).token
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    body = (VARIANTS / "inferencex-agg.json").read_bytes()
    with client_for(graph) as client:
        refused = client.post("/api/v1/ingest/runs", content=body)
        assert refused.status_code == 401
        response = client.post(
            "/api/v1/ingest/runs",
            params={"file_name": "agg_dsr1.json", "create_missing": "true"},
            content=body,
            headers=headers,
        )
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["files"] == [{"name": "agg_dsr1.json", "format": "inferencex", "records": 3}]
        assert report["created"]["engine"] == ["dynamo-trt"]  # SGLang is stored
        bad = client.post(
            "/api/v1/ingest/runs",
            params={"file_name": "broken.json"},
            content=b'{"benchmarks": [',
            headers=headers,
        )
        assert bad.status_code == 400
        assert bad.json()["error"]["problems"][0]["location"].startswith("broken.json:1:")
        held = client.post(
            "/api/v1/ingest/runs",
            params={"file_name": "groq.json"},
            content=(SAMPLES / "llmperf-leaderboard-groq_70b.json").read_bytes(),
            headers=headers,
        )
        (review_id,) = held.json()["reviews"]
        listed = client.get("/api/v1/run-reviews").json()
        assert [r["id"] for r in listed] == [review_id]
        unknown = client.post(
            f"/api/v1/run-reviews/{review_id}/accept",
            json={"engine": "groq"},
            headers=headers,
        )
        # An unknown slug beside a choice the review still needs (its model): a conflict.
        assert unknown.status_code == 409, unknown.json()
        assert unknown.json()["error"]["problems"][1]["field"] == "model"
        assert "did you mean groqcloud" in unknown.json()["error"]["problems"][0]["message"]
    with Session(graph) as session:
        per_gpu = session.exec(
            select(m.BenchmarkRun).where(
                m.BenchmarkRun.import_format == "inferencex",
                m.BenchmarkRun.metric == "output_throughput",
                m.BenchmarkRun.engine_version == "0.5.2-cu126",
            )
        ).one()
    # identities this long are cut to 200 characters with a digest of the whole
    assert len(per_gpu.slug) == 200
    assert per_gpu.origin_record is not None
    assert "hw=h200/framework=sglang" in per_gpu.origin_record
    assert (per_gpu.value, per_gpu.per_device, per_gpu.device_count) == (760.25, True, 8)
    assert per_gpu.engine_version == "0.5.2-cu126"


def test_uploads_and_files_over_the_ingest_limit_are_refused(
    graph: sa.Engine, tmp_path: Path
) -> None:
    token = create_token(graph, name="curator", scope=TokenScope.WRITE).token
    body = (SAMPLES / "llmperf-leaderboard-groq_70b.json").read_bytes()
    with client_for(graph, max_ingest_bytes=1000) as client:
        response = client.post(
            "/api/v1/ingest/runs",
            content=body,
            headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
        )
    assert response.status_code == 413
    assert "INFERGRAPH_MAX_INGEST_BYTES" in response.json()["error"]["problems"][0]["message"]
    with pytest.raises(InvalidInputError) as caught:
        RunFile.from_path(SAMPLES / "llmperf-leaderboard-groq_70b.json", 1000)
    assert caught.value.problems[0].value == len(body)
    assert count(graph, "run_review") == 0


def test_a_record_id_longer_than_its_column_is_found_again(graph: sa.Engine) -> None:
    # `origin_record` holds 300 characters and a model's name 200: both are stored cut, and
    # a second import must find the rows (not insert them again: a unique-slug clash) and
    # the model it created (not create another).
    model = "org/" + "m" * 290
    result = {"model_id": model, "request_throughput": 2.5, "mean_ttft_ms": 40.0}
    text = json.dumps(result)
    first = import_runs(graph, [RunFile("long.json", text)], create_missing=True)
    assert (first.added, first.unchanged) == (2, 0)
    again = import_runs(graph, [RunFile("long.json", text)], create_missing=True)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    changed = json.dumps({**result, "mean_ttft_ms": 41.0})
    corrected = import_runs(graph, [RunFile("long.json", changed)], create_missing=True)
    assert (corrected.added, corrected.updated, corrected.unchanged) == (0, 1, 1)
