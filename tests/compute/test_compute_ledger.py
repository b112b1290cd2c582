"""The job ledger's rules as a client of the real service sees them (local backend): finished
jobs are forgotten past their time to live and beyond the record cap, oldest first; a full
queue's Retry-After is the backlog's expected seconds over the workers; a cancel returns as soon
as the running job has ended."""

from __future__ import annotations

import asyncio
import math

import httpx
import pytest

from compute.client import ComputeClient
from compute.errors import JobNotFound
from compute.schemas import JobStatus
from tests.compute.compute_fakes import FAKE_DEMOS
from tests.compute.fake_service import fake_service

POLITE_SLEEP_S = FAKE_DEMOS["polite-sleep"].expected_seconds


async def _until(client: ComputeClient, job_id: str, state: str) -> JobStatus:
    """Poll until the job reaches `state`; fail the test after about 20 s."""
    for _ in range(400):
        status = await client.job(job_id)
        if status.status == state:
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {state}: {status}")


async def _done(client: ComputeClient, steps: int) -> str:
    """A quick job with its own parameters (never from the cache), run to the end."""
    job = await client.submit("quick", {"steps": steps})
    return (await client.wait(job.id, poll=0.05)).id


async def test_finished_jobs_beyond_the_record_cap_are_forgotten_oldest_first() -> None:
    async with fake_service(job_records=2) as url, ComputeClient(url) as client:
        first, second, third = [await _done(client, steps) for steps in (1, 2, 3)]
        assert (await client.job(first)).status == "done", "nothing is forgotten before a submit"
        await client.wait((await client.submit("quick", {"steps": 4})).id, poll=0.05)
        with pytest.raises(JobNotFound):
            await client.job(first)
        kept = [await client.job(job_id) for job_id in (second, third)]
    assert [status.status for status in kept] == ["done", "done"]


async def test_finished_jobs_past_their_time_to_live_are_forgotten() -> None:
    ttl = 3.0
    async with fake_service(cache_ttl_s=ttl) as url, ComputeClient(url) as client:
        old = await _done(client, 1)
        await asyncio.sleep(ttl + 0.5)
        recent = await _done(client, 2)
        with pytest.raises(JobNotFound):
            await client.job(old)
        assert (await client.job(recent)).status == "done"


async def test_retry_after_is_the_backlog_over_the_workers() -> None:
    async with (
        fake_service(workers=2, queue_size=1, cancel_grace_s=0.5) as url,
        ComputeClient(url) as client,
    ):
        running = [await client.submit("polite-sleep", {"seconds": s}) for s in (20, 21)]
        for job in running:
            await _until(client, job.id, "running")
        waiting = await client.submit("polite-sleep", {"seconds": 22})
        async with httpx.AsyncClient(base_url=url) as http:
            response = await http.post("/jobs", json={"demo": "quick"})
        elapsed = [(await client.job(job.id)).elapsed_s or 0.0 for job in running]
        for job in (waiting, *running):
            await client.cancel(job.id)
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    # Each demo is expected to take POLITE_SLEEP_S: the waiting one in full, the running ones
    # less what they have run; two workers share it.
    most = math.ceil(3 * POLITE_SLEEP_S / 2)
    least = math.ceil((3 * POLITE_SLEEP_S - sum(elapsed)) / 2)
    assert least <= retry_after <= most


async def test_a_cancel_returns_when_the_running_job_has_ended() -> None:
    # A long grace: a cancel that waited it out instead of the job's end would take a minute.
    async with fake_service(cancel_grace_s=60.0) as url, ComputeClient(url) as client:
        job = await client.submit("polite-sleep", {})
        await _until(client, job.id, "running")
        stopped = await asyncio.wait_for(client.cancel(job.id), timeout=20)
    assert stopped.status == "cancelled"
