"""The messages being handled right now, and the work they left running (a follow-up's figure),
so that a stop can let them finish (or cancel them, which releases their claims) before the
database and the platform sessions close."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("quizmaster.core")

STOP_GRACE_S = 7.0
"""How long a stop waits for messages in flight: with closing, the bot exits within 10 s."""


class InFlight:
    """Tasks inside `Intake.handle`, and those it spawned. Platforms stop their intake
    before draining."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[object]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    @contextmanager
    def track(self) -> Iterator[None]:
        task = asyncio.current_task()
        assert task is not None, "handle runs inside a task"
        self._add(task)
        try:
            yield
        finally:
            self._forget(task)

    def spawn(self, work: Coroutine[Any, Any, None], *, name: str) -> None:
        """Run `work` beside the message that started it, without the message waiting for it;
        a stop waits for it as for a message. `work` handles its own failures."""
        task = asyncio.create_task(work, name=name)
        self._add(task)
        task.add_done_callback(self._forget)

    def _add(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)
        self._idle.clear()

    def _forget(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not self._tasks:
            self._idle.set()

    async def drain(self, grace_s: float) -> int:
        """Give the messages in flight `grace_s` seconds, then cancel the rest (each releases
        its claim, so a redelivery is handled). Returns how many were cancelled."""
        try:
            await asyncio.wait_for(self._idle.wait(), grace_s)
        except TimeoutError:
            left = [task for task in self._tasks if task is not asyncio.current_task()]
            log.warning(
                "stopping: %d messages still in flight after %.0f s, cancelled", len(left), grace_s
            )
            for task in left:
                task.cancel()
            if left:
                await asyncio.wait(left, timeout=grace_s)
            return len(left)
        return 0
