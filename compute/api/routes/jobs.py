"""/jobs: submit, poll, fetch images, cancel."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Response, status

from compute.api.deps import DemosDep, JobsDep, require_token
from compute.api.errors import UnknownDemoError
from compute.job_runner import JobView
from compute.params import parse_params
from compute.schemas import ErrorBody, JobRequest, JobStatus, JobTicket
from content.schema import Localized

router = APIRouter(tags=["jobs"], dependencies=[Depends(require_token)])

_ERRORS: dict[int | str, dict[str, object]] = {
    status.HTTP_401_UNAUTHORIZED: {"model": ErrorBody},
    status.HTTP_404_NOT_FOUND: {"model": ErrorBody},
}


def image_url(job_id: str, index: int) -> str:
    return f"/jobs/{job_id}/images/{index}.png"


def job_status(job: JobView) -> JobStatus:
    result = job.result
    return JobStatus(
        id=job.id,
        demo=job.demo,
        params=job.params,
        status=job.state,
        queue_position=job.queue_position,
        progress=job.progress,
        message=job.message,
        summary=(
            Localized(ko=result.summary_ko, en=result.summary_en)
            if result and result.summary_ko and result.summary_en
            else None
        ),
        metrics=dict(result.metrics) if result else {},
        images=[image_url(job.id, i) for i in range(len(result.images))] if result else [],
        error=job.error,
        cached=job.cached,
        elapsed_s=job.elapsed_s,
    )


@router.post(
    "/jobs",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        **_ERRORS,
        status.HTTP_422_UNPROCESSABLE_CONTENT: {"model": ErrorBody},
        status.HTTP_429_TOO_MANY_REQUESTS: {"model": ErrorBody},
    },
)
async def submit_job(request: JobRequest, jobs: JobsDep, demos: DemosDep) -> JobTicket:
    demo = demos.get(request.demo)
    if demo is None:
        raise UnknownDemoError(request.demo, demos)
    job = await jobs.submit(demo, parse_params(demo, request.params))
    return JobTicket(
        id=job.id, status=job.state, queue_position=job.queue_position, cached=job.cached
    )


@router.get("/jobs/{job_id}", responses=_ERRORS)
async def get_job(job_id: str, jobs: JobsDep) -> JobStatus:
    return job_status(await jobs.view(job_id))


@router.get(
    "/jobs/{job_id}/images/{index}.png",
    response_class=Response,
    responses={**_ERRORS, 200: {"content": {"image/png": {}}}},
)
async def get_image(job_id: str, index: int, jobs: JobsDep) -> Response:
    job = await jobs.view(job_id)
    images = job.result.images if job.result else []
    if not 0 <= index < len(images):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"job {job_id} has no image {index} (it has {len(images)})"
        )
    return Response(
        images[index], media_type="image/png", headers={"Cache-Control": "private, max-age=3600"}
    )


@router.delete("/jobs/{job_id}", responses=_ERRORS)
async def cancel_job(job_id: str, jobs: JobsDep) -> JobStatus:
    """Queued: removed at once. Running: asked to stop, killed after a grace period."""
    return job_status(await jobs.cancel(job_id))
