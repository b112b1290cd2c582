"""Which Slack payloads become which core messages: pure functions, no Slack."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.messages import Actor
from bot.core.quiz.answering import Answer
from bot.platforms.slack import inbound

ALICE = Actor(user_id="UALICE", display_name="alice")


def message(**overrides: Any) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel": "C1",
        "user": "UALICE",
        "text": "a &lt; b &amp; <@U2>",
        "ts": "1700000000.000200",
        "thread_ts": "1700000000.000100",
        "parent_user_id": "UBOT",
    }
    return {**event, **overrides}


@pytest.mark.parametrize(
    ("overrides", "is_answer"),
    [
        ({}, True),
        ({"subtype": "thread_broadcast"}, True),
        ({"parent_user_id": None}, True),
        ({"parent_user_id": "USOMEONE"}, False),
        ({"thread_ts": None}, False),
        ({"thread_ts": "1700000000.000200"}, False),
        ({"subtype": "message_changed"}, False),
        ({"bot_id": "B2"}, False),
        ({"text": "  "}, False),
    ],
)
def test_only_member_replies_in_the_bots_threads_are_answers(
    overrides: dict[str, Any], is_answer: bool
) -> None:
    event = {k: v for k, v in message(**overrides).items() if v is not None}

    assert inbound.is_answer_message(event, bot_user_id="UBOT") is is_answer


def test_a_thread_reply_is_an_answer_in_that_thread_keyed_by_its_ts() -> None:
    incoming = inbound.from_message(message(), ALICE)

    assert incoming.command == Answer("a < b & <@U2>")
    assert (incoming.channel_id, incoming.thread_id) == ("C1", "1700000000.000100")
    assert incoming.message_id == "1700000000.000200"
    assert incoming.platform == "slack"


def test_a_slash_command_is_the_console_grammar_keyed_by_its_trigger() -> None:
    command = {
        "command": "/quiz",
        "text": "leaderboard month",
        "channel_id": "C1",
        "channel_name": "study",
        "trigger_id": "trig-1",
    }

    incoming = inbound.from_command(command, ALICE)

    assert (incoming.text, incoming.message_id, incoming.private) == (
        "/quiz leaderboard month",
        "trig-1",
        False,
    )
    assert inbound.from_command({**command, "text": ""}, ALICE).text == "/quiz"
    assert inbound.from_command({**command, "channel_name": "directmessage"}, ALICE).private


def test_a_button_acts_on_the_thread_of_the_post_it_sits_on() -> None:
    body = {
        "channel": {"id": "C1"},
        "message": {"ts": "1.1", "blocks": [{"type": "section", "text": {"text": "Why?"}}]},
        "trigger_id": "trig-2",
    }

    incoming = inbound.from_action(body, ALICE, text="/quiz hint")

    assert (incoming.channel_id, incoming.thread_id, incoming.text) == ("C1", "1.1", "/quiz hint")
    assert inbound.question_text(body) == "Why?"
