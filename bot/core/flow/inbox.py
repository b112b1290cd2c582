"""A claimed message, kept in its claim until it is handled, so that a replica killed after
acknowledging it (the platform will not send it again) loses nothing: another replica, or its
own restart, takes the claim over once the killer's heartbeat is stale and handles the message.

Only messages the core can handle anywhere are kept: plain text (a command line or an answer)
and answers the platform already recognised. A command with typed options is not (it answers
through the interaction that brought it, which dies with the process).
"""

from __future__ import annotations

import json
from datetime import datetime

from bot.core.messages import Actor, Incoming
from bot.core.quiz.answering import Answer


def held(incoming: Incoming) -> str | None:
    """The message as its claim keeps it (JSON); None for one that cannot be resumed."""
    answer: str | None = None
    if isinstance(incoming.command, Answer):
        answer = incoming.command.text
    elif incoming.command is not None:
        return None
    return json.dumps(
        {
            "platform": incoming.platform,
            "channel_id": incoming.channel_id,
            "user_id": incoming.actor.user_id,
            "display_name": incoming.actor.display_name,
            "is_admin": incoming.actor.is_admin,
            "text": incoming.text,
            "message_id": incoming.message_id,
            "thread_id": incoming.thread_id,
            "received_at": None
            if incoming.received_at is None
            else incoming.received_at.isoformat(),
            "private": incoming.private,
            "threadless": incoming.threadless,
            "answer": answer,
        },
        ensure_ascii=False,
    )


def resumed(kept: str) -> Incoming:
    """The message a claim kept, as the platform first handed it over."""
    data = json.loads(kept)
    received = data["received_at"]
    return Incoming(
        platform=data["platform"],
        channel_id=data["channel_id"],
        actor=Actor(data["user_id"], data["display_name"], is_admin=data["is_admin"]),
        text=data["text"],
        message_id=data["message_id"],
        thread_id=data["thread_id"],
        received_at=None if received is None else datetime.fromisoformat(received),
        private=data["private"],
        threadless=data["threadless"],
        command=None if data["answer"] is None else Answer(data["answer"]),
    )
