"""A sliding-window limit per client address, for sign-in: a link's token cannot be guessed,
but nothing should be able to try."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable

MAX_KEYS = 10_000


class SlidingWindow:
    """At most `limit` attempts per `window_s` seconds per key; kept in memory (one process
    serves the page)."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float]) -> None:
        self._limit = limit
        self._window = window_s
        self._clock = clock
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = self._clock()
        if len(self._seen) > MAX_KEYS:
            self._forget_before(now - self._window)
        seen = self._seen[key]
        while seen and seen[0] <= now - self._window:
            seen.popleft()
        if len(seen) >= self._limit:
            return False
        seen.append(now)
        return True

    def _forget_before(self, cutoff: float) -> None:
        """Drop the addresses with no attempt since `cutoff`, so memory stays bounded."""
        for key in [k for k, seen in self._seen.items() if not seen or seen[-1] <= cutoff]:
            del self._seen[key]
