"""A platform stand-in for core tests: records every reply the core sends."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.core.messages import Posted, Reply, ReplyKind


@dataclass
class RecordingTransport:
    sent: list[Reply] = field(default_factory=list)
    edits: list[tuple[Posted, Reply]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def send(self, reply: Reply) -> Posted:
        self.sent.append(reply)
        message_id = f"m{next(self._ids)}"
        return Posted(message_id=message_id, thread_id=message_id if reply.open_thread else None)

    async def edit(self, posted: Posted, reply: Reply) -> None:
        self.edits.append((posted, reply))

    def of_kind(self, kind: ReplyKind) -> list[Reply]:
        return [reply for reply in self.sent if reply.kind == kind]
