"""The response cache's store: entries (encoded responses with the data version they were
computed at) in a map bounded in total bytes, least recently used first out. The middleware
that fills and reads it is app/core/response_cache.py."""

import zlib
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class CachedResponse:
    version: int
    headers: list[tuple[bytes, bytes]]
    body: bytes  # as stored: zlib-compressed when `compressed`
    route_template: str
    compressed: bool = False

    def content(self) -> bytes:
        return zlib.decompress(self.body) if self.compressed else self.body


class ResponseCache:
    """A byte-bounded LRU map of cached responses."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, CachedResponse] = OrderedDict()
        self._bytes = 0

    def get(self, key: tuple, version: int) -> CachedResponse | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.version != version:
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple, entry: CachedResponse) -> None:
        size = len(entry.body)
        if size > self.max_bytes:
            return
        if key in self._entries:
            self._remove(key)
        self._entries[key] = entry
        self._bytes += size
        while self._bytes > self.max_bytes:
            self._remove(next(iter(self._entries)))

    def _remove(self, key: tuple) -> None:
        entry = self._entries.pop(key)
        self._bytes -= len(entry.body)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes
