"""Fixtures: a fake Slack on loopback, the real core (storage, bank, grader on the bundled
model, loaded once per session) and our Bolt app served by Bolt's own aiohttp server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from pydantic import SecretStr

from bot.app import open_service
from bot.config import Settings
from bot.wiring import Wired
from evaluators import EmbeddingGrader, create_grader
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.bot.platforms.slack.harness import (
    ADMIN,
    PRIVATE_CHANNEL,
    PUBLIC_ELSEWHERE,
    SlackHttp,
    serving,
)
from tests.bot.platforms.slack.slack_payloads import SIGNING_SECRET
from tests.conftest import MakeSettings


@pytest_asyncio.fixture(loop_scope="session")
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(
        admins=frozenset({ADMIN}),
        outside=frozenset({PUBLIC_ELSEWHERE}),
        private=frozenset({PRIVATE_CHANNEL}),
    )
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def settings(make_settings: MakeSettings, fake_slack: FakeSlack) -> Settings:
    return make_settings(
        platform="slack",
        slack_bot_token=SecretStr("xoxb-test-token"),
        slack_app_token=SecretStr("xapp-test-token"),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_mode="http",
        slack_api_url=fake_slack.api_url,
        slack_followups="thread",
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def grader(model_path: str, embedding_cache: Path) -> AsyncIterator[EmbeddingGrader]:
    """One grader for the session (its reference embeddings are built per prompt on first
    use, which is the slow part); hence these tests share the session's event loop."""
    shared = create_grader(model_name=model_path, device="cpu", cache_dir=embedding_cache)
    yield shared
    await shared.aclose()


@pytest_asyncio.fixture(loop_scope="session")
async def service(settings: Settings, grader: EmbeddingGrader) -> AsyncIterator[Wired]:
    async with open_service(settings, grader=grader) as quiz:
        yield quiz


@pytest_asyncio.fixture(loop_scope="session")
async def slack_http(
    settings: Settings, service: Wired, fake_slack: FakeSlack
) -> AsyncIterator[SlackHttp]:
    async with serving(settings, service, fake_slack) as slack:
        yield slack
