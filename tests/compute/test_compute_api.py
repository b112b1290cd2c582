"""The HTTP contract, through a real uvicorn server on loopback and the real ComputeClient."""

from __future__ import annotations

import asyncio
import io
import os

import httpx
import pytest
from PIL import Image

from compute.client import ComputeClient
from compute.errors import (
    ComputeBusy,
    ComputeUnauthorized,
    InvalidParams,
    JobFailed,
    JobNotFound,
    UnknownDemo,
)
from compute.schemas import JobStatus
from tests.compute.fake_service import fake_service

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.usefixtures("both_backends")
FRONT_END_ONLY = pytest.mark.parametrize("both_backends", ["local"], indirect=True)
"""For what the service's front end answers alone (schemas, validation, the token): the same
code on either backend, so run on the local one only."""


async def _until(client: ComputeClient, job_id: str, state: str) -> JobStatus:
    """Poll until the job reaches `state`; fail the test after about 20 s."""
    for _ in range(400):
        status = await client.job(job_id)
        if status.status == state:
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {state}: {status}")


@FRONT_END_ONLY
async def test_demos_describe_params_as_json_schema() -> None:
    async with fake_service() as url, ComputeClient(url) as client:
        demos = {d.name: d for d in await client.demos()}
    quick = demos["quick"]
    assert quick.title.ko == "quick 제목" and quick.title.en == "quick title"
    assert quick.prompt_ids == ["test.prompt"]
    props = quick.params["properties"]
    assert isinstance(props, dict)
    assert props["lr"] == {
        "default": 0.1,
        "description": "learning rate",
        "exclusiveMinimum": 0.0,
        "maximum": 1.0,
        "title": "Lr",
        "type": "number",
    }
    assert isinstance(props["seed"], dict) and props["seed"]["default"] == 0


async def test_job_runs_in_another_process_with_params_coerced_from_text() -> None:
    async with fake_service() as url, ComputeClient(url) as client:
        ticket = await client.submit("quick", {"lr": "0.5", "steps": "7", "flag": "true"})
        assert ticket.status == "queued" and ticket.queue_position == 1 and not ticket.cached
        seen: list[JobStatus] = []

        async def record(status: JobStatus) -> None:
            seen.append(status)

        done = await client.wait(ticket.id, record, poll=0.05)
        png = await client.image(done.images[0])
    assert done.status == "done" and done.progress == 1.0 and not done.cached
    assert done.params == {"seed": 0, "lr": 0.5, "steps": 7, "flag": True}
    assert done.metrics["lr"] == 0.5 and done.metrics["steps"] == 7 and done.metrics["flag"]
    assert done.metrics["pid"] != os.getpid()
    assert done.summary is not None and done.summary.ko == "빠른 데모"
    assert done.images == [f"/jobs/{ticket.id}/images/0.png", f"/jobs/{ticket.id}/images/1.png"]
    assert png.startswith(PNG_SIGNATURE) and Image.open(io.BytesIO(png)).size == (64, 48)
    assert seen[-1].status == "done"


@FRONT_END_ONLY
async def test_invalid_params_name_each_field_and_its_range() -> None:
    async with fake_service() as url:
        async with httpx.AsyncClient(base_url=url) as http:
            response = await http.post(
                "/jobs", json={"demo": "quick", "params": {"lr": "2", "steps": "x", "depth": 3}}
            )
        async with ComputeClient(url) as client:
            with pytest.raises(InvalidParams) as raised:
                await client.submit("quick", {"lr": 0})
    assert response.status_code == 422
    body = response.json()
    assert "quick" in body["detail"]
    errors = {e["field"]: e for e in body["errors"]}
    assert set(errors) == {"lr", "steps", "depth"}
    assert errors["lr"]["message"] == "must be <= 1.0"
    assert errors["lr"]["allowed"]["maximum"] == 1.0
    assert errors["steps"]["message"] == "must be an integer"
    assert errors["steps"]["allowed"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 3,
    }
    assert "lr" in errors["depth"]["message"] and "steps" in errors["depth"]["message"]
    [lr_error] = raised.value.errors
    assert lr_error.field == "lr" and lr_error.message == "must be > 0.0"


@FRONT_END_ONLY
async def test_malformed_body_gets_the_same_error_shape() -> None:
    async with fake_service() as url, httpx.AsyncClient(base_url=url) as http:
        response = await http.post("/jobs", json={"params": {"lr": [1, 2]}})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert "demo" in fields


@FRONT_END_ONLY
async def test_unknown_demo_lists_the_known_ones() -> None:
    async with fake_service() as url:
        async with httpx.AsyncClient(base_url=url) as http:
            response = await http.post("/jobs", json={"demo": "qick"})
        async with ComputeClient(url) as client:
            with pytest.raises(UnknownDemo) as raised:
                await client.submit("qick", {})
    assert response.status_code == 404
    assert "quick" in response.json()["known"] and "qick" in response.json()["detail"]
    assert "quick" in raised.value.known


async def test_unknown_job_and_missing_image_are_404() -> None:
    async with fake_service() as url, ComputeClient(url) as client:
        with pytest.raises(JobNotFound):
            await client.job("nope")
        done = await client.wait((await client.submit("quick", {})).id, poll=0.05)
        async with httpx.AsyncClient(base_url=url) as http:
            missing = await http.get(f"/jobs/{done.id}/images/2.png")
    assert missing.status_code == 404


