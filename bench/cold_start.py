"""Cold start: `infergraph serve` in an empty folder until the first query succeeds.

    python -m bench.cold_start [--runs 5]

Each run starts the real command in a new empty folder (SQLite default, so the schema
migration and the survey seed happen on this start), polls a GraphQL query and then a REST
read, and stops the server. The first successful query must already see seeded data (a
GraphQL engine list with 27 engines). Target (issue 21): under 1 s (median).

It also times the phases in fresh interpreters, to show where the time goes: importing the
CLI, importing the app, migrating an empty database, seeding it.
"""

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx2

TARGET_SECONDS = 1.0
TIMEOUT = 60.0
GRAPHQL = {"query": "{ engines(first: 100) { nodes { slug } } }"}
SURVEY_ENGINES = 27

PHASES = {
    "import the CLI": "import api.cli",
    "import the app": "import api.cli, api.app",
    "migrate an empty SQLite database": (
        "from api.db import create_db_engine, upgrade_database;"
        "upgrade_database(create_db_engine('sqlite:///phase.db'))"
    ),
    "migrate + seed an empty SQLite database": (
        "from api.db import create_db_engine; from seed.loader import seed_database;"
        "seed_database(create_db_engine('sqlite:///phase.db'))"
    ),
}


# `serve` as it was before api/startup.py: everything one after the other in one process.
SEQUENTIAL_SERVE = """
import sys
import uvicorn
from sqlmodel import Session
from api.app import create_app
from api.config import get_settings
from api.db import create_db_engine, upgrade_database
from api.services.stats import is_seeded
from seed.loader import seed_database

settings = get_settings()
engine = create_db_engine(settings.resolved_database_url)
upgrade_database(engine)
with Session(engine) as session:
    empty = not is_seeded(session)
if empty:
    seed_database(engine)
engine.dispose()
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[1]))
"""


@dataclass(frozen=True)
class ColdStart:
    first_graphql: float
    first_rest: float
    cpu: float
    """CPU seconds the server and its finished children had used at the first answer:
    what the start costs whatever the machine's load (its wall time grows with the load)."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("infergraph")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "api"]
    return [*base, "serve", "--host", "127.0.0.1", "--port", str(port)]


def sequential_command(port: int) -> list[str]:
    return [sys.executable, "-c", SEQUENTIAL_SERVE, str(port)]


def one_cold_start(
    command: Callable[[int], list[str]] = serve_command, code: Path | None = None
) -> ColdStart:
    """One start; `code`: a checkout of another commit whose `api` package is run instead."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFERGRAPH_")}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    with tempfile.TemporaryDirectory() as folder:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        began = time.perf_counter()
        process = subprocess.Popen(
            command(port),
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            first_graphql = _until_ok(process, lambda: _graphql_ok(base)) - began
            cpu = _cpu_seconds(process.pid)
            first_rest = _until_ok(process, lambda: _rest_ok(base)) - began
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    return ColdStart(first_graphql, first_rest, cpu)


def _cpu_seconds(pid: int) -> float:
    # /proc/PID/stat fields 14-17: utime, stime, and the same of children waited for.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _graphql_ok(base: str) -> bool:
    response = httpx2.post(f"{base}/graphql", json=GRAPHQL, timeout=5)
    nodes = response.json().get("data", {}).get("engines", {}).get("nodes", [])
    return response.status_code == 200 and len(nodes) == SURVEY_ENGINES


def _rest_ok(base: str) -> bool:
    response = httpx2.get(f"{base}/api/v1/engines/vllm", timeout=5)
    return response.status_code == 200 and response.json()["slug"] == "vllm"


def _until_ok(process: subprocess.Popen[bytes], probe: Callable[[], bool]) -> float:
    deadline = time.perf_counter() + TIMEOUT
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"`infergraph serve` exited:\n{error[-2000:]}")
        try:
            if probe():
                return time.perf_counter()
        except httpx2.TransportError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"no successful query within {TIMEOUT:g} s")


