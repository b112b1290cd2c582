"""Chat notices left in the database by a process with no chat connection (the web page, when
`quizmaster web` runs on its own), sent by the bot's scheduler tick: each is claimed before it
is sent, so several replicas on one database send it once between them."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

from bot.core.messages import Reply, Transport

log = logging.getLogger("quizmaster.core")


class NoticeStore(Protocol):
    """The outbox of chat notices written where no chat connection is (the web page), sent by
    the bot's scheduler (`bot.core.flow.notices`)."""

    async def queue_notice(self, *, platform: str, reply: Reply, queued_at: datetime) -> None: ...

    async def claim_notices(self, *, platform: str, by: str, at: datetime) -> list[Reply]:
        """The platform's unsent notices, oldest first, now claimed by `by`: a notice is
        claimed once, so another replica never sends it again."""
        ...


async def send_notices(
    store: NoticeStore, platform: str, transport: Transport, *, by: str, now: datetime
) -> int:
    """Send the platform's waiting notices; how many. A notice whose sending fails is logged
    and not tried again: claimed means sent at most once."""
    notices = await store.claim_notices(platform=platform, by=by, at=now)
    for notice in notices:
        try:
            await transport.send(notice)
        except Exception:
            log.exception("notice to %s in %s not sent", notice.user_id, notice.channel_id)
    return len(notices)
