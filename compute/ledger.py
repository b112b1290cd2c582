"""The job ledger both backends keep: job records, the bounded queue, the running set, the result
cache, the Retry-After estimate and the forgetting of old records.

The local runner and the Ray job board differ only in how a job runs (a process of this service,
or a Ray task) and what a result is (the figures, or an object-store reference to them); keeping
their queue rules here means the two cannot drift apart.
"""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from compute.catalog import Demo, DemoParams, DemoResult
from compute.job_runner import JobView, Load, QueueFullError
from compute.metrics import DEMO_JOBS
from compute.result_cache import ResultCache
from compute.schemas import JobState
from compute.worker import Failed, Stopped

log = logging.getLogger("quizmaster.compute")

Result = TypeVar("Result")


@dataclass(frozen=True)
class Done(Generic[Result]):
    """A job's successful end, with what the backend keeps as its result."""

    result: Result


End = Done[Result] | Failed | Stopped


@dataclass(eq=False)
class JobRecord(Generic[Result]):
    """One request's life as both backends track it; each adds what its way of running needs."""

    id: str
    demo: Demo
    params: DemoParams
    key: str
    created_at: float
    state: JobState = "queued"
    progress: float = 0.0
    message: str = "queued"
    result: Result | None = None
    error: str | None = None
    cached: bool = False
    started_at: float | None = None
    finished_at: float | None = None
    finished: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def elapsed_s(self) -> float | None:
        if self.started_at is None:
            return None
        return (self.finished_at or time.monotonic()) - self.started_at


Record = TypeVar("Record", bound=JobRecord[Any])


class LedgerLimits(Protocol):
    """The service limits a ledger keeps (`ServiceConfig`, or the Ray board's copy of them)."""

    @property
    def queue_size(self) -> int: ...

    @property
    def job_records(self) -> int: ...

    @property
    def cache_entries(self) -> int: ...

    @property
    def cache_ttl_s(self) -> float: ...


class JobLedger(Generic[Record, Result]):
    """Who waits, who runs, what finished and what is cached; not thread-safe (the event loop
    owns it). `record` makes a backend's job records; `workers` demos run at once."""

    def __init__(self, record: type[Record], limits: LedgerLimits, *, workers: int) -> None:
        self.workers = workers
        self.queue_size = limits.queue_size
        self._record = record
        self._job_records = limits.job_records
        self._ttl_s = limits.cache_ttl_s
        self._cache: ResultCache[Result] = ResultCache(
            max_entries=limits.cache_entries, ttl_s=limits.cache_ttl_s
        )
        self._jobs: dict[str, Record] = {}
        self._pending: deque[Record] = deque()
        self._running: set[Record] = set()

    @property
    def queue_depth(self) -> int:
        return len(self._pending)

    @property
    def running(self) -> int:
        return len(self._running)

    def load(self) -> Load:
        return Load(self.workers, self.running, self.queue_depth, self.queue_size)

    def admit(self, demo: Demo, params: DemoParams, key: str) -> Record:
        """The record of a new request: finished at once from the cache, else queued. Raises
        QueueFullError, recording nothing, when the queue has no room."""
        self._prune()
        job = self._record(secrets.token_hex(8), demo, params, key, created_at=time.monotonic())
        cached = self._cache.get(key)
        if cached is not None:
            job.cached = True
            job.started_at = job.created_at
            self._jobs[job.id] = job
            self.finish(job, Done(cached), message="cached")
            return job
        if len(self._pending) >= self.queue_size:
            raise QueueFullError(self.retry_after())
        self._pending.append(job)
        self._jobs[job.id] = job
        log.info("job %s queued: %s %s", job.id, demo.name, params.model_dump_json())
        return job

    def get(self, job_id: str) -> Record | None:
        return self._jobs.get(job_id)

    def start_next(self, message: str) -> Record:
        """Move the longest-waiting job into a worker slot (there must be one waiting)."""
        job = self._pending.popleft()
        job.state = "running"
        job.started_at = time.monotonic()
        job.message = message
        self._running.add(job)
        return job

    def withdraw(self, job: Record) -> None:
        """Take a waiting job out of the queue: it ends cancelled."""
        self._pending.remove(job)
        self.finish(job, Stopped())

    def withdraw_all(self, message: str) -> None:
        """End every waiting job cancelled with `message` (the service is stopping)."""
        for job in self._pending:
            self.finish(job, Stopped(), message=message)
        self._pending.clear()

    def finish(self, job: Record, end: End[Result], *, message: str | None = None) -> None:
        """Give a job its end state (once: a later call changes nothing); a result that was not
        itself from the cache goes into it."""
        self._running.discard(job)
        if job.finished.is_set():
            return
        job.finished_at = time.monotonic()
        if isinstance(end, Done):
            job.state, job.result, job.progress = "done", end.result, 1.0
            job.message = message or "done"
            if not job.cached:
                self._cache.put(job.key, end.result)
        elif isinstance(end, Failed):
            job.state, job.error, job.message = "failed", end.error, message or "failed"
            log.warning("job %s (%s) failed: %s", job.id, job.demo.name, end.error)
        else:
            job.state, job.message = "cancelled", message or "cancelled"
        job.finished.set()
        DEMO_JOBS.labels(demo=job.demo.name, outcome="cached" if job.cached else job.state).inc()
        if not job.cached:
            log.info("job %s %s after %.1f s", job.id, job.state, job.elapsed_s or 0.0)

    def view(self, job: Record, *, result: DemoResult | None) -> JobView:
        """The job as a poller sees it now; `result` is its figures where the caller has them."""
        return JobView(
            id=job.id,
            demo=job.demo.name,
            params=job.params.model_dump(),
            state=job.state,
            queue_position=self.queue_position(job),
            progress=job.progress,
            message=job.message,
            result=result,
            error=job.error,
            cached=job.cached,
            elapsed_s=job.elapsed_s,
        )

    def queue_position(self, job: Record) -> int:
        """1 for the next job to start; 0 once it runs or has finished."""
        if job.state != "queued":
            return 0
        return next((i + 1 for i, j in enumerate(self._pending) if j is job), 0)

    def retry_after(self) -> int:
        """Seconds until a slot frees up, from the demos' expected run times."""
        now = time.monotonic()
        backlog = sum(j.demo.expected_seconds for j in self._pending)
        backlog += sum(
            max(1.0, j.demo.expected_seconds - (now - (j.started_at or now))) for j in self._running
        )
        return max(1, math.ceil(backlog / self.workers))

    def _prune(self) -> None:
        """Forget finished jobs past their time-to-live, and the oldest beyond the record cap."""
        now = time.monotonic()
        finished = [j for j in self._jobs.values() if j.finished_at is not None]
        finished.sort(key=lambda j: j.finished_at or 0.0)
        excess = len(finished) - self._job_records
        for i, job in enumerate(finished):
            if i < excess or now - (job.finished_at or now) > self._ttl_s:
                del self._jobs[job.id]
