"""Socket Mode end to end: the app opens the WebSocket the fake hands out from
`apps.connections.open`, acks each envelope by id, and answers through the Web API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from bot.config import Settings
from bot.core.messages import Reply, ReplyKind
from bot.platforms.slack.app import SlackBot
from bot.platforms.slack.runner import connect_socket_mode, run
from bot.wiring import Wired
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.bot.platforms.slack.harness import ADMIN, MEMBER
from tests.bot.platforms.slack.slack_payloads import slash_command, thread_reply

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(loop_scope="session")
async def connected(
    settings: Settings, service: Wired, fake_slack: FakeSlack
) -> AsyncIterator[FakeSlack]:
    bot = SlackBot(settings.model_copy(update={"slack_mode": "socket"}), service)
    handler = await connect_socket_mode(bot.app, app_token="xapp-test-token")
    yield fake_slack
    await handler.close_async()  # type: ignore[no-untyped-call]


async def test_slash_command_over_socket_mode_is_acked_and_answered(connected: FakeSlack) -> None:
    [opened] = connected.called("apps.connections.open")
    assert opened.token == "xapp-test-token"
    command = slash_command("/quiz", "now", user=ADMIN, response_url=connected.response_url("a"))

    ack = await connected.send_envelope(
        {
            "envelope_id": "env-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": command,
        }
    )

    assert ack["envelope_id"] == "env-1"
    [question] = await connected.wait_for_calls("chat.postMessage")
    assert question.token == "xoxb-test-token"
    assert any(block["type"] == "actions" for block in question.args["blocks"])


async def test_event_retried_over_socket_mode_is_graded_once(connected: FakeSlack) -> None:
    command = slash_command("/quiz", "now", user=ADMIN, response_url=connected.response_url("a"))
    await connected.send_envelope(
        {"envelope_id": "env-10", "type": "slash_commands", "payload": command}
    )
    [question] = await connected.wait_for_calls("chat.postMessage")
    thread_ts = question.result["ts"]
    event = thread_reply(
        text="Backpropagation applies the chain rule from the loss back to every weight.",
        user=MEMBER,
        thread_ts=thread_ts,
        event_id="Ev0301",
        ts="1800000002.1",
    )

    for attempt, envelope_id in enumerate(("env-11", "env-12")):
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": "events_api",
            "payload": event,
        }
        if attempt:
            envelope |= {"retry_attempt": attempt, "retry_reason": "timeout"}
        assert (await connected.send_envelope(envelope))["envelope_id"] == envelope_id

    def graded() -> list[str]:
        return [
            c.args["text"]
            for c in connected.called("chat.postMessage")
            if c.args.get("thread_ts") == thread_ts and "/100*" in c.args["text"]
        ]

    await connected.wait_until(lambda: len(graded()) == 1)
    await connected.wait_until(lambda: len(connected.called("chat.postMessage")) >= 3)
    assert len(graded()) == 1


async def test_run_serves_socket_mode_until_cancelled(
    settings: Settings, service: Wired, fake_slack: FakeSlack
) -> None:
    socket_settings = settings.model_copy(update={"slack_mode": "socket"})
    running = asyncio.create_task(run(socket_settings, service))
    await fake_slack.wait_for_calls("apps.connections.open")
    command = slash_command("/quiz", "now", user=ADMIN, response_url=fake_slack.response_url("a"))

    await fake_slack.send_envelope(
        {"envelope_id": "env-20", "type": "slash_commands", "payload": command}
    )
    await fake_slack.wait_for_calls("chat.postMessage")
    running.cancel()

    with pytest.raises(asyncio.CancelledError):
        await running


async def test_scheduled_posts_act_as_the_bot_outside_any_request(
    settings: Settings, service: Wired, fake_slack: FakeSlack
) -> None:
    bot = SlackBot(settings, service, channel_post_interval_s=0.0)

    await bot.scheduled_transport().send(
        Reply(channel_id="C9", text="Question?", kind=ReplyKind.QUESTION, open_thread=True)
    )

    [post] = fake_slack.called("chat.postMessage")
    assert (post.token, post.args["channel"]) == ("xoxb-test-token", "C9")
