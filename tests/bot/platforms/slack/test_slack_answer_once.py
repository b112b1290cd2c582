"""A Slack answer enters the core once: the event is read into an `Incoming` before Bolt's ack
(to claim it), and that same message, cleaned once, is what the listener hands to the grader
after the ack. Counted on the real functions as slack-bolt's request handling runs them."""

from __future__ import annotations

import pytest

from bot.core.commands import Grammar, member_command
from bot.core.flow import intake
from bot.core.member_text import member_text
from bot.platforms.slack import inbound
from tests.bot.platforms.slack.harness import MEMBER, SlackHttp
from tests.bot.platforms.slack.slack_payloads import thread_reply
from tests.bot.platforms.slack.test_slack_http import grades, post_question
from tests.call_counts import calls_of

pytestmark = pytest.mark.asyncio(loop_scope="session")

ANSWER = (
    "Gradient descent moves the parameters against the gradient of the loss &amp; scales "
    "each step by the learning rate, until the loss stops improving."
)


async def test_a_thread_reply_is_read_and_cleaned_once_from_event_to_grade(
    slack_http: SlackHttp,
) -> None:
    question = await post_question(slack_http)
    thread_ts = question.result["ts"]
    event = thread_reply(
        text=ANSWER, user=MEMBER, thread_ts=thread_ts, event_id="EvOnce1", ts="1800000100.000100"
    )

    with calls_of(
        inbound.is_answer_message,
        inbound.from_message,
        intake._member_text,
        member_command,
        Grammar.parse,
        member_text,
    ) as counts:
        assert await slack_http.event(event) == 200
        await slack_http.fake.wait_until(lambda: len(grades(slack_http.fake, thread_ts)) == 1)

    assert counts["is_answer_message"] == 1
    assert counts["from_message"] == 1, "the event is turned into an Incoming once"
    assert counts["_member_text"] == 1, "the message is cleaned once"
    assert counts["member_command"] == 1
    assert counts["Grammar.parse"] == 0, "a thread reply is an answer, never parsed as a command"
    # At the hold: the line of text (empty for an answer), the sender's id in their name's
    # place and the answer; after the ack, only the sender's name, learnt then.
    assert counts["member_text"] == 4
    [grade] = grades(slack_http.fake, thread_ts)
    assert grade.args["text"].startswith(f"<@{MEMBER}> ")
