"""Which day's post a message belongs to, and that post's prompt sequence."""

from __future__ import annotations

import asyncio

from bot.core.messages import Incoming
from bot.core.models import PostRow
from bot.core.ports import PostLookup
from content.bank import Bank
from content.schema import Prompt


def sequence(bank: Bank, post: PostRow) -> list[Prompt]:
    """The main question and its follow-ups, in order (step 0 is the main question), as the
    post's channel sees them."""
    seen = bank.seen_from(post.platform, post.channel_id)
    main = seen.get(post.prompt_id)
    return [main, *seen.followups(main.id)]


SENDING_WAIT_S = 5.0
"""How long an answer waits for a question that is being sent: a replica records a post's
thread only after the platform has accepted it, and a member (or another replica's member)
can answer in that thread before."""
_SENDING_POLL_S = 0.1


async def current_post(repo: PostLookup, incoming: Incoming) -> PostRow | None:
    """The post whose thread the message is in; outside a thread, the channel's latest post.
    A thread that is not a question's (under a leaderboard, say) has no post: answering there
    must not count for today's question. While the channel's latest post is still being sent
    (claimed, its thread not recorded yet), an unknown thread may be its: wait for it a while.

    The latest post is read before the thread is looked up: a thread recorded between the two
    reads is then found by the second, whereas in the other order the lookup could miss it and
    the latest post already show it sent, and the answer would be turned away (issue 17)."""
    if incoming.thread_id is None:
        return await repo.latest_post(platform=incoming.platform, channel_id=incoming.channel_id)
    for _ in range(int(SENDING_WAIT_S / _SENDING_POLL_S)):
        latest = await repo.latest_post(platform=incoming.platform, channel_id=incoming.channel_id)
        post = await repo.post_for_thread(
            platform=incoming.platform,
            channel_id=incoming.channel_id,
            thread_id=incoming.thread_id,
        )
        if post is not None:
            return post
        if latest is None or latest.message_id is not None:
            return None
        await asyncio.sleep(_SENDING_POLL_S)
    return None


def no_post_key(incoming: Incoming) -> str:
    """The message for a member whose message has no question to go to."""
    return "no_question" if incoming.thread_id is None else "not_question_thread"
