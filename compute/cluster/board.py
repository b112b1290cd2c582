"""The job board: one detached, named Ray actor per namespace that holds every job's state, the
queue and the result cache, so any compute front end answers for any job and a front end that
dies loses nothing.

It keeps the same job ledger as the local runner (`compute.ledger`): at most `workers` demos in
flight (each a Ray task asking for `demo_cpus` and `demo_gpus`), a bounded queue behind them, a
Retry-After estimate when it is full, finished records kept for polling until they expire.
Results stay in Ray's object store: the board holds only references, which is also what its
result cache maps to.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ray
from ray import ObjectRef

from compute.catalog import Demo, DemoParams
from compute.cluster.task import DemoRun, Report, run_demo_task
from compute.config import ServiceConfig
from compute.job_runner import JobView, Load, QueueFullError
from compute.ledger import Done, JobLedger, JobRecord
from compute.worker import Failed, Stopped

BOARD_NAME = "quizmaster-jobs"
_WATCH_S = 0.25
_START_SLACK_S = 5.0
_WORKER_WAIT_S = 60.0
"""Least time a demo may wait for a Ray worker with its resources (one may have to start)."""


@dataclass(frozen=True)
class BoardLimits:
    """The service limits the board enforces, fixed by the front end that created it."""

    workers: int
    queue_size: int
    job_timeout_s: float
    cancel_grace_s: float
    cache_entries: int
    cache_ttl_s: float
    job_records: int
    demo_cpus: float
    demo_gpus: float

    @classmethod
    def of(cls, config: ServiceConfig, cluster: Mapping[str, float]) -> BoardLimits:
        """`config`'s limits; unset workers: as many demos as the cluster's CPUs (and GPUs,
        when demos ask for them) hold at once."""
        workers = config.workers
        if workers is None:
            fits = [cluster.get("CPU", 1.0) / config.demo_cpus]
            if config.demo_gpus > 0:
                fits.append(cluster.get("GPU", 0.0) / config.demo_gpus)
            workers = max(1, min(32, math.floor(min(fits) + 1e-9)))
        return cls(
            workers=workers,
            queue_size=config.queue_size,
            job_timeout_s=config.job_timeout_s,
            cancel_grace_s=config.cancel_grace_s,
            cache_entries=config.cache_entries,
            cache_ttl_s=config.cache_ttl_s,
            job_records=config.job_records,
            demo_cpus=config.demo_cpus,
            demo_gpus=config.demo_gpus,
        )

    @property
    def threads(self) -> int:
        """torch threads for one demo: the CPUs it asked Ray for."""
        return max(1, math.floor(self.demo_cpus))


@dataclass(frozen=True)
class Posted:
    """A job as the board sees it; `result` is the object-store reference of its figures."""

    view: JobView
    result: ObjectRef[object] | None


@dataclass(frozen=True)
class Full:
    """The queue had no room; try again in `retry_after` seconds."""

    retry_after: int


@dataclass(eq=False)
class BoardJob(JobRecord[ObjectRef[object]]):
    """A job on the board; `result` is the object-store reference of its figures."""

    began_at: float | None = None
    task: ObjectRef[object] | None = None
    cancel_requested: bool = False


@ray.remote(num_cpus=0)
class JobBoard:
    """Async actor: every method runs on its event loop, so no locks are needed."""

    def __init__(self, limits: BoardLimits) -> None:
        self.limits = limits
        self._ledger: JobLedger[BoardJob, ObjectRef[object]] = JobLedger(
            BoardJob, limits, workers=limits.workers
        )
        self._watchers: set[asyncio.Task[None]] = set()

    async def get_limits(self) -> BoardLimits:
        return self.limits

    async def submit(self, demo: Demo, params: DemoParams, key: str) -> Posted | Full:
        try:
            job = self._ledger.admit(demo, params, key)
        except QueueFullError as exc:
            return Full(exc.retry_after)
        posted = self._posted(job)  # as submitted: the local runner answers before a slot takes it
        self._fill_slots()
        return posted

    async def view(self, job_id: str) -> Posted | None:
        job = self._ledger.get(job_id)
        return None if job is None else self._posted(job)

    async def cancel(self, job_id: str) -> Posted | None:
        job = self._ledger.get(job_id)
        if job is None:
            return None
        if job.state == "queued":
            self._ledger.withdraw(job)
        elif job.state == "running" and job.task is not None:
            job.cancel_requested = True
            job.message = "cancelling"
            ray.cancel(job.task)
            if not await self._ended(job, self.limits.cancel_grace_s + 2.0):
                ray.cancel(job.task, force=True)
                await self._ended(job, 3.0)
        return self._posted(job)

    async def load(self) -> Load:
        return self._ledger.load()

    async def started(self, job_id: str) -> None:
        """Called by the demo's task once a Ray worker runs it."""
        job = self._ledger.get(job_id)
        if job is not None and job.state == "running":
            job.began_at = time.monotonic()
            job.message = "starting"

    async def progress(self, job_id: str, fraction: float, message: str) -> None:
        """Called by the demo's task for each progress report (a few per second at most)."""
        job = self._ledger.get(job_id)
        if job is not None and job.state == "running" and not job.cancel_requested:
            job.progress, job.message = fraction, message

    def _posted(self, job: BoardJob) -> Posted:
        return Posted(self._ledger.view(job, result=None), job.result)

    def _fill_slots(self) -> None:
        while self._ledger.queue_depth and self._ledger.running < self.limits.workers:
            job = self._ledger.start_next("waiting for a Ray worker")
            watcher = asyncio.create_task(self._run(job))
            self._watchers.add(watcher)
            watcher.add_done_callback(self._watchers.discard)

    async def _run(self, job: BoardJob) -> None:
        """Start the job's task and wait for its end, keeping the time limit as a backstop."""
        me = ray.get_runtime_context().current_actor
        refs: Any = run_demo_task.options(
            num_cpus=self.limits.demo_cpus,
            num_gpus=self.limits.demo_gpus,
            name=f"demo-{job.demo.name}",
        ).remote(
            DemoRun(
                job.id,
                job.demo,
                job.params,
                threads=self.limits.threads,
                timeout_s=self.limits.job_timeout_s,
                cancel_grace_s=self.limits.cancel_grace_s,
            ),
            me,
        )
        report_ref, result_ref = refs  # num_returns=2: one reference per returned value
        job.task = report_ref
        try:
            report = await self._report(job, report_ref)
        except Exception as exc:  # a Ray error: the task's worker died, or a forced cancel
            report = Stopped() if job.cancel_requested else Failed(_ray_failure(exc))
        self._ledger.finish(job, Done(result_ref) if report is None else report)
        self._fill_slots()

    async def _report(self, job: BoardJob, ref: ObjectRef[object]) -> Report:
        pending = asyncio.wrap_future(ref.future())
        limit = self.limits.job_timeout_s
        wait_limit = max(_WORKER_WAIT_S, limit)
        while True:
            done, _ = await asyncio.wait({pending}, timeout=_WATCH_S)
            if done:
                report = pending.result()
                assert report is None or isinstance(report, Failed | Stopped)
                return report
            now = time.monotonic()
            began, started = job.began_at, job.started_at or now
            if began is None and now - started > wait_limit:
                ray.cancel(ref, force=True)
                return Failed(
                    f"no Ray worker with {self.limits.demo_cpus:g} CPU and "
                    f"{self.limits.demo_gpus:g} GPU came free within {wait_limit:g} s"
                )
            if began is not None and now - began > limit + self.limits.cancel_grace_s + (
                _START_SLACK_S
            ):
                ray.cancel(ref, force=True)
                return Failed(f"time limit exceeded: stopped after {limit:g} s")

    async def _ended(self, job: BoardJob, within_s: float) -> bool:
        try:
            await asyncio.wait_for(job.finished.wait(), within_s)
        except TimeoutError:
            return False
        return True


def _ray_failure(exc: Exception) -> str:
    """A Ray error in words for the job's error line (its first line; Ray's are long)."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"the demo's Ray task failed ({type(exc).__name__}): {first[:200]}"
