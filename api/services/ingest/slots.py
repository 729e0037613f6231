"""How many ingests the server runs at once.

An ingest holds a worker thread for as long as arXiv takes (minutes when it stalls) or a large
file takes to write. Beyond a few at a time they would fill the thread pool that reads run on
too; so an ingest that finds every slot taken is refused at once with 503 and `Retry-After`
instead of waiting in a thread, and reads always find a free thread.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from api.errors import InferGraphError, Problem, retry_after

RETRY_AFTER_SECONDS = 10
"""About one arXiv ingest of a few pages at arXiv's three-second spacing."""


@dataclass
class IngestBusyError(InferGraphError):
    code: str = "ingest_busy"
    status: int = 503
    headers: dict[str, str] = retry_after(RETRY_AFTER_SECONDS)


class IngestSlots:
    def __init__(self, size: int) -> None:
        self.size = size
        self._semaphore = threading.BoundedSemaphore(size)

    @contextmanager
    def held(self) -> Iterator[None]:
        """A slot for the ingest inside, or `IngestBusyError` when all are taken."""
        if not self._semaphore.acquire(blocking=False):
            raise IngestBusyError(
                f"{self.size} ingest(s) are already running; try again shortly",
                [Problem(f"at most {self.size} at a time", field="ingest")],
            )
        try:
            yield
        finally:
            self._semaphore.release()
