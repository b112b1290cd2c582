"""The channel page's figures, kept between loads while the data they came from holds.

A team opens the channel page far more often than it answers: each load would otherwise sum
every answer of the year again for the all-time board. An entry is reused only at the same data
version (`DashboardStore.data_version`: no answer or post added, none revealed, no appeal
resolved) and for at most `ttl_s`, since a member's display name can change without a new
answer.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class FigureCache(Generic[V]):
    """Least recently used first out, at most `size` entries."""

    def __init__(
        self, *, size: int, ttl_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._size = size
        self._ttl = ttl_s
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[Hashable, float, V]] = OrderedDict()

    def get(self, key: Hashable, version: Hashable) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        held_version, stored_at, value = entry
        if held_version != version or self._clock() - stored_at > self._ttl:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, version: Hashable, value: V) -> None:
        self._entries[key] = (version, self._clock(), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
