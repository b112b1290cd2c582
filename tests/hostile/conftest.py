"""Fixtures for the hostile-input suites: the Slack and Discord fakes and harnesses from
tests/bot/platforms, started once per module (each case talks as its own member, so cases do not
share answers), and one real grader on the bundled model for the whole session.

Everything runs on the session's event loop, like the Slack suite, so the grader and the
servers started by module fixtures live on the loop the tests run on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from pydantic import SecretStr

from bot.app import open_service
from bot.platforms.discord.client import QuizClient
from bot.platforms.discord.runner import build_client, serve
from bot.wiring import Wired
from evaluators import EmbeddingGrader, create_grader
from tests.bot.platforms.discord.fake_discord import FakeDiscord
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.bot.platforms.slack.harness import ADMIN, SlackHttp, serving
from tests.bot.platforms.slack.slack_payloads import SIGNING_SECRET
from tests.conftest import settings_for_test

DISCORD_TOKEN = "fake-bot-token"
LONG_NAME_USER = "ULONGNAME"
# A display name a member could set: very long, with broadcast and mention syntax in it.
LONG_NAME = "<!channel> @here <@U0BOSS> " + "ᄀ" * 4000


class NamedFakeSlack(FakeSlack):
    """The shared fake Slack, except that one member has a hostile display name."""

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        result = super()._answer(method, args)
        if method == "users.info" and args.get("user") == LONG_NAME_USER:
            result["user"]["profile"]["display_name"] = LONG_NAME
        return result


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def shared_grader(model_path: str, embedding_cache: Path) -> AsyncIterator[EmbeddingGrader]:
    grader = create_grader(model_name=model_path, device="cpu", cache_dir=embedding_cache)
    yield grader
    await grader.aclose()


@dataclass
class SlackEnv:
    http: SlackHttp
    service: Wired


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def slack_env(
    tmp_path_factory: pytest.TempPathFactory,
    shared_grader: EmbeddingGrader,
    embedding_cache: Path,
) -> AsyncIterator[SlackEnv]:
    """Our Bolt app behind its aiohttp server, signed requests in, the fake Slack recording."""
    fake = NamedFakeSlack(admins=frozenset({ADMIN}))
    await fake.start()
    settings = settings_for_test(
        db=tmp_path_factory.mktemp("slack") / "quiz.db",
        cache_dir=embedding_cache,
        platform="slack",
        slack_bot_token=SecretStr("xoxb-test-token"),
        slack_app_token=SecretStr("xapp-test-token"),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_mode="http",
        slack_api_url=fake.api_url,
        slack_followups="thread",
    )
    try:
        async with (
            open_service(settings, grader=shared_grader) as service,
            serving(settings, service, fake) as slack,
        ):
            yield SlackEnv(slack, service)
    finally:
        await fake.stop()


@dataclass
class DiscordEnv:
    client: QuizClient
    fake: FakeDiscord
    service: Wired


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def discord_env(
    tmp_path_factory: pytest.TempPathFactory,
    shared_grader: EmbeddingGrader,
    embedding_cache: Path,
) -> AsyncIterator[DiscordEnv]:
    """The real discord.py client started against the loopback fake, as `quizmaster run` does."""
    fake = FakeDiscord()
    await fake.start()
    patch = pytest.MonkeyPatch()
    fake.redirect(patch)
    settings = settings_for_test(
        db=tmp_path_factory.mktemp("discord") / "quiz.db",
        cache_dir=embedding_cache,
        platform="discord",
        discord_token=SecretStr(DISCORD_TOKEN),
        discord_guild_id=int(fake.guild_id),
        discord_message_content=False,
        discord_score_visibility="thread",
    )
    try:
        async with open_service(settings, grader=shared_grader) as service:
            client = build_client(settings, service)
            client._connection.guild_ready_timeout = 0.05
            task = asyncio.create_task(serve(client, service, token=DISCORD_TOKEN))
            try:
                await asyncio.wait_for(client.wait_until_ready(), timeout=15)
                yield DiscordEnv(client, fake, service)
            finally:
                await client.close()
                await asyncio.wait_for(task, timeout=10)
    finally:
        patch.undo()
        await fake.stop()
