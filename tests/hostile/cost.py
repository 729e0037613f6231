"""What one hostile request may cost, counted in work rather than read off a clock.

The walks send thousands of requests while the suite shares two cores with another test
worker, PostgreSQL and live servers; a wall-clock bound per request measured that contention
(a cheap page once waited 5.9 s for the CPU), not the request. So each request is bounded by
the CPU this process spends on it (the app and the test client) and by the SQL statements
it sends, the database's share that this process's CPU does not include. The database also
cuts off each statement on its own (`INFERGRAPH_STATEMENT_TIMEOUT`).
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa

T = TypeVar("T")

MOST_CPU_S = 2.0
"""About 5× the costliest request of the walks (0.3–0.4 s: the landing page, and `/charts`,
which draws every chart)."""
MOST_STATEMENTS = 100
"""The busiest request (the landing page) sends 41."""


@dataclass(frozen=True)
class Cost:
    cpu_s: float
    statements: int

    def excess(self) -> str | None:
        """What went past a bound, in words, or None."""
        over = []
        if self.cpu_s > MOST_CPU_S:
            over.append(f"{self.cpu_s:.2f} s of CPU")
        if self.statements > MOST_STATEMENTS:
            over.append(f"{self.statements} SQL statements")
        return ", ".join(over) or None


class CostMeter:
    """Measures calls made while `counting()` is open (one listener for the whole walk:
    adding and removing it per request costs more than the requests)."""

    def __init__(self) -> None:
        self._statements = 0
        self._listening = False

    def _note(self, *_: Any) -> None:
        self._statements += 1

    @contextmanager
    def counting(self) -> Iterator["CostMeter"]:
        """Count statements inside the block; an inner `counting()` reuses the outer one."""
        if self._listening:
            yield self
            return
        sa.event.listen(sa.Engine, "before_cursor_execute", self._note)
        self._listening = True
        try:
            yield self
        finally:
            self._listening = False
            sa.event.remove(sa.Engine, "before_cursor_execute", self._note)

    def measure(self, call: Callable[[], T]) -> tuple[T, Cost]:
        self._statements = 0
        started = time.process_time()
        result = call()
        return result, Cost(time.process_time() - started, self._statements)
