"""The core's demo port (`DemoService`) over the compute service's client: the service's schemas
become the core's demo records and its errors the core's, so the platform-free core imports
nothing of `compute`. The composition root (`bot/app.py`) wraps the configured client in it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Protocol

from bot.core.demo_records import (
    Demo,
    DemoBusyError,
    DemoError,
    DemoFailedError,
    DemoParamsRefusedError,
    DemoServiceDownError,
    DemoStatus,
    DemoTicket,
    ParamProblem,
    ParamValue,
    UnknownDemoError,
)
from compute.errors import (
    ComputeBusy,
    ComputeError,
    ComputeUnavailable,
    InvalidParams,
    JobFailed,
    UnknownDemo,
)
from compute.schemas import DemoInfo, JobStatus, JobTicket


class ComputeDemoClient(Protocol):
    """What the adapter needs of a compute client: `compute.client.ComputeClient`, or the
    service started in this process on first use (`compute.on_demand.OnDemandService`)."""

    async def demos(self) -> list[DemoInfo]: ...

    async def submit(
        self, demo: str, params: Mapping[str, ParamValue] | None = None
    ) -> JobTicket: ...

    async def wait(
        self,
        job_id: str,
        on_progress: Callable[[JobStatus], Awaitable[None]] | None = None,
        *,
        poll: float = 0.5,
        timeout: float = 300.0,  # noqa: ASYNC109 (on timeout the job is also cancelled)
    ) -> JobStatus: ...

    async def image(self, url: str) -> bytes: ...


def demo_error(exc: ComputeError) -> DemoError:
    """The core's error for one the compute client raised, its message kept for the log."""
    if isinstance(exc, UnknownDemo):
        return UnknownDemoError(exc.message, tuple(exc.known))
    if isinstance(exc, InvalidParams):
        problems = tuple(ParamProblem(e.field, e.message, e.problem, e.limit) for e in exc.errors)
        return DemoParamsRefusedError(exc.message, problems, exc.more)
    if isinstance(exc, ComputeBusy):
        return DemoBusyError(exc.message, exc.retry_after)
    if isinstance(exc, JobFailed):
        return DemoFailedError(exc.message, exc.waited)
    if isinstance(exc, ComputeUnavailable):
        return DemoServiceDownError(exc.message)
    return DemoError(exc.message)


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except ComputeError as exc:
        raise demo_error(exc) from exc


def demo_status(status: JobStatus) -> DemoStatus:
    return DemoStatus(
        status=status.status,
        progress=status.progress,
        message=status.message,
        summary=status.summary,
        images=tuple(status.images),
    )


class ComputeDemos:
    """The core's `DemoService` on a compute client."""

    def __init__(self, client: ComputeDemoClient) -> None:
        self.client = client

    async def demos(self) -> list[Demo]:
        with _translated():
            offered = await self.client.demos()
        return [Demo(d.name, d.title, d.expected_seconds) for d in offered]

    async def submit(self, demo: str, params: Mapping[str, ParamValue] | None = None) -> DemoTicket:
        with _translated():
            ticket = await self.client.submit(demo, params)
        return DemoTicket(ticket.id, ticket.queue_position)

    async def wait(
        self,
        job_id: str,
        on_progress: Callable[[DemoStatus], Awaitable[None]] | None = None,
        *,
        poll: float = 0.5,
        timeout: float = 300.0,  # noqa: ASYNC109 (on timeout the job is also cancelled)
    ) -> DemoStatus:
        async def progressed(status: JobStatus) -> None:
            if on_progress is not None:
                await on_progress(demo_status(status))

        with _translated():
            status = await self.client.wait(
                job_id, progressed if on_progress else None, poll=poll, timeout=timeout
            )
        return demo_status(status)

    async def image(self, url: str) -> bytes:
        with _translated():
            return await self.client.image(url)
