"""`quizmaster run --platform discord`: the client and the daily-question scheduler, side by side.

The scheduler starts once the gateway is ready, so the channels it posts to are in the cache; both
stop together when the client closes or the process is interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from bot.config import DiscordSettings
from bot.core.demo_records import DemoError
from bot.core.flow.scheduler import run_scheduler
from bot.core.inflight import STOP_GRACE_S
from bot.core.quiz.demo_commands import DemoDesk
from bot.core.service import QuizService
from bot.platforms.discord.client import QuizClient
from bot.platforms.discord.dispatch import PLATFORM
from bot.platforms.discord.transport import ACK_BUDGET_S

log = logging.getLogger("quizmaster.discord")

AUTOCOMPLETE_TIMEOUT_S = 2.0


class DemoNames:
    """Demo names for `/demo run` autocomplete, from the compute service the core uses.

    Autocomplete must answer within 3 s and fires on every keystroke, while the catalog changes
    only with a deploy: names are fetched at most every few minutes, and a slow or failing service
    leaves the last list (suggestions only; the core validates the name on submit).
    """

    def __init__(self, demos: DemoDesk | None, *, refresh_s: float = 300.0) -> None:
        self._demos = demos
        self._refresh_s = refresh_s
        self._names: list[str] = []
        self._fetched_at = float("-inf")

    async def __call__(self) -> list[str]:
        now = time.monotonic()
        if self._demos is None or now - self._fetched_at < self._refresh_s:
            return self._names
        try:
            names = await asyncio.wait_for(self._demos.demo_names(), timeout=AUTOCOMPLETE_TIMEOUT_S)
        except (DemoError, TimeoutError) as exc:
            log.warning("demo names unavailable for autocomplete: %s", exc)
            return self._names
        self._names = names
        self._fetched_at = now
        return self._names


def build_client(
    settings: DiscordSettings, service: QuizService, *, ack_budget_s: float = ACK_BUDGET_S
) -> QuizClient:
    """The client as configured; `ack_budget_s` is how long a slow reply may take before the
    interaction is deferred (Discord's limit is 3 s)."""
    return QuizClient(
        handler=service.intake,
        demo_names=DemoNames(service.demos),
        guild_id=settings.discord_guild_id,
        message_content=settings.discord_message_content,
        score_ephemeral=settings.discord_score_visibility == "ephemeral",
        ack_budget_s=ack_budget_s,
        web_page=service.sign_in is not None,
        subjects=service.bank.subjects(),
        shard_count=settings.discord_shard_count,
        shard_ids=None if settings.discord_shards is None else list(settings.discord_shards),
    )


async def serve(
    client: QuizClient,
    service: QuizService,
    *,
    token: str,
    stop: asyncio.Event | None = None,
    interval: float = 30.0,
) -> None:
    """Run `client` with `token` until it closes or `stop` is set, with the scheduler posting
    through it, a tick every `interval` seconds (QUIZMASTER_SCHEDULER_INTERVAL_S). On `stop`
    the messages in flight finish before the client closes (their replies need its HTTP
    session)."""
    stop = stop or asyncio.Event()

    async def schedule_when_ready() -> None:
        await client.wait_until_ready()
        await run_scheduler(service, PLATFORM, client.channels, stop=stop, interval=interval)

    async def close_on_stop() -> None:
        await stop.wait()
        await service.in_flight.drain(STOP_GRACE_S)
        await client.close()

    scheduler = asyncio.create_task(schedule_when_ready(), name="discord-scheduler")
    closer = asyncio.create_task(close_on_stop(), name="discord-stop")
    try:
        await client.start(token)
        if stop.is_set():
            await closer
    finally:
        closer.cancel()
        stop.set()
        scheduler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await scheduler
        if not client.is_closed():
            await client.close()


async def run(
    settings: DiscordSettings,
    service: QuizService,
    *,
    interval: float,
    stop: asyncio.Event | None = None,
) -> None:
    """`quizmaster run --platform discord`: the client and its scheduler, a tick every
    `interval` seconds, until `stop` is set."""
    if settings.discord_token is None:
        raise ValueError("QUIZMASTER_DISCORD_TOKEN is not set")
    client = build_client(settings, service)
    log.info(
        "starting Discord client (guild sync: %s, message content: %s, scores: %s)",
        settings.discord_guild_id or "global",
        settings.discord_message_content,
        settings.discord_score_visibility,
    )
    token = settings.discord_token.get_secret_value()
    await serve(client, service, token=token, stop=stop, interval=interval)
