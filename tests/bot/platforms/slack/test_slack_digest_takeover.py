"""A replica killed while posting the weekly digest, and the replica that takes it over (issue
50): the digest's text is found in the channel's history by its message metadata and not sent
again, and its chart, a file named after its week, is uploaded only when it is not there."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config import Settings
from bot.core.models import PostClaim
from bot.core.reporting.digest_posting import DigestClaim, DigestTime
from bot.core.reporting.weeks import week_of
from bot.wiring import Wired
from tests.bot.digest_scene import an_answered_week
from tests.bot.platforms.slack.harness import SlackHttp
from tests.bot.platforms.slack.slack_payloads import CHANNEL
from tests.bot.platforms.slack.test_slack_takeover import STOPPED, slack_transport

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def digest_claimed_by_stopped_replica(service: Wired) -> None:
    """A digest due at once for this week, which has a question and an answer, claimed by a
    silent replica."""
    await service.posting.channel("slack", CHANNEL)
    repo, now = service.repo, service.clock()
    await repo.digests.set_digest_time(
        platform="slack", channel_id=CHANNEL, time=DigestTime(0, "00:00")
    )
    post = await repo.posts.claim_post(
        PostClaim(
            platform="slack",
            channel_id=CHANNEL,
            day=now.date(),
            prompt_id=service.bank.every_channel().mains()[0].id,
            scheduled=True,
            posted_at=now,
        )
    )
    assert post is not None
    await repo.posts.set_post_location(post_id=post.id, message_id="1.000001", thread_id=None)
    await an_answered_week(
        repo, platform="slack", channel_id=CHANNEL, post_id=post.id, day=now.date(), now=now
    )
    assert await repo.digests.claim_digest(
        DigestClaim(
            platform="slack",
            channel_id=CHANNEL,
            week=week_of(now.date()),
            claimed_at=now,
            replica_id=STOPPED,
        )
    )


@pytest.mark.parametrize("chart_out", [False, True])
async def test_a_digest_the_stopped_replica_sent_is_finished_not_sent_again(
    chart_out: bool, slack_http: SlackHttp, service: Wired, settings: Settings
) -> None:
    await digest_claimed_by_stopped_replica(service)
    transport = slack_transport(settings)
    channel = await service.posting.channel("slack", CHANNEL)
    week = week_of(service.clock().date())
    reply = await service.digests.channel_reply(channel, week)
    # What the stopped replica did before it was killed: its text reached Slack, its chart too
    # or not, and it died before recording the digest.
    first = await transport.send(reply if chart_out else replace(reply, images=()))

    posted = await service.digests.post_due("slack", transport, alive_since=service.clock())

    fake = slack_http.fake
    assert posted == [(CHANNEL, week)]
    texts = [m for m in fake.history[CHANNEL] if "The team's week" in m["text"]]
    charts = [f["name"] for m in fake.history[CHANNEL] for f in m.get("files") or ()]
    assert [m["ts"] for m in texts] == [first.message_id], "the digest's text was sent again"
    assert charts == [f"digest-{week.isoformat()}.png"]
    assert len(fake.called("files.completeUploadExternal")) == 1
    rows = await service.repo.db.fetch(
        "SELECT message_id FROM digests WHERE channel_id = ?", (CHANNEL,)
    )
    assert [row["message_id"] for row in rows] == [first.message_id]


async def test_a_digest_the_stopped_replica_never_sent_is_sent_once(
    slack_http: SlackHttp, service: Wired, settings: Settings
) -> None:
    await digest_claimed_by_stopped_replica(service)

    posted = await service.digests.post_due(
        "slack", slack_transport(settings), alive_since=service.clock()
    )

    fake = slack_http.fake
    assert len(posted) == 1
    assert len([m for m in fake.history[CHANNEL] if "The team's week" in m["text"]]) == 1
    assert len(fake.called("files.completeUploadExternal")) == 1
