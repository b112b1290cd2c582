"""Events API deliveries seen recently, so a retried or repeated `event_id` is acted on once.

Slack retries an event up to three times when our ack is slow or lost, with the same
`event_id`. This bounded TTL set drops those in the adapter; the core's idempotency on the
message id still catches what outlives it (a restart, an evicted id).
"""

from __future__ import annotations

import time
from collections import OrderedDict


class RecentIds:
    """Bounded set of ids with a time-to-live; `first_time` checks and records in one step."""

    def __init__(self, *, ttl_s: float = 600.0, max_entries: int = 10_000) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, key: str) -> bool:
        """True the first time `key` is offered within the TTL; no await, so no race."""
        now = time.monotonic()
        while self._seen and now - next(iter(self._seen.values())) >= self._ttl_s:
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        if len(self._seen) > self._max_entries:
            self._seen.popitem(last=False)
        return True
