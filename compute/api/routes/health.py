"""GET /healthz: open without a token, so probes and the bot can tell 'down' from 'refused'."""

from __future__ import annotations

from fastapi import APIRouter

from compute.api.deps import JobsDep
from compute.schemas import Health
from compute.version import service_version

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(jobs: JobsDep) -> Health:
    return Health(
        version=service_version(),
        device=jobs.device,
        workers=jobs.workers,
        running=jobs.running,
        queue_depth=jobs.queue_depth,
        queue_capacity=jobs.config.queue_size,
    )
