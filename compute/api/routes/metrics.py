"""GET /metrics: Prometheus text, behind the service's bearer token like every route but
/healthz (a scraper sends it as `authorization: Bearer …`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response, status

from compute.api.deps import JobsDep, require_token
from compute.metrics import DEMO_QUEUE_DEPTH, DEMO_RUNNING, PROMETHEUS_CONTENT_TYPE, exposition
from compute.schemas import ErrorBody

router = APIRouter(tags=["metrics"], dependencies=[Depends(require_token)])


@router.get(
    "/metrics",
    response_class=Response,
    responses={status.HTTP_401_UNAUTHORIZED: {"model": ErrorBody}},
)
async def metrics(jobs: JobsDep) -> Response:
    load = await jobs.load()
    DEMO_QUEUE_DEPTH.set(load.queue_depth)
    DEMO_RUNNING.set(load.running)
    return Response(exposition(), media_type=PROMETHEUS_CONTENT_TYPE)
