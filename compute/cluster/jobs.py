"""`RayJobs`, the `ray` JobRunner of one compute front end: every call goes to the job board in
the cluster, and figures are fetched from Ray's object store when a poller asks for them.

Stopping a front end leaves the board and its jobs alone (other front ends may be serving them);
only a Ray instance this front end started itself goes down with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import ray
from ray import ObjectRef

from compute.catalog import Demo, DemoParams, DemoResult
from compute.cluster.board import BOARD_NAME, BoardLimits, Full, JobBoard, Posted
from compute.cluster.connect import connect
from compute.config import ServiceConfig
from compute.job_runner import JobView, Load, QueueFullError, UnknownJobError
from compute.result_cache import cache_key

log = logging.getLogger("quizmaster.compute")

T = TypeVar("T")


async def fetch(ref: ObjectRef[Any]) -> Any:
    """The value behind `ref`, awaited on the running loop (whichever thread runs it)."""
    return await asyncio.wrap_future(ref.future())


class RayJobs:
    """Implements `compute.job_runner.JobRunner` on the cluster's job board."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.device = "ray/cuda" if config.demo_gpus > 0 else "ray/cpu"
        self._board: Any = None
        self._owns_ray = False

    async def start(self) -> None:
        """Join (or start) Ray, then find the namespace's job board or create it."""
        self._owns_ray = connect(self.config.ray_address)
        cluster: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
        limits = BoardLimits.of(self.config, cluster)
        self._board = JobBoard.options(  # type: ignore[attr-defined]
            name=BOARD_NAME,
            namespace=self.config.ray_namespace,
            lifetime="detached",
            get_if_exists=True,
        ).remote(limits)
        serving: BoardLimits = await fetch(self._board.get_limits.remote())
        if serving != limits:
            log.info("ray: the job board was created by another front end; its limits hold")
        log.info(
            "compute on ray: %d demo(s) at once, %g CPU and %g GPU each, queue %d, namespace %s",
            serving.workers,
            serving.demo_cpus,
            serving.demo_gpus,
            serving.queue_size,
            self.config.ray_namespace,
        )

    async def stop(self) -> None:
        if self._owns_ray:
            await asyncio.to_thread(ray.shutdown)

    async def submit(self, demo: Demo, params: DemoParams) -> JobView:
        answer = await self._call(lambda b: b.submit.remote(demo, params, cache_key(demo, params)))
        if isinstance(answer, Full):
            raise QueueFullError(answer.retry_after)
        return await self._with_result(answer)

    async def view(self, job_id: str) -> JobView:
        return await self._with_result(await self._call(lambda b: b.view.remote(job_id)), job_id)

    async def cancel(self, job_id: str) -> JobView:
        posted = await self._call(lambda b: b.cancel.remote(job_id))
        return await self._with_result(posted, job_id)

    async def load(self) -> Load:
        load: Load = await self._call(lambda b: b.load.remote())
        return load

    async def _call(self, method: Callable[[Any], ObjectRef[T]]) -> T:
        if self._board is None:
            raise RuntimeError("RayJobs.start() has not run")
        value: T = await fetch(method(self._board))
        return value

    async def _with_result(self, posted: Posted | None, job_id: str = "") -> JobView:
        if posted is None:
            raise UnknownJobError(job_id)
        if posted.result is None:
            return posted.view
        result: DemoResult = await fetch(posted.result)
        return replace(posted.view, result=result)
