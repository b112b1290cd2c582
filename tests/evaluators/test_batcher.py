"""The micro-batcher gathers concurrent requests and keeps the loop free while a batch runs."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence

import pytest

from evaluators.embedding.batcher import MicroBatcher


def _double(items: Sequence[int]) -> list[int]:
    return [2 * i for i in items]


async def test_concurrent_requests_share_batches() -> None:
    batcher: MicroBatcher[int, int] = MicroBatcher(_double, max_batch=16)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(50)))
    assert results == [2 * i for i in range(50)]
    assert max(batcher.batch_sizes) == 16
    assert sum(batcher.batch_sizes) == 50
    await batcher.aclose()


async def test_a_lone_request_runs_at_once_and_latecomers_form_the_next_batch() -> None:
    started = threading.Event()
    release = threading.Event()

    def gated(items: Sequence[int]) -> list[int]:
        started.set()
        release.wait(5)
        return list(items)

    batcher: MicroBatcher[int, int] = MicroBatcher(gated)
    first = asyncio.create_task(batcher.submit(0))
    await asyncio.to_thread(started.wait, 5)  # the first batch is running with one item
    later = [asyncio.create_task(batcher.submit(i)) for i in range(1, 11)]
    await asyncio.sleep(0)
    release.set()
    assert await first == 0
    assert await asyncio.gather(*later) == list(range(1, 11))
    assert list(batcher.batch_sizes) == [1, 10]
    await batcher.aclose()


async def test_only_the_latest_batch_sizes_are_kept() -> None:
    batcher: MicroBatcher[int, int] = MicroBatcher(_double, max_batch=1, sizes_kept=3)
    for i in range(5):
        assert await batcher.submit(i) == 2 * i
    assert list(batcher.batch_sizes) == [1, 1, 1]
    await asyncio.gather(*(batcher.submit(i) for i in range(2)))
    assert len(batcher.batch_sizes) == 3
    await batcher.aclose()


async def test_slow_batch_runs_off_the_loop() -> None:
    loop_thread = threading.get_ident()
    seen: list[int] = []

    def slow(items: Sequence[int]) -> list[int]:
        seen.append(threading.get_ident())
        time.sleep(0.3)
        return list(items)

    batcher: MicroBatcher[int, int] = MicroBatcher(slow)
    task = asyncio.create_task(batcher.submit(1))
    start = time.perf_counter()
    ticks = 0
    while not task.done():
        await asyncio.sleep(0.01)
        ticks += 1
    assert await task == 1
    assert seen and seen[0] != loop_thread
    assert ticks >= 10  # the loop kept running while the batch slept
    assert time.perf_counter() - start >= 0.3
    await batcher.aclose()


async def test_errors_reach_every_waiter_and_the_worker_survives() -> None:
    calls = 0

    def flaky(items: Sequence[int]) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("boom")
        return list(items)

    batcher: MicroBatcher[int, int] = MicroBatcher(flaky)
    with pytest.raises(RuntimeError, match="boom"):
        await batcher.submit(1)
    assert await batcher.submit(2) == 2
    await batcher.aclose()


def test_one_batcher_serves_successive_event_loops() -> None:
    batcher: MicroBatcher[int, int] = MicroBatcher(_double)
    assert asyncio.run(batcher.submit(1)) == 2
    assert asyncio.run(batcher.submit(2)) == 4
