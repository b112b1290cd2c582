"""The job queue: a bounded line of waiting jobs, a few worker slots, one process per running job.

Each running job gets a fresh process from a fork server that has already imported torch and
matplotlib, so starting one is cheap, and killing one (timeout, crash, stuck cancel) harms no
other job. A supervisor thread per slot relays the process's messages into the job record.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import multiprocessing
import os
import secrets
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import forkserver
from multiprocessing.context import ForkServerContext, SpawnContext
from typing import Any

from compute.catalog import Demo, DemoParams, DemoResult
from compute.config import ServiceConfig
from compute.device import DeviceName, default_workers, threads_per_worker
from compute.result_cache import ResultCache, cache_key
from compute.runner import JobView, Load, QueueFullError, UnknownJobError
from compute.schemas import JobState
from compute.supervision import Outcome, Watch, supervise
from compute.worker import Failed, Finished, Progress, Stopped, noop, run_demo

log = logging.getLogger("quizmaster.compute")


@dataclass(eq=False)
class Job:
    """One request's life. The supervisor thread writes only `progress` and `message`."""

    id: str
    demo: Demo
    params: DemoParams
    key: str
    created_at: float
    state: JobState = "queued"
    progress: float = 0.0
    message: str = "queued"
    result: DemoResult | None = None
    error: str | None = None
    cached: bool = False
    started_at: float | None = None
    finished_at: float | None = None
    cancel_requested: threading.Event = field(default_factory=threading.Event)
    finished: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def elapsed_s(self) -> float | None:
        if self.started_at is None:
            return None
        return (self.finished_at or time.monotonic()) - self.started_at


