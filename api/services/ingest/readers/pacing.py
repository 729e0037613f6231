"""Request spacing shared by every thread of the process.

arXiv asks for one request every three seconds from a client, not from each request of it: a
server running five ingests at once is one client. A `RequestPacer` hands out time slots
`delay` apart under a lock, and each caller sleeps until its slot outside the lock, so
concurrent ingests queue up behind each other instead of all asking at once.

One pacer per base URL and process (`process_pacer`). Several server processes (uvicorn
`--workers N`) each keep their own: with N workers, set `INFERGRAPH_ARXIV_DELAY` to N times
three seconds, or leave arXiv ingests to one of them.
"""

import threading
import time
from collections.abc import Callable


class RequestPacer:
    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._next = float("-inf")

    def wait_turn(self, delay: float) -> None:
        """Sleep until this caller's slot; the next slot is `delay` after it."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + delay
        if slot > now:
            self._sleep(slot - now)

    def defer(self, seconds: float) -> None:
        """No slot earlier than `seconds` from now (a retry's backoff, arXiv's Retry-After)."""
        with self._lock:
            self._next = max(self._next, self._clock() + seconds)


_pacers: dict[str, RequestPacer] = {}
_pacers_lock = threading.Lock()


def process_pacer(base_url: str) -> RequestPacer:
    """The one pacer of this process for requests to `base_url`."""
    with _pacers_lock:
        return _pacers.setdefault(base_url.rstrip("/"), RequestPacer())
