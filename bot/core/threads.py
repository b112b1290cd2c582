"""Which day's post a message belongs to, and that post's prompt sequence."""

from __future__ import annotations

from bot.core.messages import Incoming
from bot.core.models import PostRow
from bot.core.ports import PostLookup
from content.bank import Bank
from content.schema import Prompt


def sequence(bank: Bank, post: PostRow) -> list[Prompt]:
    """The main question and its follow-ups, in order (step 0 is the main question)."""
    main = bank.get(post.prompt_id)
    return [main, *bank.followups(main.id)]


async def current_post(repo: PostLookup, incoming: Incoming) -> PostRow | None:
    """The post whose thread the message is in; outside a thread, the channel's latest post.
    A thread that is not a question's (under a leaderboard, say) has no post: answering there
    must not count for today's question."""
    if incoming.thread_id is not None:
        return await repo.post_for_thread(
            platform=incoming.platform,
            channel_id=incoming.channel_id,
            thread_id=incoming.thread_id,
        )
    return await repo.latest_post(platform=incoming.platform, channel_id=incoming.channel_id)


def no_post_key(incoming: Incoming) -> str:
    """The message for a member whose message has no question to go to."""
    return "no_question" if incoming.thread_id is None else "not_question_thread"