def phase_seconds(runs: int) -> dict[str, float]:
    """Median wall time of each phase in a fresh interpreter (interpreter start included)."""
    result: dict[str, float] = {"start Python": _median_run("pass", runs)}
    for name, code in PHASES.items():
        result[name] = _median_run(code, runs)
    return result


def _median_run(code: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            began = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], cwd=folder, check=True)
            times.append(time.perf_counter() - began)
    return statistics.median(times)


def run(runs: int = 5) -> tuple[list[ColdStart], dict[str, float]]:
    starts = [one_cold_start() for _ in range(runs)]
    return starts, phase_seconds(max(3, runs // 2))


def compare(runs: int = 5) -> tuple[list[float], list[float]]:
    """First-GraphQL seconds of `serve` and of the old sequential start, alternating."""
    current, sequential = [], []
    for _ in range(runs):
        current.append(one_cold_start().first_graphql)
        sequential.append(one_cold_start(sequential_command).first_graphql)
    return current, sequential


def compare_code(other: Path, runs: int = 5) -> tuple[list[ColdStart], list[ColdStart]]:
    """Starts of this tree's `serve` and of `other`'s, alternating, so both see the same
    machine load."""
    current, before = [], []
    for _ in range(runs):
        current.append(one_cold_start())
        before.append(one_cold_start(code=other))
    return current, before


def _load() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def markdown(starts: list[ColdStart], phases: dict[str, float]) -> str:
    graphql = statistics.median(s.first_graphql for s in starts)
    rest = statistics.median(s.first_rest for s in starts)
    lines = [
        f"`infergraph serve` on an empty folder, {len(starts)} runs:",
        "",
        "| first successful | median | runs |",
        "| --- | --- | --- |",
        f"| GraphQL query (27 engines) | {graphql:.2f} s | "
        + ", ".join(f"{s.first_graphql:.2f}" for s in starts)
        + " |",
        f"| REST read after it | {rest:.2f} s | "
        + ", ".join(f"{s.first_rest:.2f}" for s in starts)
        + " |",
        "",
        f"CPU seconds used by then (server and prepare child): median "
        f"{statistics.median(s.cpu for s in starts):.2f} s; load average {_load()}.",
        "",
        "Phases, each in a fresh interpreter (median; each includes the ones it needs):",
        "",
        "| phase | wall time |",
        "| --- | --- |",
    ]
    lines += [f"| {name} | {seconds:.2f} s |" for name, seconds in phases.items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--compare-sequential",
        action="store_true",
        help="also time the old one-after-the-other start, alternating with `serve`",
    )
    parser.add_argument(
        "--compare-with",
        type=Path,
        metavar="DIR",
        help="also time `serve` from DIR, a checkout of another commit (`git archive`), "
        "alternating with this tree",
    )
    args = parser.parse_args()
    if args.compare_with is not None:
        print(f"load average before: {_load()}")
        current, before = compare_code(args.compare_with.resolve(), args.runs)
        print("| code | first GraphQL answer, median | runs | CPU seconds by then, median |")
        print("| --- | --- | --- | --- |")
        for name, starts in (("this tree", current), (str(args.compare_with), before)):
            shown = ", ".join(f"{s.first_graphql:.2f}" for s in starts)
            wall = statistics.median(s.first_graphql for s in starts)
            cpu = statistics.median(s.cpu for s in starts)
            print(f"| {name} | {wall:.2f} s | {shown} | {cpu:.2f} s |")
        ratio = statistics.median(s.first_graphql for s in current) / statistics.median(
            s.first_graphql for s in before
        )
        print(f"\nratio {ratio:.2f}; load average after: {_load()}")
        return
    if args.compare_sequential:
        parallel, sequential = compare(args.runs)
        print("| start | median | runs |\n| --- | --- | --- |")
        for name, values in (("serve (parallel)", parallel), ("sequential", sequential)):
            shown = ", ".join(f"{v:.2f}" for v in values)
            print(f"| {name} | {statistics.median(values):.2f} s | {shown} |")
        return
    print(markdown(*run(args.runs)))


if __name__ == "__main__":
    main()
