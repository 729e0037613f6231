"""Cached responses of one data version, least recently used evicted first, bounded in bytes."""

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field

from api.cache.version import DataVersion

ENTRY_OVERHEAD_BYTES = 256
"""Rough cost of an entry besides its body and headers (dict slot, objects, key)."""
MAX_ENTRY_SHARE = 4
"""No single response may take more than this fraction (1/n) of the budget."""


@dataclass(frozen=True)
class CachedResponse:
    headers: list[tuple[bytes, bytes]]
    """Every header of the 200 response, ETag and Content-Length included."""
    body: bytes
    etag: bytes
    size: int = field(init=False)

    def __post_init__(self) -> None:
        header_bytes = sum(len(name) + len(value) for name, value in self.headers)
        object.__setattr__(self, "size", len(self.body) + header_bytes + ENTRY_OVERHEAD_BYTES)


class ResponseStore:
    """Entries of the newest version seen; an older version's entries are dropped at once."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // MAX_ENTRY_SHARE
        self.bytes = 0
        self._entries: OrderedDict[Hashable, CachedResponse] = OrderedDict()
        self._version: DataVersion | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, version: DataVersion, key: Hashable) -> CachedResponse | None:
        if not self._current(version):
            return None
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, version: DataVersion, key: Hashable, entry: CachedResponse) -> bool:
        """Keep `entry` if it was made at the current version and fits; True when kept."""
        if not self._current(version) or entry.size > self.max_entry_bytes:
            return False
        previous = self._entries.pop(key, None)
        if previous is not None:
            self.bytes -= previous.size
        self._entries[key] = entry
        self.bytes += entry.size
        while self.bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.bytes -= evicted.size
        return True

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0

    def _current(self, version: DataVersion) -> bool:
        """Move to `version` if it is newer; False for a version older than the newest seen.

        Requests read the version concurrently, so one that read it just before a write may
        arrive here after one that read it just after: its response must not be kept.
        """
        current = self._version
        if current == version:
            return True
        if current is None or version.epoch != current.epoch or version.version > current.version:
            self.clear()
            self._version = version
            return True
        return False
