"""A platform stand-in for core tests: records every reply the core sends, as a platform with
`<@id>` mentions shows it (the addressee's mention in front of the text)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.core.messages import Posted, Reply, ReplyKind


@dataclass
class RecordingTransport:
    sent: list[Reply] = field(default_factory=list)
    edits: list[tuple[Posted, Reply]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _questions: dict[int, Posted] = field(default_factory=dict)

    async def send(self, reply: Reply) -> Posted:
        self.sent.append(shown(reply))
        message_id = f"m{next(self._ids)}"
        posted = Posted(message_id=message_id, thread_id=message_id if reply.open_thread else None)
        if reply.card is not None and reply.card.post_id is not None:
            self._questions[reply.card.post_id] = posted
        return posted

    async def find_question(self, reply: Reply, *, since: datetime) -> Posted | None:
        """A question sent here before, as Slack's channel history finds it by its post."""
        assert reply.card is not None and reply.card.post_id is not None
        return self._questions.get(reply.card.post_id)

    async def replies_sent(
        self, channel_id: str, thread_id: str, message_id: str, *, since: datetime
    ) -> frozenset[ReplyKind]:
        """As Slack's thread history tells them, from the replies' marks."""
        return frozenset(
            reply.kind
            for reply in self.sent
            if (reply.channel_id, reply.thread_id, reply.answers)
            == (channel_id, thread_id, message_id)
        )

    async def edit(self, posted: Posted, reply: Reply) -> None:
        self.edits.append((posted, shown(reply)))

    def of_kind(self, kind: ReplyKind) -> list[Reply]:
        return [reply for reply in self.sent if reply.kind == kind]


def shown(reply: Reply) -> Reply:
    """The reply with its addressee's `<@id>` in front of the text, where a platform puts it."""
    if reply.addressee is None:
        return reply
    return replace(reply, text=f"<@{reply.addressee}> {reply.text}")
