"""A replica killed while sending a daily question, and the replica that takes its post over:
the question's card marks its post, so the taker finds it in the channel's history instead of
sending it again, and the thread the killed replica opened from it is kept (issues 17 and 50;
`tests/faults/test_question_kill_nine_discord.py` kills a real process at each step)."""

from __future__ import annotations

import asyncio

from bot.core.models import PostClaim, PostRow
from bot.platforms.discord.dispatch import PLATFORM
from tests.bot.platforms.discord.conftest import Running

STOPPED = "host:4242:stopped"  # a replica id with no heartbeat: silent, so its posts are taken


async def recorded(bot: Running, post_id: int) -> PostRow:
    """The post once its location is recorded (by this test's takeover or the bot's own tick)."""
    async with asyncio.timeout(20):
        while True:
            stored = await bot.service.repo.posts.post(post_id=post_id)
            if stored is not None and stored.message_id is not None:
                return stored
            await asyncio.sleep(0.05)


async def test_a_question_sent_before_the_takeover_stays_one_message_and_one_thread(
    bot: Running,
) -> None:
    fake, service = bot.fake, bot.service
    channel = await service.posting.channel(PLATFORM, fake.channel_id)
    post = await service.repo.posts.claim_post(
        PostClaim(
            platform=PLATFORM,
            channel_id=fake.channel_id,
            day=service.clock().date(),
            prompt_id=service.bank.every_channel().mains()[0].id,
            scheduled=True,
            posted_at=service.clock(),
            replica_id=STOPPED,
        )
    )
    assert post is not None
    # The stopped replica sent the question and opened its thread, then died unrecorded.
    first = await bot.client.channels.send(service.posting.question_reply(channel, post))

    taken = await service.takeover.resume_unfinished(
        PLATFORM, bot.client.channels, alive_since=service.clock()
    )

    # The bot's own first scheduler tick may take the silent replica's post over beside (or
    # before) this call; whichever does, the channel must end with one message and one thread.
    assert taken <= 1
    stored = await recorded(bot, post.id)
    assert fake.find("GET", rf"/channels/{fake.channel_id}/messages"), "the taker read back"
    sends = fake.find("POST", rf"/channels/{fake.channel_id}/messages")
    assert len(sends) == 1, "the taker found the question in the channel, sent nothing again"
    assert sends[0].body["nonce"] == f"quizmaster-post-{post.id}" and sends[0].body["enforce_nonce"]
    in_channel = [m for m in fake.messages.values() if m["channel_id"] == fake.channel_id]
    assert len(in_channel) == 1, "the question was posted twice"
    threads = fake.find("POST", rf"/channels/{fake.channel_id}/messages/\d+/threads")
    statuses = [t.status for t in threads]
    assert statuses[0] == 201 and statuses[1:] and set(statuses[1:]) == {400}
    assert (stored.message_id, stored.thread_id) == (first.message_id, first.thread_id)
