"""Images reach Slack as files (files_upload_v2): leaderboard charts and `/demo` figures from
the real compute service running embedded on loopback."""

from __future__ import annotations

import pytest

from bot.app import open_service
from bot.config import Settings
from evaluators import EmbeddingGrader
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.bot.platforms.slack.harness import ADMIN, MEMBER, SlackHttp, serving
from tests.bot.platforms.slack.slack_payloads import CHANNEL, thread_reply

pytestmark = pytest.mark.asyncio(loop_scope="session")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def test_leaderboard_posts_its_chart_into_the_channel(slack_http: SlackHttp) -> None:
    fake = slack_http.fake
    assert await slack_http.command("now", user=ADMIN) == 200
    [question] = await fake.wait_for_calls("chat.postMessage")
    thread_ts = question.result["ts"]
    reply = thread_reply(
        text="Dropout randomly zeroes activations during training to reduce overfitting.",
        user=MEMBER,
        thread_ts=thread_ts,
        event_id="Ev0401",
        ts="1800000003.1",
    )
    assert await slack_http.event(reply) == 200
    await fake.wait_until(
        lambda: any("/100*" in c.args["text"] for c in fake.called("chat.postMessage"))
    )

    assert await slack_http.command("leaderboard week", user=MEMBER) == 200

    [complete] = await fake.wait_for_calls("files.completeUploadExternal")
    channel_posts = [c for c in fake.called("chat.postMessage") if "thread_ts" not in c.args]
    assert channel_posts[0].result["ts"] == thread_ts
    board = channel_posts[-1]
    assert board.args["channel"] == CHANNEL
    assert board.result["ts"] != thread_ts
    assert complete.args["channel_id"] == CHANNEL
    assert "thread_ts" not in complete.args
    [png] = slack_http.fake.uploads.values()
    assert png.startswith(PNG_MAGIC)


async def test_demo_shows_progress_then_uploads_its_figures(
    settings: Settings, grader: EmbeddingGrader, fake_slack: FakeSlack
) -> None:
    with_demos = settings.model_copy(update={"demos": True})
    async with (
        open_service(with_demos, grader=grader) as service,
        serving(with_demos, service, fake_slack) as slack,
    ):
        status = await slack.command(
            "activations depth=2 width=8 batch=8", user=MEMBER, command="/demo"
        )
        assert status == 200

        await fake_slack.wait_until(lambda: bool(fake_slack.called("files.completeUploadExternal")))

    started = fake_slack.called("chat.postMessage")[0]
    edits = fake_slack.called("chat.update")
    assert edits, "progress is shown by editing the first message"
    assert {e.args["ts"] for e in edits} == {started.result["ts"]}
    assert fake_slack.uploads
    assert all(png.startswith(PNG_MAGIC) for png in fake_slack.uploads.values())
