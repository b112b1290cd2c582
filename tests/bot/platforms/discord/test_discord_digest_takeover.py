"""A replica killed after Discord took its weekly digest, before it recorded it, and the replica
that takes the digest over (issue 50): it finds the digest in the channel's history by its
chart, named for its week, and sends nothing (the digest's enforced nonce, which would return
the first message, lasts only a few minutes on Discord)."""

from __future__ import annotations

from datetime import timedelta

from bot.core.flow.replicas import this_process
from bot.core.models import PostClaim
from bot.core.reporting.digest_posting import DigestClaim, DigestTime
from bot.core.reporting.weeks import week_of
from bot.platforms.discord.dispatch import PLATFORM
from tests.bot.digest_scene import an_answered_week
from tests.bot.platforms.discord.conftest import Running

STOPPED = "host:4242:stopped"  # a replica that beats once, then stops: killed


async def test_a_digest_sent_before_the_takeover_stays_one_message(bot: Running) -> None:
    fake, service = bot.fake, bot.service
    channel = await service.posting.channel(PLATFORM, fake.channel_id)
    now = service.clock()
    today = now.date()
    week = week_of(today)
    repo = service.repo
    # It claims the digest and stays alive while the scene is set, so the running bot's own
    # ticks leave its claim alone.
    await service.heartbeats.heartbeat(this_process(PLATFORM, now, STOPPED))
    assert await repo.digests.claim_digest(
        DigestClaim(
            platform=PLATFORM,
            channel_id=fake.channel_id,
            week=week,
            claimed_at=now,
            replica_id=STOPPED,
        )
    )
    await repo.digests.set_digest_time(
        platform=PLATFORM, channel_id=fake.channel_id, time=DigestTime(0, "00:00")
    )
    post = await repo.posts.claim_post(
        PostClaim(
            platform=PLATFORM,
            channel_id=fake.channel_id,
            day=today,
            prompt_id=service.bank.every_channel().mains()[0].id,
            scheduled=True,
            posted_at=now,
        )
    )
    assert post is not None
    await repo.posts.set_post_location(post_id=post.id, message_id="1", thread_id=None)
    await an_answered_week(
        repo, platform=PLATFORM, channel_id=fake.channel_id, post_id=post.id, day=today, now=now
    )
    digests = service.digests
    # The stopped replica sent the digest, then died before recording it.
    first = await bot.client.channels.send(await digests.channel_reply(channel, week))

    silent_since = now + timedelta(seconds=1)  # its last heartbeat is older than this
    posted = await service.digests.post_due(PLATFORM, bot.client.channels, alive_since=silent_since)

    assert posted == [(fake.channel_id, week)]
    sends = fake.find("POST", rf"/channels/{fake.channel_id}/messages")
    assert len(sends) == 1 and sends[0].body["enforce_nonce"] and sends[0].body["nonce"]
    assert fake.find("GET", rf"/channels/{fake.channel_id}/messages"), "history never read"
    weeks = [t for t in fake.texts_in(fake.channel_id) if "The team's week" in t]
    assert len(weeks) == 1, "the digest was posted twice"
    rows = await repo.db.fetch(
        "SELECT message_id FROM digests WHERE channel_id = ?", (fake.channel_id,)
    )
    assert [row["message_id"] for row in rows] == [first.message_id]
