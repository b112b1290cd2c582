"""Gathers concurrent requests into one batch run in a worker thread, so a burst of answers costs
one `encode` call and the event loop never waits on the model.

Continuous batching: a lone request runs at once (no collection window to wait out), and whatever
arrives while a batch runs forms the next one. The bound is generous because the model sorts one
call's texts by length before chunking them; splitting a burst into several calls pads each chunk
to its own longest text and cost a third more on CPU (`quizmaster bench grading`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_MAX_BATCH = 256
SIZES_KEPT = 1024
"""Sizes of the latest batches kept for the benches and tests that read them: a bot runs one
batcher for its whole life, and a record of every batch would grow with every answer."""


class MicroBatcher(Generic[T, R]):
    """`await submit(item)` -> `fn([..., item, ...])[i]`; `fn` runs off the loop, one batch at a
    time. Queue and worker are created inside the running loop on first use (and again if a new
    loop appears, as in tests), so constructing a batcher is cheap and loop-agnostic."""

    def __init__(
        self,
        fn: Callable[[Sequence[T]], Sequence[R]],
        *,
        max_batch: int = DEFAULT_MAX_BATCH,
        sizes_kept: int = SIZES_KEPT,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._fn = fn
        self._max_batch = max_batch
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[tuple[T, asyncio.Future[R]]] | None = None
        self._worker: asyncio.Task[None] | None = None
        self.batch_sizes: deque[int] = deque(maxlen=sizes_kept)

    async def submit(self, item: T) -> R:
        queue = self._ensure_worker()
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        queue.put_nowait((item, future))
        return await future

    async def aclose(self) -> None:
        """Stop the worker; requests still waiting fail with CancelledError."""
        worker, queue = self._worker, self._queue
        self._worker = self._queue = self._loop = None
        if worker is not None and not worker.done():
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        while queue is not None and not queue.empty():
            _, future = queue.get_nowait()
            future.cancel()

    def _ensure_worker(self) -> asyncio.Queue[tuple[T, asyncio.Future[R]]]:
        loop = asyncio.get_running_loop()
        if (
            self._queue is None
            or self._loop is not loop
            or self._worker is None
            or self._worker.done()
        ):
            self._loop = loop
            self._queue = asyncio.Queue()
            self._worker = loop.create_task(self._run(self._queue), name="quizmaster-batcher")
        return self._queue

    def _drain(
        self,
        queue: asyncio.Queue[tuple[T, asyncio.Future[R]]],
        batch: list[tuple[T, asyncio.Future[R]]],
    ) -> None:
        while len(batch) < self._max_batch and not queue.empty():
            batch.append(queue.get_nowait())

    async def _run(self, queue: asyncio.Queue[tuple[T, asyncio.Future[R]]]) -> None:
        while True:
            batch = [await queue.get()]
            self._drain(queue, batch)
            live = [(item, future) for item, future in batch if not future.done()]
            if not live:
                continue
            self.batch_sizes.append(len(live))
            try:
                results = await asyncio.to_thread(self._fn, [item for item, _ in live])
            except asyncio.CancelledError:
                for _, future in live:
                    future.cancel()
                raise
            except Exception as exc:  # handed to every waiter; the worker keeps serving
                for _, future in live:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(live, results, strict=True):
                if not future.done():
                    future.set_result(result)
