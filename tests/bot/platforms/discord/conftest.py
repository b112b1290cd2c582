"""Fixtures: a fake Discord on loopback (REST and gateway), the real core (storage, bank, grader on
the bundled model, loaded once per session) and our client, started with the real
`client.start()` against the fake."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app import open_service
from bot.config import Settings
from bot.platforms.discord.client import QuizClient
from bot.platforms.discord.runner import build_client, serve
from bot.platforms.discord.transport import ACK_BUDGET_S
from bot.wiring import Wired
from evaluators import create_grader
from tests.bot.platforms.discord.fake_discord import FakeDiscord
from tests.conftest import MakeSettings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TOKEN = "fake-bot-token"


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """The fake, with discord.py's REST base and gateway URL pointed at it."""
    fake = FakeDiscord()
    await fake.start()
    fake.redirect(monkeypatch)
    yield fake
    await fake.stop()


@pytest.fixture
def settings(make_settings: MakeSettings, fake_discord: FakeDiscord) -> Settings:
    """Demos off: the demo test turns the embedded compute service on."""
    return make_settings(
        platform="discord",
        discord_token=SecretStr(TOKEN),
        discord_guild_id=int(fake_discord.guild_id),
        discord_message_content=False,
        discord_score_visibility="thread",
    )


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[Wired]:
    grader = create_grader(
        model_name=settings.embedding_model, device="cpu", cache_dir=settings.cache_dir
    )
    try:
        async with open_service(settings, grader=grader) as quiz:
            yield quiz
    finally:
        await grader.aclose()


@dataclass
class Running:
    """Our client connected to the fake, and the fake itself."""

    client: QuizClient
    fake: FakeDiscord
    service: Wired

    async def push(self, interaction: dict[str, Any]) -> str:
        """Deliver an interaction over the gateway; returns its id."""
        await self.fake.dispatch("INTERACTION_CREATE", interaction)
        return str(interaction["id"])


StartBot = Callable[..., AbstractAsyncContextManager[Running]]


@pytest.fixture
def start_bot(settings: Settings, service: Wired, fake_discord: FakeDiscord) -> StartBot:
    """Start the bot as `quizmaster run` would (client plus scheduler, ticking every
    `scheduler_interval_s`), with setting overrides."""

    @asynccontextmanager
    async def started(
        *,
        ack_budget_s: float = ACK_BUDGET_S,
        quiz: Wired = service,
        **overrides: Any,
    ) -> AsyncIterator[Running]:
        configured = settings.model_copy(update=overrides)
        client = build_client(configured, quiz, ack_budget_s=ack_budget_s)
        # Discord waits 2 s for more guilds before READY; one fake guild needs no wait.
        client._connection.guild_ready_timeout = 0.05
        ticking = configured.scheduler_interval_s
        task = asyncio.create_task(serve(client, quiz, token=TOKEN, interval=ticking))
        try:
            await asyncio.wait_for(client.wait_until_ready(), timeout=15)
            yield Running(client, fake_discord, quiz)
        finally:
            await client.close()
            await asyncio.wait_for(task, timeout=10)

    return started


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[Running]:
    async with start_bot() as running:
        yield running
