"""An answer in the thread of a question another replica is still sending waits for it and
goes to it, however that replica's write of the thread falls between this one's reads (issue
17: answers turned away as "not a question's thread" when it fell between two of them)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.core.messages import Actor, Incoming
from bot.core.models import ChannelRow, PostClaim, PostRow
from bot.core.quiz.threads import current_post
from bot.storage.repository import Repository

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
THREAD = "1700000000.000100"


class SentDuringLookup:
    """The repository as this replica reads it, while the replica sending `post` records its
    thread the moment this one's thread lookup has missed it (the interleaving the chaos test
    hit under load, made to happen every time). Every read is the repository's own."""

    def __init__(self, repo: Repository, post: PostRow) -> None:
        self._repo = repo
        self._post = post
        self.recorded = False

    async def post_for_thread(
        self, *, platform: str, channel_id: str, thread_id: str
    ) -> PostRow | None:
        found = await self._repo.posts.post_for_thread(
            platform=platform, channel_id=channel_id, thread_id=thread_id
        )
        if found is None and not self.recorded:
            self.recorded = True
            await self._repo.posts.set_post_location(
                post_id=self._post.id, message_id=THREAD, thread_id=THREAD
            )
        return found

    async def latest_post(self, *, platform: str, channel_id: str) -> PostRow | None:
        return await self._repo.posts.latest_post(platform=platform, channel_id=channel_id)


async def test_an_answer_finds_its_question_when_the_thread_is_recorded_between_reads(
    repo: Repository,
) -> None:
    channel = ChannelRow("slack", "C1", "en", "UTC", "09:00", "daily", True, NOW)
    await repo.channels.ensure_channel(channel, created_at=NOW)
    post = await repo.posts.claim_post(
        PostClaim(
            platform="slack",
            channel_id="C1",
            day=date(2026, 11, 2),
            prompt_id="q01",
            scheduled=True,
            posted_at=NOW,
            replica_id="sending-replica",
        )
    )
    assert post is not None and post.message_id is None
    answer = Incoming(
        platform="slack",
        channel_id="C1",
        actor=Actor("U1", "Ann"),
        text="an answer",
        message_id="1700000000.000200",
        thread_id=THREAD,
    )
    lookup = SentDuringLookup(repo, post)

    found = await current_post(lookup, answer)

    assert lookup.recorded, "the thread was recorded while the answer looked for it"
    assert found is not None and found.id == post.id
    assert found.thread_id == THREAD
