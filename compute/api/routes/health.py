"""GET /healthz: open without a token, so probes and the bot can tell 'down' from 'refused'."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request

from compute.api.deps import JobsDep
from compute.schemas import Health
from compute.version import service_version

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(request: Request, jobs: JobsDep) -> Health:
    load = await jobs.load()
    warming: asyncio.Task[str] | None = request.app.state.warming
    return Health(
        version=service_version(),
        device=jobs.device,
        workers=load.workers,
        running=load.running,
        queue_depth=load.queue_depth,
        queue_capacity=load.queue_capacity,
        warming_up=warming is not None and not warming.done(),
    )
