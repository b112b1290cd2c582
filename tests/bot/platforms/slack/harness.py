"""The Slack test harness: member ids, and our app served by Bolt's own aiohttp server with a
client that sends it correctly signed Slack requests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.app import slack_oauth_stores
from bot.config import Settings
from bot.core.inflight import STOP_GRACE_S
from bot.platforms.slack.app import SlackBot
from bot.platforms.slack.runner import serve_http
from bot.wiring import Wired
from tests.bot.platforms.slack.fake_slack import TEAM_ID, FakeSlack
from tests.bot.platforms.slack.slack_payloads import (
    CHANNEL,
    SIGNING_SECRET,
    form_body,
    interaction_body,
    sign,
    slash_command,
)

ADMIN = "UADMIN"
MEMBER = "UALICE"
PUBLIC_ELSEWHERE = "C0OTHER"
PRIVATE_CHANNEL = "G0SECRET"


@dataclass
class SlackHttp:
    """Our app behind Bolt's aiohttp server, and a way to send it signed Slack requests."""

    bot: SlackBot
    url: str
    fake: FakeSlack
    session: aiohttp.ClientSession

    async def post(
        self, body: str, *, content_type: str, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        all_headers = {"Content-Type": content_type, **sign(body), **(headers or {})}
        async with self.session.post(self.url, data=body.encode(), headers=all_headers) as resp:
            return resp.status, await resp.text()

    async def command(
        self,
        text: str,
        *,
        user: str,
        command: str = "/quiz",
        channel: str = CHANNEL,
        team: str = TEAM_ID,
    ) -> int:
        payload = slash_command(
            command,
            text,
            user=user,
            response_url=self.fake.response_url(user),
            channel=channel,
            team=team,
        )
        status, _ = await self.post(
            form_body(payload), content_type="application/x-www-form-urlencoded"
        )
        return status

    async def event(self, payload: dict[str, Any], *, retry_num: int | None = None) -> int:
        headers = (
            {}
            if retry_num is None
            else {
                "X-Slack-Retry-Num": str(retry_num),
                "X-Slack-Retry-Reason": "http_timeout",
            }
        )
        status, _ = await self.post(
            json.dumps(payload), content_type="application/json", headers=headers
        )
        return status

    async def interact(self, payload: dict[str, Any]) -> tuple[int, str]:
        return await self.post(
            interaction_body(payload), content_type="application/x-www-form-urlencoded"
        )


@asynccontextmanager
async def serving(settings: Settings, service: Wired, fake: FakeSlack) -> AsyncIterator[SlackHttp]:
    """Our app behind Bolt's aiohttp server on a free loopback port."""
    bot = SlackBot(
        settings,
        service,
        oauth=slack_oauth_stores(settings.slack, service.repo),
        channel_post_interval_s=0.0,
    )
    secret = settings.slack_signing_secret
    runner = await serve_http(
        bot.app,
        host="127.0.0.1",
        port=0,
        signing_secret=secret.get_secret_value() if secret else SIGNING_SECRET,
    )
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as session:
            yield SlackHttp(bot, f"http://127.0.0.1:{port}/slack/events", fake, session)
    finally:
        # As `run` stops: the messages still in flight (a follow-up posted after the grade the
        # test waited for) finish while the fake Slack is still up. Stopping the fake under a
        # request in flight held the teardown for slack_sdk's 30 s client timeout.
        await service.in_flight.drain(STOP_GRACE_S)
        await runner.cleanup()
