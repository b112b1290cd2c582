"""The lock an in-process model is run under, handed to its waiters in the order they came.

A model runs one call at a time (it already spreads one call over every core), so its engine
holds a lock around each call. A plain `threading.Lock` goes to whichever thread the system
wakes first: the answer groups encode a question's backlog a step at a time
(`bot.answer_vectors`), and the next step, started at once on the thread that just let go,
took the lock again and again before the member's answer that had waited since the step before
(issue 83). Handed over in arrival order, an answer waits for one step at most."""

from __future__ import annotations

import threading
from collections import deque
from types import TracebackType


class ArrivalOrderLock:
    """A non-reentrant lock for `with`, acquired in the order `__enter__` was called."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Lock] = deque()

    def __enter__(self) -> None:
        with self._guard:
            if not self._held:
                self._held = True
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        try:
            turn.acquire()  # released by the holder before us, which hands the lock over
        except BaseException:
            # Interrupted while waiting: leave the line, or pass on a turn already handed over.
            with self._guard:
                handed = turn not in self._waiting
                if not handed:
                    self._waiting.remove(turn)
            if handed:
                self._release()
            raise

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._release()

    def _release(self) -> None:
        with self._guard:
            if self._waiting:
                self._waiting.popleft().release()  # still held, by the next in line
            else:
                self._held = False