async def test_full_queue_answers_429_with_retry_after() -> None:
    async with fake_service(queue_size=1, cancel_grace_s=0.5) as url, ComputeClient(url) as client:
        running = await client.submit("polite-sleep", {})
        await _until(client, running.id, "running")
        waiting = await client.submit("polite-sleep", {"seconds": 20})
        assert waiting.queue_position == 1
        async with httpx.AsyncClient(base_url=url) as http:
            response = await http.post("/jobs", json={"demo": "quick"})
        with pytest.raises(ComputeBusy) as raised:
            await client.submit("quick", {})
        health = await client.health()
        await client.cancel(waiting.id)
        await client.cancel(running.id)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["retry_after"] == int(response.headers["Retry-After"])
    assert raised.value.retry_after >= 1
    assert health.running == 1 and health.queue_depth == 1 and health.queue_capacity == 1


async def test_cancel_removes_a_queued_job_and_stops_a_running_one() -> None:
    async with fake_service() as url, ComputeClient(url) as client:
        running = await client.submit("polite-sleep", {})
        await _until(client, running.id, "running")
        queued = await client.submit("quick", {})
        dropped = await client.cancel(queued.id)
        stopped = await client.cancel(running.id)
        after = await client.wait(running.id)
        health = await client.health()
    assert dropped.status == "cancelled" and dropped.queue_position == 0
    assert stopped.status == "cancelled" and after.status == "cancelled"
    assert health.running == 0 and health.queue_depth == 0


async def test_a_demo_that_ignores_cancel_is_killed_after_the_grace_period() -> None:
    async with fake_service(cancel_grace_s=0.3) as url, ComputeClient(url) as client:
        job = await client.submit("stubborn-sleep", {})
        await _until(client, job.id, "running")
        stopped = await client.cancel(job.id)
        follow_up = await client.wait((await client.submit("quick", {})).id, poll=0.05)
    assert stopped.status == "cancelled"
    assert follow_up.status == "done"


async def test_time_limit_fails_the_job_and_the_service_carries_on() -> None:
    # 3 s: the quick job after it must fit too, with a new Ray worker on a busy machine.
    async with fake_service(job_timeout_s=3.0) as url, ComputeClient(url) as client:
        job = await client.submit("stubborn-sleep", {})
        with pytest.raises(JobFailed) as raised:
            await client.wait(job.id, poll=0.1)
        follow_up = await client.wait((await client.submit("quick", {})).id, poll=0.05)
    assert "time limit" in raised.value.message
    assert raised.value.status is not None and raised.value.status.status == "failed"
    assert follow_up.status == "done"


@pytest.mark.parametrize(
    ("demo", "reason"),
    [("exits", "exited with code 3"), ("segfaults", "SIGSEGV"), ("raises", "the loss is NaN")],
)
async def test_a_crashing_demo_fails_its_job_only(demo: str, reason: str) -> None:
    async with fake_service() as url, ComputeClient(url) as client:
        with pytest.raises(JobFailed) as raised:
            await client.wait((await client.submit(demo, {})).id, poll=0.05)
        follow_up = await client.wait((await client.submit("quick", {})).id, poll=0.05)
        health = await client.health()
    assert reason in raised.value.message
    assert follow_up.status == "done" and health.status == "ok"


async def test_a_repeated_request_is_served_from_the_cache() -> None:
    async with fake_service() as url, ComputeClient(url) as client:
        first = await client.wait((await client.submit("quick", {"lr": 0.2})).id, poll=0.05)
        again = await client.submit("quick", {"lr": "0.2", "seed": 0})
        other_seed = await client.submit("quick", {"lr": 0.2, "seed": 1})
        cached = await client.job(again.id)
        png = await client.image(cached.images[1])
    assert again.status == "done" and again.cached and again.queue_position == 0
    assert cached.cached and cached.metrics == first.metrics
    assert Image.open(io.BytesIO(png)).size == (32, 32)
    assert not other_seed.cached and other_seed.status == "queued"


async def test_cache_can_be_turned_off() -> None:
    async with fake_service(cache_entries=0) as url, ComputeClient(url) as client:
        await client.wait((await client.submit("quick", {})).id, poll=0.05)
        again = await client.submit("quick", {})
    assert not again.cached


@FRONT_END_ONLY
async def test_a_configured_token_guards_everything_but_healthz() -> None:
    async with fake_service(token="s3cret") as url:
        async with httpx.AsyncClient(base_url=url) as http:
            health = await http.get("/healthz")
            missing = await http.get("/demos")
            wrong = await http.get("/demos", headers={"Authorization": "Bearer nope"})
            job = await http.post("/jobs", json={"demo": "quick"})
        async with ComputeClient(url, token="nope") as intruder:
            with pytest.raises(ComputeUnauthorized):
                await intruder.demos()
        async with ComputeClient(url, token="s3cret") as member:
            demos = await member.demos()
    assert health.status_code == 200
    assert missing.status_code == wrong.status_code == job.status_code == 401
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    assert "quick" in {d.name for d in demos}
