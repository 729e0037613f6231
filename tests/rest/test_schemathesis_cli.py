"""schemathesis's own command line against a real server: 0 failures, on both databases.

This is the run a user of the API would make (`schemathesis run URL/openapi.json --checks
all`): every phase (examples, coverage, fuzzing, stateful) and every check, positive-data
acceptance at its default, so a request the document calls valid must not get a 400. It runs
once with a write token over every operation (writes are carried out: BibTeX and arXiv
ingests, merges, run imports; arXiv is a local stand-in), and once without a token over the
operations the document secures (they answer 401). The public operations are not run twice:
reads ignore the token (`api/rest/auth.py`), so a run without one would send them the same
requests for the same answers.

Bounded for the test command, and said so in docs/rest.md: `--max-examples 15` per operation
and phase (the default is 100) and `--workers 1` (see `WORKERS`); nothing else is narrowed.
"""

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
import sqlalchemy as sa

from api.services.tokens import create_token
from models.access import TokenScope
from tests.databases import fresh_database
from tests.ingest.arxiv_server import CannedResponse, RecordedRequest, arxiv_env, serve_fake_arxiv
from tests.live_server import LiveServer, live_server

MAX_EXAMPLES = 15
# One worker thread: with two, CPython 3.11's `ast` module (which Hypothesis uses while
# generating) now and then failed with "SystemError: AST constructor recursion depth
# mismatch" in the coverage phase, a race in the interpreter, not a finding about our API.
WORKERS = 1
RUN_TIMEOUT = 600
CLI = (
    "import sys; from schemathesis.cli import schemathesis; "
    "sys.argv[0] = 'schemathesis'; sys.exit(schemathesis())"
)


def arxiv_answer(request: RecordedRequest) -> CannedResponse:
    """A feed for id look-ups, and an empty result for searches (so paging stops at once)."""
    if "id_list" in request.params:
        return CannedResponse.feed("query_ids.xml")
    return CannedResponse.feed("empty.xml")


@dataclass(frozen=True)
class Served:
    server: LiveServer
    engine: sa.Engine
    token: str
    tmp: Path
    arxiv_requests: list[RecordedRequest]


@pytest.fixture(scope="module")
def served(
    backend: str, seeded_template: sa.Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("st-cli")
    with (
        fresh_database(backend, tmp, template=seeded_template) as engine,
        serve_fake_arxiv() as arxiv,
    ):
        arxiv.router = arxiv_answer
        token = create_token(engine, name="schemathesis-cli", scope=TokenScope.WRITE).token
        url = engine.url.render_as_string(False)
        with live_server(url, tmp / "server.log", arxiv_env(arxiv)) as server:
            yield Served(server, engine, token, tmp, arxiv.requests)


def run_cli(served: Served, *extra: str) -> tuple[int, str]:
    command = [
        sys.executable,
        "-c",
        CLI,
        "run",
        f"{served.server.base_url}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        str(WORKERS),
        "--no-color",
        *extra,
    ]
    finished = subprocess.run(
        command,
        cwd=served.tmp,
        env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    return finished.returncode, finished.stdout + finished.stderr


def secured_operations(served: Served) -> list[str]:
    """The operation ids of the document's operations that declare a security requirement."""
    document = json.loads(httpx2.get(f"{served.server.base_url}/openapi.json").content)
    return sorted(
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
        if operation.get("security")
    )


def operations_tested(output: str) -> int:
    found = re.search(r"Tested:\s+(\d+)", output)
    assert found, output[-3000:]
    return int(found[1])


def summary(output: str) -> str:
    """The run's size and length, for the measurements in the closing note (`-rA` shows it)."""
    cases = re.search(r"(\d+) generated", output)
    took = re.search(r" in ([\d.]+)s =+$", output, re.MULTILINE)
    return (
        f"{operations_tested(output)} operations, {cases and cases[1]} cases, {took and took[1]} s"
    )


def test_no_failures_without_a_token_on_the_secured_operations(served: Served) -> None:
    secured = secured_operations(served)
    # The writes, the survey-sync reviews and token management: a change that dropped a
    # route's security requirement from the document would shrink this list.
    assert len(secured) >= 15
    selection = [argument for id_ in secured for argument in ("--include-operation-id", id_)]
    code, output = run_cli(served, *selection)
    print("without a token:", summary(output))
    assert code == 0, output[-20000:] + served.server.log_tail()
    assert operations_tested(output) == len(secured)


def test_no_failures_with_a_write_token(served: Served) -> None:
    code, output = run_cli(served, "--header", f"Authorization: Bearer {served.token}")
    print("with a write token:", summary(output))
    assert code == 0, output[-20000:] + served.server.log_tail()
    assert operations_tested(output) >= 80
    # The writes were carried out, not all refused: both kinds of ingest ran, and generated
    # result files were imported as runs.
    with served.engine.connect() as connection:
        kinds = connection.execute(sa.text("SELECT DISTINCT kind FROM ingest_run")).scalars()
        assert {str(kind).lower() for kind in kinds} == {"arxiv", "bibtex"}
        imported = connection.execute(
            sa.text(
                "SELECT DISTINCT import_format FROM benchmark_run WHERE import_format IS NOT NULL"
            )
        ).scalars()
        assert len(set(imported)) >= 3
    assert served.arxiv_requests, "no arXiv ingest reached the local stand-in"