def process_context(demo_modules: Iterable[str]) -> ForkServerContext | SpawnContext:
    """A fork server where the platform has one, else spawn.

    The server imports torch, matplotlib, the demos and `__main__` once; each job's process is
    then a fork of it that starts in milliseconds instead of re-importing them (seconds).
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        preload = ["__main__", "compute.worker", "compute.demos._figures", *demo_modules]
        context.set_forkserver_preload(list(dict.fromkeys(preload)))
        return context
    return multiprocessing.get_context("spawn")


def _kill_fork_server() -> None:
    """Kill this process's fork server while it is still starting. Just after a start it is
    importing torch and the demos, and a job or the warm-up waiting for it to fork held a stop
    for as long (7 s on two cores, against `docker stop`'s 10): killed, their wait ends at once,
    and each running demo's own process is killed by its supervisor. A server that has forked
    once is left alone: a start from it is quick, and later services in this process reuse it.
    multiprocessing keeps the server's pid only in private state, and starts a new server when
    one is asked for again."""
    server: Any = forkserver._forkserver
    pid: int | None = server._forkserver_pid
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError, ChildProcessError):
        server._stop()  # reaps it and forgets its address


class JobManager:
    """The `local` JobRunner: owns the queue, the worker slots, the result cache and the job
    records, all in this process."""

    def __init__(
        self, config: ServiceConfig, demos: Mapping[str, Demo], *, device: DeviceName
    ) -> None:
        self.config = config
        self.device = device
        self.workers = config.workers or default_workers(device)
        self._threads = threads_per_worker(self.workers)
        self._context = process_context(d.run.__module__ for d in demos.values())
        self._cache = ResultCache(max_entries=config.cache_entries, ttl_s=config.cache_ttl_s)
        self._jobs: dict[str, Job] = {}
        self._pending: deque[Job] = deque()
        self._running: set[Job] = set()
        self._wakeup = asyncio.Condition()
        self._stopping = threading.Event()
        self._forking = threading.Event()  # the fork server answered: a start is quick now
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="demo-supervisor")
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def queue_depth(self) -> int:
        return len(self._pending)

    @property
    def running(self) -> int:
        return len(self._running)

    async def start(self) -> None:
        """Start the worker slots, and the fork server in the background."""
        self._tasks = [
            asyncio.create_task(self._work(), name=f"slot-{i}") for i in range(self.workers)
        ]
        self._tasks.append(asyncio.create_task(asyncio.to_thread(self._warm_up), name="warm-up"))
        log.info(
            "compute: %d worker(s) on %s, %d torch thread(s) each, queue %d",
            self.workers,
            self.device,
            self._threads,
            self.config.queue_size,
        )

    async def stop(self) -> None:
        """Kill running demos, stop the slots; waiting jobs are marked cancelled. One line says
        how many of each were cancelled (each job's own line follows)."""
        self._stopping.set()
        log.info(
            "compute stopping: cancelling %d running and %d queued job(s)",
            len(self._running),
            len(self._pending),
        )
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if isinstance(self._context, ForkServerContext) and not self._forking.is_set():
            _kill_fork_server()
        await asyncio.to_thread(self._executor.shutdown, wait=True)
        for job in self._pending:
            self._finish(job, Stopped(), message="service stopped")
        self._pending.clear()

    async def submit(self, demo: Demo, params: DemoParams) -> JobView:
        """A new job: done at once from the cache, else queued (QueueFullError when no room)."""
        return self.snapshot(await self.enqueue(demo, params))

    async def view(self, job_id: str) -> JobView:
        return self.snapshot(self.get(job_id))

    async def load(self) -> Load:
        return Load(self.workers, self.running, self.queue_depth, self.config.queue_size)

    def snapshot(self, job: Job) -> JobView:
        return JobView(
            id=job.id,
            demo=job.demo.name,
            params=job.params.model_dump(),
            state=job.state,
            queue_position=self.queue_position(job),
            progress=job.progress,
            message=job.message,
            result=job.result,
            error=job.error,
            cached=job.cached,
            elapsed_s=job.elapsed_s,
        )

    async def enqueue(self, demo: Demo, params: DemoParams) -> Job:
        """The job record of a new request, finished from the cache or waiting in the queue."""
        self._prune()
        key = cache_key(demo, params)
        job = Job(secrets.token_hex(8), demo, params, key, created_at=time.monotonic())
        cached = self._cache.get(key)
        if cached is not None:
            job.cached = True
            job.started_at = job.created_at
            self._jobs[job.id] = job
            self._finish(job, Finished(cached), message="cached")
            return job
        async with self._wakeup:
            if len(self._pending) >= self.config.queue_size:
                raise QueueFullError(self.retry_after())
            self._pending.append(job)
            self._jobs[job.id] = job
            self._wakeup.notify()
        log.info("job %s queued: %s %s", job.id, demo.name, params.model_dump_json())
        return job

    def get(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise UnknownJobError(job_id)
        return job

    def queue_position(self, job: Job) -> int:
        """1 for the next job to start; 0 once it runs or has finished."""
        if job.state != "queued":
            return 0
        return next((i + 1 for i, j in enumerate(self._pending) if j is job), 0)

    async def cancel(self, job_id: str) -> JobView:
        """Drop a waiting job; ask a running one to stop and wait (briefly) until it has."""
        job = self.get(job_id)
        if job.state == "queued":
            self._pending.remove(job)
            self._finish(job, Stopped())
        elif job.state == "running":
            job.cancel_requested.set()
            job.message = "cancelling"
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(job.finished.wait(), self.config.cancel_grace_s + 2.0)
        return self.snapshot(job)

    def retry_after(self) -> int:
        """Seconds until a slot frees up, from the demos' expected run times."""
        now = time.monotonic()
        backlog = sum(j.demo.expected_seconds for j in self._pending)
        backlog += sum(
            max(1.0, j.demo.expected_seconds - (now - (j.started_at or now))) for j in self._running
        )
        return max(1, math.ceil(backlog / self.workers))

    async def _next_job(self) -> Job:
        async with self._wakeup:
            await self._wakeup.wait_for(lambda: bool(self._pending))
            return self._pending.popleft()

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            job = await self._next_job()
            job.state = "running"
            job.started_at = time.monotonic()
            job.message = "starting"
            self._running.add(job)
            try:
                outcome = await loop.run_in_executor(self._executor, self._supervise, job)
            except asyncio.CancelledError:
                self._finish(job, Stopped(), message="service stopped")
                raise
            finally:
                self._running.discard(job)
            self._finish(job, outcome)

    def _finish(self, job: Job, outcome: Outcome, *, message: str | None = None) -> None:
        if job.finished.is_set():
            return
        job.finished_at = time.monotonic()
        if isinstance(outcome, Finished):
            job.state, job.result, job.progress = "done", outcome.result, 1.0
            job.message = message or "done"
            if not job.cached:
                self._cache.put(job.key, outcome.result)
        elif isinstance(outcome, Failed):
            job.state, job.error, job.message = "failed", outcome.error, message or "failed"
            log.warning("job %s (%s) failed: %s", job.id, job.demo.name, outcome.error)
        else:
            job.state, job.message = "cancelled", message or "cancelled"
        job.finished.set()
        if not job.cached:
            log.info("job %s %s after %.1f s", job.id, job.state, job.elapsed_s or 0.0)

    def _prune(self) -> None:
        """Forget finished jobs past their time-to-live, and the oldest beyond the record cap."""
        now = time.monotonic()
        finished = [j for j in self._jobs.values() if j.finished_at is not None]
        finished.sort(key=lambda j: j.finished_at or 0.0)
        excess = len(finished) - self.config.job_records
        for i, job in enumerate(finished):
            if i < excess or now - (job.finished_at or now) > self.config.cache_ttl_s:
                del self._jobs[job.id]

    def _warm_up(self) -> None:
        process = self._context.Process(target=noop, name="demo-warm-up", daemon=True)
        process.start()
        self._forking.set()
        process.join()

    def _supervise(self, job: Job) -> Outcome:
        """Runs in a supervisor thread: start the demo's process and relay until it ends."""

        def relay(message: Progress) -> None:
            job.progress, job.message = message.fraction, message.message

        return supervise(
            self._context,
            run_demo,
            job.demo,
            job.params,
            self._threads,
            name=f"demo-{job.demo.name}-{job.id}",
            watch=Watch(
                timeout_s=self.config.job_timeout_s,
                cancel_grace_s=self.config.cancel_grace_s,
                on_progress=relay,
                cancel_requested=job.cancel_requested.is_set,
                stopping=self._stopping.is_set,
            ),
        )
