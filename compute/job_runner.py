"""What the API needs from a job runner, whichever backend runs the demos.

The routes see only `JobRunner` and plain `JobView` snapshots: the local runner answers from its
own memory, the Ray runner from the job board in the cluster, so any front end can answer for a
job another one took.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from compute.catalog import Demo, DemoParams, DemoResult
from compute.schemas import JobState, ParamValue


class QueueFullError(Exception):
    """No room in the queue; `retry_after` estimates in seconds when there will be."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"the job queue is full; retry in about {retry_after} s")


class UnknownJobError(KeyError):
    """No job with that id (never submitted, or expired)."""


@dataclass(frozen=True)
class JobView:
    """One job as a poller sees it at one moment."""

    id: str
    demo: str
    params: dict[str, ParamValue]
    state: JobState
    queue_position: int
    progress: float
    message: str
    result: DemoResult | None
    error: str | None
    cached: bool
    elapsed_s: float | None


@dataclass(frozen=True)
class Load:
    """How busy the runner is, for /healthz."""

    workers: int
    running: int
    queue_depth: int
    queue_capacity: int


class JobRunner(Protocol):
    """The job API's backend: `local` (JobManager) or `ray` (compute.cluster.jobs.RayJobs)."""

    @property
    def device(self) -> str:
        """Where demos run, as /healthz shows it."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def submit(self, demo: Demo, params: DemoParams) -> JobView:
        """A new job, done at once from the result cache or queued; QueueFullError if no room."""
        ...

    async def view(self, job_id: str) -> JobView:
        """The job now; UnknownJobError if there is none."""
        ...

    async def cancel(self, job_id: str) -> JobView:
        """Drop a queued job, or stop a running one (waiting briefly until it has)."""
        ...

    async def load(self) -> Load: ...
