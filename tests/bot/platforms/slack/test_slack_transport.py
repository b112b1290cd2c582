"""The Slack transport against the fake Web API: where replies land and how files travel."""

from __future__ import annotations

import time

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.core.messages import Image, Posted, Reply, ReplyKind
from bot.platforms.slack.app import web_client
from bot.platforms.slack.transport import Caller, Followups, Pacer, SlackTransport
from tests.bot.platforms.slack.fake_slack import FakeSlack

pytestmark = pytest.mark.asyncio(loop_scope="session")

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def transport(
    fake: FakeSlack,
    *,
    followups: Followups = "thread",
    caller: Caller | None = None,
    pacer: Pacer | None = None,
) -> SlackTransport:
    settings = Settings(
        _env_file=None, slack_api_url=fake.api_url, slack_bot_token=SecretStr("xoxb-t")
    )
    client = web_client(settings, token="xoxb-t")
    return SlackTransport(client, followups=followups, caller=caller, pacer=pacer)


async def test_images_are_uploaded_into_the_replys_thread(fake_slack: FakeSlack) -> None:
    reply = Reply(
        channel_id="C1",
        text="loss curve",
        kind=ReplyKind.DEMO,
        thread_id="1700000000.000001",
        images=(Image("loss.png", PNG, alt="training loss"),),
    )

    posted = await transport(fake_slack).send(reply)

    [message] = fake_slack.called("chat.postMessage")
    assert posted == Posted(message_id=message.result["ts"], thread_id="1700000000.000001")
    [url] = fake_slack.called("files.getUploadURLExternal")
    assert (url.args["filename"], url.args["length"], url.args["alt_txt"]) == (
        "loss.png",
        str(len(PNG)),
        "training loss",
    )
    assert fake_slack.uploads == {url.result["file_id"]: PNG}
    [complete] = fake_slack.called("files.completeUploadExternal")
    assert (complete.args["channel_id"], complete.args["thread_ts"]) == ("C1", "1700000000.000001")


async def test_question_post_opens_its_own_thread(fake_slack: FakeSlack) -> None:
    reply = Reply(channel_id="C1", text="Q?", kind=ReplyKind.QUESTION, open_thread=True)

    posted = await transport(fake_slack).send(reply)

    assert posted.thread_id == posted.message_id != ""


async def test_followups_go_ephemeral_when_configured(fake_slack: FakeSlack) -> None:
    reply = Reply(
        channel_id="C1",
        text="<@UALICE> Follow-up 1/2: why?",
        kind=ReplyKind.FOLLOWUP,
        thread_id="1.5",
        user_id="UALICE",
    )

    await transport(fake_slack, followups="ephemeral").send(reply)

    [ephemeral] = fake_slack.called("chat.postEphemeral")
    assert (ephemeral.args["user"], ephemeral.args["thread_ts"]) == ("UALICE", "1.5")
    assert fake_slack.called("chat.postMessage") == []


async def test_callers_ephemeral_reply_uses_response_url_and_is_edited_there(
    fake_slack: FakeSlack,
) -> None:
    caller = Caller("UALICE", fake_slack.response_url("alice"))
    slack = transport(fake_slack, caller=caller)
    reply = Reply(channel_id="C1", text="running…", ephemeral=True, user_id="UALICE")

    posted = await slack.send(reply)
    await slack.edit(posted, Reply(channel_id="C1", text="done", ephemeral=True, user_id="UALICE"))

    await fake_slack.wait_until(lambda: len(fake_slack.responses) == 2)
    first, second = fake_slack.responses
    assert (first["response_type"], first["text"], first["replace_original"]) == (
        "ephemeral",
        "running…",
        False,
    )
    assert (second["text"], second["replace_original"]) == ("done", True)
    assert fake_slack.calls == []


async def test_public_edit_updates_the_message(fake_slack: FakeSlack) -> None:
    slack = transport(fake_slack)
    posted = await slack.send(Reply(channel_id="C1", text="step 1/3"))

    await slack.edit(posted, Reply(channel_id="C1", text="step 2/3"))

    [update] = fake_slack.called("chat.update")
    assert (update.args["ts"], update.args["text"]) == (posted.message_id, "step 2/3")


async def test_ephemeral_images_go_to_the_members_direct_messages(fake_slack: FakeSlack) -> None:
    reply = Reply(
        channel_id="C1",
        text="your chart",
        ephemeral=True,
        user_id="UALICE",
        images=(Image("chart.png", PNG),),
    )

    await transport(fake_slack).send(reply)

    [complete] = fake_slack.called("files.completeUploadExternal")
    assert complete.args["channel_id"] == "DUALICE"


async def test_posts_to_many_channels_are_spread_out(fake_slack: FakeSlack) -> None:
    slack = transport(fake_slack, pacer=Pacer(0.25))
    started = time.monotonic()

    for channel in ("C1", "C2", "C3"):
        await slack.send(Reply(channel_id=channel, text="Q?", kind=ReplyKind.QUESTION))

    assert time.monotonic() - started >= 0.5
    assert [c.args["channel"] for c in fake_slack.called("chat.postMessage")] == ["C1", "C2", "C3"]


async def test_a_public_message_stays_public_when_edited_into_an_error(
    fake_slack: FakeSlack,
) -> None:
    slack = transport(fake_slack, caller=Caller("UALICE", fake_slack.response_url("alice")))
    posted = await slack.send(Reply(channel_id="C1", text="demo running…", kind=ReplyKind.DEMO))

    await slack.edit(posted, Reply(channel_id="C1", text="demo failed", kind=ReplyKind.ERROR))

    [update] = fake_slack.called("chat.update")
    assert (update.args["ts"], update.args["text"]) == (posted.message_id, "demo failed")
    assert fake_slack.responses == []


async def test_a_private_reply_without_a_viewer_is_dropped_not_posted(
    fake_slack: FakeSlack,
) -> None:
    posted = await transport(fake_slack).send(Reply(channel_id="C1", text="yours", ephemeral=True))

    assert posted.message_id == ""
    assert fake_slack.calls == []
