"""Which day's post a message belongs to, and that post's prompt sequence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.messages import Incoming
from bot.storage.records import PostRow
from content.bank import Bank
from content.schema import Prompt

if TYPE_CHECKING:
    from bot.storage.repository import Repository


def sequence(bank: Bank, post: PostRow) -> list[Prompt]:
    """The main question and its follow-ups, in order (step 0 is the main question)."""
    main = bank.get(post.prompt_id)
    return [main, *bank.followups(main.id)]


async def current_post(repo: Repository, incoming: Incoming) -> PostRow | None:
    """The post whose thread the message is in; outside a thread, the channel's latest post."""
    if incoming.thread_id is not None:
        post = await repo.post_for_thread(
            incoming.platform, incoming.channel_id, incoming.thread_id
        )
        if post is not None:
            return post
    return await repo.latest_post(incoming.platform, incoming.channel_id)
