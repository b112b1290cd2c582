"""The job ledger's rules as a client of the real service sees them (local backend): finished
jobs are forgotten past their time to live and beyond the record cap, oldest first; a full
queue's Retry-After is the backlog's expected seconds over the workers; a cancel returns as soon
as the running job has ended. Then the ledger on its own, driven as both backends drive it."""

from __future__ import annotations

import asyncio
import math
import time

import httpx
import pytest
from prometheus_client import REGISTRY

from compute.catalog import Demo, DemoResult
from compute.client import ComputeClient
from compute.config import ServiceConfig
from compute.errors import JobNotFound
from compute.job_runner import Load, QueueFullError
from compute.ledger import Done, JobLedger, JobRecord
from compute.schemas import JobStatus
from compute.worker import Failed, Stopped
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


# The ledger on its own: the queue's order and positions, each end's state and message, the
# cache hit, Retry-After's arithmetic and the forgetting of old records.

QUICK = FAKE_DEMOS["quick"]
SLEEP = FAKE_DEMOS["polite-sleep"]


def _ledger(
    workers: int = 1, *, queue_size: int = 16, job_records: int = 256, cache_ttl_s: float = 3600.0
) -> JobLedger[JobRecord[str], str]:
    limits = ServiceConfig(queue_size=queue_size, job_records=job_records, cache_ttl_s=cache_ttl_s)
    return JobLedger(JobRecord, limits, workers=workers)


def _admit(ledger: JobLedger[JobRecord[str], str], key: str, demo: Demo = QUICK) -> JobRecord[str]:
    return ledger.admit(demo, demo.params(), key)


def test_jobs_wait_in_order_and_start_longest_waiting_first() -> None:
    ledger = _ledger(workers=3, queue_size=5)
    first, second, third = (_admit(ledger, key) for key in "abc")
    assert [ledger.queue_position(job) for job in (first, second, third)] == [1, 2, 3]
    assert ledger.load() == Load(workers=3, running=0, queue_depth=3, queue_capacity=5)
    assert (first.state, first.message, first.elapsed_s) == ("queued", "queued", None)
    started = ledger.start_next("warming up")
    assert started is first and ledger.get(first.id) is first
    assert (first.state, first.message, ledger.queue_position(first)) == (
        "running",
        "warming up",
        0,
    )
    assert first.elapsed_s is not None and first.elapsed_s >= 0.0
    assert [ledger.queue_position(job) for job in (second, third)] == [1, 2]
    assert ledger.load() == Load(workers=3, running=1, queue_depth=2, queue_capacity=5)
    ledger.withdraw(second)
    assert (second.state, second.message) == ("cancelled", "cancelled")
    assert ledger.queue_position(third) == 1 and ledger.queue_depth == 1


def test_each_end_sets_its_state_and_message_once() -> None:
    ledger = _ledger(workers=3)
    done, failed, stopped = (_admit(ledger, key) for key in "abc")
    for job in (done, failed, stopped):
        assert ledger.start_next("running") is job
    ledger.finish(done, Done("figures"))
    ledger.finish(failed, Failed("the loss is NaN"))
    ledger.finish(stopped, Stopped(), message="stopping")
    assert (done.state, done.message, done.result, done.progress) == (
        "done",
        "done",
        "figures",
        1.0,
    )
    assert (failed.state, failed.message, failed.error) == ("failed", "failed", "the loss is NaN")
    assert (stopped.state, stopped.message) == ("cancelled", "stopping")
    assert ledger.running == 0 and all(job.finished.is_set() for job in (done, failed, stopped))
    assert done.finished_at is not None and done.started_at is not None
    assert done.elapsed_s == done.finished_at - done.started_at
    finished_at = done.finished_at
    ledger.finish(done, Failed("late"), message="late")
    assert (done.state, done.message, done.error, done.finished_at) == (
        "done",
        "done",
        None,
        finished_at,
    )
    view = ledger.view(failed, result=None)
    assert (view.id, view.demo, view.state, view.queue_position) == (
        failed.id,
        "quick",
        "failed",
        0,
    )
    assert (view.message, view.error, view.cached, view.progress) == (
        "failed",
        "the loss is NaN",
        False,
        0.0,
    )
    assert view.params == QUICK.params().model_dump()
    assert view.elapsed_s == failed.elapsed_s
    figures = DemoResult(images=[], metrics={"loss": 0.1}, summary_ko="", summary_en="")
    assert ledger.view(done, result=figures).result is figures


