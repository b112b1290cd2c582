"""A platform stand-in for core tests: records every reply the core sends, as a platform with
`<@id>` mentions shows it (the addressee's mention in front of the text)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.core.messages import Posted, Reply, ReplyKind


@dataclass
class RecordingTransport:
    threads = True
    sent: list[Reply] = field(default_factory=list)
    edits: list[tuple[Posted, Reply]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _questions: dict[int | str, Posted] = field(default_factory=dict)

    async def send(self, reply: Reply) -> Posted:
        self.sent.append(shown(reply))
        message_id = f"m{next(self._ids)}"
        posted = Posted(message_id=message_id, thread_id=message_id if reply.open_thread else None)
        if (key := _mark(reply)) is not None:
            self._questions[key] = posted
        return posted

    async def find_question(self, reply: Reply, *, since: datetime) -> Posted | None:
        """A question (or once-only post) sent here before, as Slack's channel history finds
        it by its post (or key)."""
        key = _mark(reply)
        assert key is not None
        return self._questions.get(key)

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


def _mark(reply: Reply) -> int | str | None:
    """What a platform keeps with a question or once-only post to find it again."""
    if reply.card is not None and reply.card.post_id is not None:
        return reply.card.post_id
    return reply.once


def shown(reply: Reply) -> Reply:
    """The reply with its addressee's `<@id>` in front of the text, where a platform puts it."""
    if reply.addressee is None:
        return reply
    return replace(reply, text=f"<@{reply.addressee}> {reply.text}")
