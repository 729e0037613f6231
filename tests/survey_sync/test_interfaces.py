"""The sync over REST (dry run first, write token) and on the command line."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app
from api.config import Settings, get_settings
from api.services.tokens import create_token
from models.access import TokenScope

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "survey_sync"
CHANGED = (FIXTURES / "changed_cell.md").read_bytes()


@pytest.fixture
def writable(seeded_copy: sa.Engine) -> Iterator[TestClient]:
    issued = create_token(seeded_copy, name="curator", scope=TokenScope.WRITE)
    settings = Settings(database_url=seeded_copy.url.render_as_string(False))
    with TestClient(create_app(settings)) as client:
        client.headers["authorization"] = f"Bearer {issued.token}"
        yield client


def _stars(client: TestClient) -> int:
    return int(client.get("/api/v1/engines/vllm").json()["github_stars"])


def test_dry_run_plans_and_writes_nothing_then_apply_writes(writable: TestClient) -> None:
    plan = writable.post(
        "/api/v1/sync/survey", content=CHANGED, headers={"content-type": "text/markdown"}
    )
    assert plan.status_code == 200, plan.text
    body = plan.json()
    assert (body["dry_run"], body["complete"], body["counts"]["applicable"]) == (True, True, 2)
    assert [(c["row"], c["column"], c["old"], c["new"]) for c in body["changes"]] == [
        ("vLLM", "GitHub Stars", "43.4K", "45.1K"),
        ("Ollama", "Dynamic Batching", "❌", "✅"),
    ]
    assert _stars(writable) == 43400
    applied = writable.post(
        "/api/v1/sync/survey", params={"dry_run": "false"}, content=CHANGED
    ).json()
    assert applied["applied"] == [
        "cell:overview:vLLM:GitHub Stars",
        "cell:optimization-matrix:Ollama:Dynamic Batching",
    ]
    # A cached read of the engine must not outlive the write (the data version moved on).
    assert _stars(writable) == 45100
    again = writable.post("/api/v1/sync/survey", content=CHANGED).json()
    assert again["empty"] is True


def test_an_incomplete_plan_writes_nothing_and_answers_its_lines(
    writable: TestClient,
) -> None:
    # The document calls every text holding a survey table valid, so the route answers the
    # plan (200) rather than refusing it; `withheld` says why nothing was written.
    text = (FIXTURES / "malformed_table.md").read_text(encoding="utf-8")
    changed = text.replace(
        "| vLLM | Academic (vLLM Team) | Feb. 2023 | ✅ | 43.4K |",
        "| vLLM | Academic (vLLM Team) | Feb. 2023 | ✅ | 45.1K |",
    )
    assert changed != text
    response = writable.post(
        "/api/v1/sync/survey",
        params={"dry_run": "false", "file_name": "next.md"},
        content=changed.encode(),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["dry_run"], body["complete"], body["applied"]) == (False, False, [])
    assert body["withheld"] == (
        "next.md: 2 line(s) not understood; nothing was written"
        " (fix them, or sync with skip_unparsed)"
    )
    assert [u["line"] for u in body["unparsed"]] == [349, 302]
    assert body["counts"]["applicable"] == 1
    assert _stars(writable) == 43400
    skipped = writable.post(
        "/api/v1/sync/survey",
        params={"dry_run": "false", "skip_unparsed": "true"},
        content=changed.encode(),
    ).json()
    assert (skipped["withheld"], skipped["applied"]) == (None, ["cell:overview:vLLM:GitHub Stars"])
    assert _stars(writable) == 45100


def test_bytes_that_are_not_text_are_refused(writable: TestClient) -> None:
    response = writable.post("/api/v1/sync/survey", content=b"## x\n\xff\xfe\n")
    assert response.status_code == 400
    assert response.json()["error"]["problems"][0]["location"] == "README.md:2"


def test_a_file_with_nothing_of_the_list_is_refused(writable: TestClient) -> None:
    response = writable.post("/api/v1/sync/survey", content=b"# My notes\n\nHello.\n")
    assert response.status_code == 400
    assert "none of the survey list's tables" in response.json()["error"]["message"]


def test_without_a_token_nothing_is_planned(empty_engine: sa.Engine) -> None:
    settings = Settings(database_url=empty_engine.url.render_as_string(False))
    with TestClient(create_app(settings)) as client:
        assert client.post("/api/v1/sync/survey", content=CHANGED).status_code == 401


def test_cli_plans_as_a_table_and_as_json_then_applies(
    seeded_copy: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFERGRAPH_DATABASE_URL", seeded_copy.url.render_as_string(False))
    get_settings.cache_clear()
    runner = CliRunner()
    path = str(FIXTURES / "paper_moved.md")
    table = runner.invoke(app, ["sync", "survey", path])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].split() == [
        "status",
        "kind",
        "table",
        "row",
        "column",
        "old",
        "→",
        "new",
        "line",
    ]
    assert lines[2].split() == [
        "held", "paper-moved", "engine-lists", "PowerInfer-2", "papers",
        "PowerInfer", "→", "PowerInfer-2", "66",
    ]  # fmt: skip
    assert lines[-1] == "3 change(s): would apply 1, held 2; 0 line(s) not understood"
    as_json = json.loads(runner.invoke(app, ["sync", "survey", path, "--json"]).output)
    assert as_json["counts"] == {
        "changes": 3, "applicable": 1, "held": 2, "rejected": 0, "accepted": 0,
        "unparsed": 0, "new_sections": 0,
    }  # fmt: skip
    refused = runner.invoke(
        app, ["sync", "survey", str(FIXTURES / "malformed_table.md"), "--apply"]
    )
    assert refused.exit_code == 1
    assert "malformed_table.md:349: 12 cells where the header has 13" in refused.output
    applied = runner.invoke(app, ["sync", "survey", str(FIXTURES / "changed_cell.md"), "--apply"])
    assert applied.exit_code == 0, applied.output
    assert applied.output.splitlines()[-1].startswith("2 change(s): applied 2, held 0")
    unknown = runner.invoke(app, ["sync", "survey", path, "--apply", "--accept", "no-such"])
    assert unknown.exit_code == 1
    assert "accept: the plan holds no change with this id (got 'no-such')" in unknown.output
    missing = runner.invoke(app, ["sync", "survey", str(FIXTURES / "nope.md")])
    assert missing.exit_code == 1
    assert "cannot read" in missing.output
    get_settings.cache_clear()


def test_accept_over_rest_names_what_it_refuses(writable: TestClient) -> None:
    response = writable.post(
        "/api/v1/sync/survey",
        params={"dry_run": "false", "reject": ["paper-moved:https://arxiv.org/abs/1"]},
        content=(FIXTURES / "paper_moved.md").read_bytes(),
    )
    # What a plan holds depends on the README and the graph of the moment: a conflict.
    assert response.status_code == 409
    (problem,) = response.json()["error"]["problems"]
    assert (problem["field"], problem["value"]) == ("reject", "paper-moved:https://arxiv.org/abs/1")
    assert writable.get("/api/v1/sync/reviews").json() == []


def test_reject_over_rest_is_stored_with_the_token_and_listed(writable: TestClient) -> None:
    moved = "paper-moved:https://arxiv.org/abs/2312.12456"
    body = (FIXTURES / "paper_moved.md").read_bytes()
    response = writable.post(
        "/api/v1/sync/survey", params={"dry_run": "false", "reject": [moved]}, content=body
    )
    assert response.status_code == 200, response.text
    assert (response.json()["rejected"], response.json()["applied"]) == (
        [moved],
        ["engine-added:PowerInfer-2"],
    )
    (review,) = writable.get("/api/v1/sync/reviews").json()
    assert (review["change_id"], review["decision"], review["decided_by"]) == (
        moved,
        "rejected",
        "token curator",
    )
    later = writable.post("/api/v1/sync/survey", content=body).json()
    by_id = {c["id"]: c for c in later["changes"]}
    assert (by_id[moved]["review"], later["counts"]["held"]) == ("rejected", 1)


def test_cli_rejects_and_lists_the_decision(
    seeded_copy: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFERGRAPH_DATABASE_URL", seeded_copy.url.render_as_string(False))
    get_settings.cache_clear()
    runner = CliRunner()
    path = str(FIXTURES / "removed_row.md")
    change = "row-removed:precision-matrix:Sarathi-Serve"
    done = runner.invoke(
        app, ["sync", "survey", path, "--apply", "--reject", change, "--by", "ann"]
    )
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[1].split()[:2] == ["rejected", "row-removed"]
    again = runner.invoke(app, ["sync", "survey", path])
    assert again.output.splitlines()[1].split()[:2] == ["rejected", "row-removed"]
    assert f"rejected {change}: by ann at " in again.output
    listed = runner.invoke(app, ["sync", "reviews"])
    assert listed.output.startswith(f"rejected  {change}  by ann at ")
    get_settings.cache_clear()
