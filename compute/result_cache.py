"""Finished results by (demo, parameters with seed, code version): a repeated /demo is instant.

Bounded (least recently used goes first) and expiring, so memory stays flat in a long-lived
service; images are kept in memory because they are small (tens of kB each). The Ray backend's
job board keeps object-store references in one instead, so every front end shares its hits. The
bot's web page keeps its channel pages in one too (`bot.web.deps.Web.pages`).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic

from typing_extensions import TypeVar

from compute.catalog import Demo, DemoParams, DemoResult
from compute.version import code_version

Stored = TypeVar("Stored", default=DemoResult)


def cache_key(demo: Demo, params: DemoParams) -> str:
    """Stable across processes: the params' JSON (defaults filled in) and the code's hash."""
    text = f"{demo.name}\n{params.model_dump_json()}\n{code_version(demo)}"
    return hashlib.sha256(text.encode()).hexdigest()


class ResultCache(Generic[Stored]):
    """An LRU map with a time-to-live; not thread-safe (the event loop owns it). A key is any
    hashable value: `cache_key`'s digest here, a page and its data's version on the web page."""

    def __init__(
        self, *, max_entries: int, ttl_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max_entries = max_entries
        self._ttl_s = ttl_s
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, Stored]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Stored | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, result = entry
        if self._clock() - stored_at > self._ttl_s:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return result

    def put(self, key: Hashable, result: Stored) -> None:
        if self._max_entries == 0:
            return
        self._entries[key] = (self._clock(), result)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
