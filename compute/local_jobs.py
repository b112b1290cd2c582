"""The `local` runner: the job ledger's queue served by a few worker slots, one process per
running job.

Each running job gets a fresh process from a fork server that has already imported torch and
matplotlib, so starting one is cheap, and killing one (timeout, crash, stuck cancel) harms no
other job. A supervisor thread per slot relays the process's messages into the job record.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import forkserver
from multiprocessing.context import ForkServerContext, SpawnContext
from typing import Any

from compute.catalog import Demo, DemoParams, DemoResult
from compute.config import ServiceConfig
from compute.device import DeviceName, default_workers, threads_per_worker
from compute.job_runner import JobView, Load, UnknownJobError
from compute.ledger import Done, JobLedger, JobRecord
from compute.result_cache import cache_key
from compute.supervision import Outcome, Watch, supervise
from compute.worker import Finished, Progress, Stopped, noop, run_demo

log = logging.getLogger("quizmaster.compute")


@dataclass(eq=False)
class Job(JobRecord[DemoResult]):
    """One request's life. The supervisor thread writes only `progress` and `message`."""

    cancel_requested: threading.Event = field(default_factory=threading.Event)


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
    importing torch and the demos, and a job or the warm-up waiting for it to fork would hold a
    stop for seconds, close to `docker stop`'s 10: killed, their wait ends at once,
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
    """The `local` JobRunner: owns the job ledger and the worker slots, all in this process."""

    def __init__(
        self, config: ServiceConfig, demos: Mapping[str, Demo], *, device: DeviceName
    ) -> None:
        self.config = config
        self.device = device
        self.workers = config.workers or default_workers(device)
        self._threads = threads_per_worker(self.workers)
        self._context = process_context(d.run.__module__ for d in demos.values())
        self._ledger: JobLedger[Job, DemoResult] = JobLedger(Job, config, workers=self.workers)
        self._wakeup = asyncio.Condition()
        self._stopping = threading.Event()
        self._forking = threading.Event()  # the fork server answered: a start is quick now
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="demo-supervisor")
        self._tasks: list[asyncio.Task[None]] = []

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
            self._ledger.running,
            self._ledger.queue_depth,
        )
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if isinstance(self._context, ForkServerContext) and not self._forking.is_set():
            _kill_fork_server()
        await asyncio.to_thread(self._executor.shutdown, wait=True)
        self._ledger.withdraw_all("service stopped")

    async def submit(self, demo: Demo, params: DemoParams) -> JobView:
        """A new job: done at once from the cache, else queued (QueueFullError when no room)."""
        job = self._ledger.admit(demo, params, cache_key(demo, params))
        if job.state == "queued":
            async with self._wakeup:
                self._wakeup.notify()
        return self._view(job)

    async def view(self, job_id: str) -> JobView:
        return self._view(self._get(job_id))

    async def load(self) -> Load:
        return self._ledger.load()

    async def cancel(self, job_id: str) -> JobView:
        """Drop a waiting job; ask a running one to stop and wait (briefly) until it has."""
        job = self._get(job_id)
        if job.state == "queued":
            self._ledger.withdraw(job)
        elif job.state == "running":
            job.cancel_requested.set()
            job.message = "cancelling"
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(job.finished.wait(), self.config.cancel_grace_s + 2.0)
        return self._view(job)

    def _get(self, job_id: str) -> Job:
        job = self._ledger.get(job_id)
        if job is None:
            raise UnknownJobError(job_id)
        return job

    def _view(self, job: Job) -> JobView:
        return self._ledger.view(job, result=job.result)

    async def _next_job(self) -> Job:
        async with self._wakeup:
            await self._wakeup.wait_for(lambda: self._ledger.queue_depth > 0)
            return self._ledger.start_next("starting")

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            job = await self._next_job()
            try:
                outcome = await loop.run_in_executor(self._executor, self._supervise, job)
            except asyncio.CancelledError:
                self._ledger.finish(job, Stopped(), message="service stopped")
                raise
            self._ledger.finish(
                job, Done(outcome.result) if isinstance(outcome, Finished) else outcome
            )

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
