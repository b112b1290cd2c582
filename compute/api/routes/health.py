"""GET /healthz: open without a token, so probes and the bot can tell 'down' from 'refused'."""

from __future__ import annotations

from fastapi import APIRouter

from compute.api.deps import JobsDep
from compute.schemas import Health
from compute.version import service_version

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(jobs: JobsDep) -> Health:
    load = await jobs.load()
    return Health(
        version=service_version(),
        device=jobs.device,
        workers=load.workers,
        running=load.running,
        queue_depth=load.queue_depth,
        queue_capacity=load.queue_capacity,
    )
