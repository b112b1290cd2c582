"""The scheduler loop: a tick every interval records this process's heartbeat, takes into the
bank the team questions another process saved (`bot.core.flow.saved_questions`), posts whatever
became due since the last tick (questions and weekly digests), finishes the messages a silent
replica claimed and left, grades answers kept while the embedding server was unavailable and
those of an open question whose model answer a stopped process left
(`bot.core.quiz.open_answers`), and sends the notices the web page left
(`bot.core.flow.notices`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from bot.core.flow.notices import send_notices
from bot.core.flow.replicas import ReplicaRow, silent_since, this_process
from bot.core.messages import Transport
from bot.core.quiz.open_answers import RESUME_AFTER
from bot.core.service import QuizService

log = logging.getLogger("quizmaster.core")


async def _sleep(stop: asyncio.Event, wake: asyncio.Event | None, interval: float) -> None:
    """Until the next tick: `interval` seconds, or less when `stop` or `wake` is set."""
    waits = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waits.append(asyncio.ensure_future(wake.wait()))
    try:
        await asyncio.wait(waits, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
    if wake is not None:
        wake.clear()


async def run_scheduler(
    service: QuizService,
    platform: str,
    transport: Transport,
    *,
    stop: asyncio.Event,
    interval: float = 30.0,
    wake: asyncio.Event | None = None,
    resumed: Transport | None = None,
) -> None:
    """Runs until `stop` is set; a failing tick is logged and the loop goes on. Setting `wake`
    runs the next tick at once (the web page in this process has left a notice to send). The
    heartbeat beats in a task of its own, so a tick busy posting (or waiting out Slack's pace)
    never makes this replica look gone to the others. On the way out the heartbeat is removed,
    so `doctor` stops listing this process at once, and a live replica takes over what it left.
    `resumed`: the transport for the replies of taken-over messages (default: `transport`)."""
    replica = this_process(platform, service.clock(), service.replica_id)
    beating = asyncio.create_task(_beat(service, replica, stop, interval), name="heartbeat")
    grace = timedelta(0)  # the first tick, at start, finishes every model answer left
    rounds: tuple[tuple[Callable[[], Awaitable[object]], str], ...] = (
        (
            service.saved_questions.take_new,
            "reading saved team questions failed platform=%s",
        ),
        (
            lambda: service.posting.post_due(platform, transport),
            "scheduler tick failed platform=%s",
        ),
        (
            lambda: service.digests.post_due(
                platform, transport, alive_since=silent_since(service.clock(), interval)
            ),
            "weekly digests failed platform=%s",
        ),
        (
            lambda: service.takeover.resume_unfinished(
                platform,
                resumed or transport,
                alive_since=silent_since(service.clock(), interval),
            ),
            "taking over unfinished messages failed platform=%s",
        ),
        (
            lambda: service.intake.grade_pending(platform, transport),
            "pending answers round failed platform=%s",
        ),
        (
            lambda: service.model_answers.resume(saved_before=service.clock() - grace),
            "finishing saved model answers failed platform=%s",
        ),
        (
            lambda: send_notices(
                service.notices, platform, transport, by=replica.id, now=service.clock()
            ),
            "notices round failed platform=%s",
        ),
    )
    try:
        while not stop.is_set():
            for run_round, failed in rounds:  # one failing round leaves the others to run
                try:
                    await run_round()
                except Exception:
                    log.exception(failed, platform)
            grace = RESUME_AFTER
            await _sleep(stop, wake, interval)
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating
        try:
            await service.heartbeats.forget_replica(replica_id=replica.id)
        except Exception:
            log.exception("could not remove the heartbeat of %s", replica.id)


async def _beat(
    service: QuizService, replica: ReplicaRow, stop: asyncio.Event, interval: float
) -> None:
    while not stop.is_set():
        try:
            await service.heartbeats.heartbeat(replace(replica, seen_at=service.clock()))
        except Exception:
            log.exception("heartbeat failed platform=%s", replica.platform)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
