"""MCP tool calls vs. the same questions over REST, against one real server.

    python -m bench.mcp [--backend sqlite|postgresql] [--repeat 50]

One uvicorn server (response cache off, so REST does its work every time as the MCP tools do)
on a seeded database. One SDK client session over streamable HTTP and one keep-alive HTTP
client for REST ask each question in alternating rounds; every answer is checked against the
other side's before timing. Reported: the median (p50) latency per question and the ratio.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from bench.databases import seeded_database
from tests.live_server import LiveServer
from tests.mcp.clients import answer, http_client

ROUNDS = 5


@dataclass(frozen=True)
class Question:
    name: str
    tool: str
    arguments: dict[str, Any]
    rest: list[tuple[str, Any]]
    """REST requests (path, query parameters) that together answer the same question."""
    same: Callable[[Any, list[Any]], bool]
    """Whether the MCP answer and the REST answers agree."""


QUESTIONS = [
    Question(
        "search `kv cache`",
        "search",
        {"text": "kv cache", "limit": 20},
        [("/api/v1/search", {"q": "kv cache", "limit": 20})],
        lambda tool, rest: [h["id"] for h in tool["hits"]] == [h["id"] for h in rest[0]],
    ),
    Question(
        "engine profile of vLLM",
        "engine_profile",
        {"slug": "vllm"},
        [("/api/v1/engines/vllm", {}), ("/api/v1/engines/vllm/support", {})],
        lambda tool, rest: (
            tool["engine"]["github_stars"] == rest[0]["github_stars"]
            and sum(len(facts) for facts in tool["support"].values()) == len(rest[1])
        ),
    ),
    Question(
        "requirements paged-attention + amd-instinct",
        "requirements",
        {"technique": ["paged-attention"], "platform": ["amd-instinct"]},
        [("/api/v1/requirements", {"technique": "paged-attention", "platform": "amd-instinct"})],
        lambda tool, rest: [m["engine"] for m in tool["matches"]] == [m["engine"] for m in rest[0]],
    ),
]


async def _timed(call: Awaitable[Any]) -> float:
    """Milliseconds until `call` (a coroutine not yet started) completes."""
    start = time.perf_counter()
    await call
    return (time.perf_counter() - start) * 1000


async def measure(base_url: str, repeat: int) -> list[tuple[str, float, float]]:
    results = []
    async with http_client(f"{base_url}/mcp") as mcp, httpx2.AsyncClient(base_url=base_url) as rest:

        async def over_rest(question: Question) -> list[Any]:
            answers = []
            for path, params in question.rest:
                response = await rest.get(path, params=params)
                response.raise_for_status()
                answers.append(response.json())
            return answers

        for question in QUESTIONS:
            tool_answer = await answer(mcp, question.tool, question.arguments)
            if not question.same(tool_answer, await over_rest(question)):
                raise SystemExit(f"{question.name}: MCP and REST disagree")
            mcp_ms: list[float] = []
            rest_ms: list[float] = []
            for _ in range(ROUNDS):
                for _ in range(repeat // ROUNDS):
                    mcp_ms.append(await _timed(answer(mcp, question.tool, question.arguments)))
                for _ in range(repeat // ROUNDS):
                    rest_ms.append(await _timed(over_rest(question)))
            results.append((question.name, statistics.median(mcp_ms), statistics.median(rest_ms)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=50, help="calls per question and side")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        seeded_database(args.backend, Path(folder), "mcp") as url,
    ):
        server = LiveServer(
            url, Path(folder) / "server.log", {"INFERGRAPH_RESPONSE_CACHE_BYTES": "0"}
        )
        server.start()
        try:
            results = asyncio.run(measure(server.base_url, args.repeat))
        finally:
            server.stop()
    print(f"{args.backend}, {args.repeat} calls per question and side (p50 in ms)")
    print("| question | MCP tool call | REST | ratio |")
    print("| --- | --- | --- | --- |")
    for name, mcp_ms, rest_ms in results:
        print(f"| {name} | {mcp_ms:.2f} | {rest_ms:.2f} | {mcp_ms / rest_ms:.2f}× |")


if __name__ == "__main__":
    main()
