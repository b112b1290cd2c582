"""Slack payloads -> core `Incoming`. Pure functions; no Slack calls.

Slash commands and buttons are lines in the shared grammar, which the core parses; thread replies
and the answer modal are answers, built here as such, even text starting with `/`: Slack runs a
slash command itself (and asks for a leading space to send such text as a message), so a reply
that reaches us is text the member meant to send.

Ids chosen for the core's once-only ingest: a message's `ts` (the same on every redelivery),
a modal's view id (one modal, one answer), a slash command's `trigger_id` (it has no other).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.core.messages import Actor, Incoming
from bot.core.quiz.answering import Answer
from bot.platforms.slack.mentions import unescape
from bot.platforms.slack.render import ACTION_ANSWER, ANSWER_BLOCK, ANSWER_INPUT
from content.schema import Lang

PLATFORM = "slack"
# Message subtypes that are still a member typing an answer; every other subtype (edits,
# deletions, joins, bot posts) is not.
_ANSWER_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})

Payload = dict[str, Any]
_QUESTION_CHARS = 2900  # a modal section holds 3000


def command_text(command: Payload) -> str:
    """`/quiz` + its text is already the shared grammar (Slack reserves `/help`, so members
    type `/quiz help`, which the core also knows)."""
    return f"{command['command']} {command.get('text') or ''}".strip()


def from_command(command: Payload, actor: Actor) -> Incoming:
    return Incoming(
        platform=PLATFORM,
        channel_id=command["channel_id"],
        actor=actor,
        text=command_text(command),
        message_id=command.get("trigger_id"),
        received_at=datetime.now(UTC),
        private=command.get("channel_name") == "directmessage",
    )


def is_answer_message(event: Payload, *, bot_user_id: str | None) -> bool:
    """A member's reply in a thread the bot started (Slack names the thread's author in
    `parent_user_id`); top-level chatter and other people's threads are not answers."""
    if event.get("subtype") not in _ANSWER_SUBTYPES or event.get("bot_id") or not event.get("user"):
        return False
    if not (event.get("text") or "").strip():
        return False
    if event.get("thread_ts") in (None, event.get("ts")):
        return False
    parent = event.get("parent_user_id")
    return parent is None or parent == bot_user_id


def from_message(event: Payload, actor: Actor) -> Incoming:
    """Slack escapes `&`, `<`, `>` in message text; the grader reads what the member typed."""
    return Incoming(
        platform=PLATFORM,
        channel_id=event["channel"],
        actor=actor,
        command=Answer(unescape(event["text"])),
        message_id=event["ts"],
        thread_id=event.get("thread_ts"),
        received_at=_from_ts(event["ts"]),
    )


def action_thread(body: Payload) -> tuple[str, str]:
    """(channel, thread ts) of the question post a button sits on; the post is its thread."""
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id")
    return str(channel), str(message.get("thread_ts") or message["ts"])


def question_text(body: Payload) -> str:
    """The question itself (the first section of the post the button sits on), to show above
    the answer box. It is our own mrkdwn as Slack stored it, so it is already escaped."""
    message = body.get("message") or {}
    for block in message.get("blocks") or []:
        if block.get("type") == "section" and "text" in block:
            return str(block["text"]["text"])[:_QUESTION_CHARS]
    return str(message.get("text") or "")[:_QUESTION_CHARS]


def card_lang(body: Payload) -> Lang:
    """The language of the question card a button sits on: its Answer button carries it
    (`render`), so the dialog it opens speaks the card's language; Korean, the default, where
    the card does not say."""
    message = body.get("message") or {}
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == ACTION_ANSWER and element.get("value") == "en":
                return "en"
    return "ko"


def from_action(body: Payload, actor: Actor, *, text: str) -> Incoming:
    channel_id, thread_ts = action_thread(body)
    return Incoming(
        platform=PLATFORM,
        channel_id=channel_id,
        actor=actor,
        text=text,
        message_id=body.get("trigger_id"),
        thread_id=thread_ts,
        received_at=datetime.now(UTC),
    )


def modal_answer(view: Payload) -> str:
    values = view["state"]["values"]
    return str(values[ANSWER_BLOCK][ANSWER_INPUT].get("value") or "")


def from_view(view: Payload, actor: Actor) -> Incoming:
    """A modal's text input arrives unescaped, as typed."""
    where = json.loads(view.get("private_metadata") or "{}")
    return Incoming(
        platform=PLATFORM,
        channel_id=where["channel"],
        actor=actor,
        command=Answer(modal_answer(view)),
        message_id=f"view-{view['id']}",
        thread_id=where.get("thread_ts"),
        received_at=datetime.now(UTC),
    )


def _from_ts(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), tz=UTC)
