"""The `/mcp` route, built when its first request arrives.

Importing the MCP SDK costs about half a second, a quarter of a cold start
(bench/cold_start.py), and most servers answer their first query long before an assistant
connects. So the server is built (in a worker thread, the event loop keeps serving) on the
first `/mcp` request, and its session manager then runs in the app's lifespan task group
until shutdown. Nothing here imports the SDK.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio
from anyio.abc import TaskGroup, TaskStatus
from starlette.types import ASGIApp, Receive, Scope, Send

McpBuild = Callable[[], tuple[ASGIApp, Callable[[], AbstractAsyncContextManager[Any]]]]
"""Builds the streamable-HTTP app and returns it with its session manager's `run`."""


class LazyMCP:
    def __init__(self, build: McpBuild) -> None:
        self._build = build
        self._app: ASGIApp | None = None
        self._tasks: TaskGroup | None = None
        self._starting = anyio.Lock()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Enter in the app's lifespan: the session manager, once built, lives in it."""
        async with anyio.create_task_group() as tasks:
            self._tasks = tasks
            try:
                yield
            finally:
                self._tasks = None
                tasks.cancel_scope.cancel()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self._app if self._app is not None else await self._start()
        await app(scope, receive, send)

    async def _start(self) -> ASGIApp:
        async with self._starting:
            if self._app is None:
                if self._tasks is None:
                    raise RuntimeError("/mcp needs the app's lifespan to be running")
                app, run = await anyio.to_thread.run_sync(self._build)
                await self._tasks.start(_keep_running, run)
                self._app = app
            return self._app


async def _keep_running(
    run: Callable[[], AbstractAsyncContextManager[Any]],
    *,
    task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
) -> None:
    async with run():
        task_status.started()
        await anyio.sleep_forever()