def _ended(demo: str, outcome: str) -> float:
    """How many jobs of `demo` /metrics counts as ended with `outcome`."""
    labels = {"demo": demo, "outcome": outcome}
    return REGISTRY.get_sample_value("quizmaster_compute_demo_jobs_total", labels) or 0.0


def test_a_repeated_request_finishes_at_once_from_the_cache() -> None:
    done, cached = _ended("quick", "done"), _ended("quick", "cached")
    ledger = _ledger()
    job = _admit(ledger, "same")
    ledger.start_next("running")
    ledger.finish(job, Done("figures"), message="trained")
    assert job.message == "trained" and not job.cached
    repeat = _admit(ledger, "same")
    assert (repeat.state, repeat.message, repeat.result, repeat.cached) == (
        "done",
        "cached",
        "figures",
        True,
    )
    assert repeat.started_at == repeat.created_at and repeat.finished.is_set()
    assert repeat.elapsed_s is not None and 0.0 <= repeat.elapsed_s < 1.0
    assert ledger.get(repeat.id) is repeat and ledger.queue_depth == 0
    assert ledger.view(repeat, result=None).cached is True
    assert (_ended("quick", "done"), _ended("quick", "cached")) == (done + 1, cached + 1)


def test_a_full_queue_refuses_recording_nothing_with_the_backlog_over_the_workers() -> None:
    ledger = _ledger(workers=2, queue_size=2)
    running = _admit(ledger, "a", SLEEP)
    ledger.start_next("running")
    waiting = [_admit(ledger, key, SLEEP) for key in "bc"]
    with pytest.raises(QueueFullError) as refused:
        _admit(ledger, "d", SLEEP)
    # Two waiting in full and one just started: (30 + 30 + 30 - a moment) / 2 workers.
    assert refused.value.retry_after == math.ceil(3 * SLEEP.expected_seconds / 2)
    assert ledger.queue_depth == 2 and ledger.running == 1
    ledger.withdraw_all("the service is stopping")
    assert [(job.state, job.message) for job in waiting] == [
        ("cancelled", "the service is stopping"),
        ("cancelled", "the service is stopping"),
    ]
    assert ledger.queue_depth == 0 and running.state == "running"


def test_a_job_running_past_its_expected_time_still_counts_a_second() -> None:
    ledger = _ledger(workers=1, queue_size=3)
    for key in "abc":
        _admit(ledger, key, SLEEP)
        ledger.start_next("running").started_at = time.monotonic() - 2 * SLEEP.expected_seconds
    assert ledger.retry_after() == 3
    assert _ledger(workers=4).retry_after() == 1


def test_finished_records_are_forgotten_oldest_first_beyond_the_cap_at_the_next_admit() -> None:
    ledger = _ledger(workers=3, job_records=2)
    jobs = [_admit(ledger, key) for key in "abc"]
    for _ in jobs:
        ledger.start_next("running")
    # The second admitted finishes first: the oldest finished, not the oldest admitted, goes.
    for job in (jobs[1], jobs[0], jobs[2]):
        ledger.finish(job, Failed("no"))
        time.sleep(0.01)  # distinct finishing times
    assert all(ledger.get(job.id) is job for job in jobs), "nothing is forgotten before an admit"
    _admit(ledger, "d")
    assert [ledger.get(job.id) for job in jobs] == [jobs[0], None, jobs[2]]


def test_finished_records_past_their_time_to_live_are_forgotten_at_the_next_admit() -> None:
    ledger = _ledger(cache_ttl_s=0.2)
    old = _admit(ledger, "a")
    ledger.start_next("running")
    ledger.finish(old, Failed("no"))
    waiting = _admit(ledger, "b")
    time.sleep(0.3)
    _admit(ledger, "c")
    assert ledger.get(old.id) is None
    assert ledger.get(waiting.id) is waiting, "a job not yet finished is kept"
