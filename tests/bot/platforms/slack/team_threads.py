"""A team question posted with `/quiz now <prompt-id>` in the fake Slack and answered in its
thread: the helpers the team bank tests (CSV and notes) share to find the post, reply as members
and read each member's grade."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.bot.platforms.slack.fake_slack import Call, FakeSlack
from tests.bot.platforms.slack.harness import ADMIN, SlackHttp
from tests.bot.platforms.slack.slack_payloads import thread_reply

SCORE = re.compile(r"\*(\d{1,3})/100\* · (.+)")
ADDRESSEE = re.compile(r"^<@(\w+)>")


def question_post(fake: FakeSlack, question: str) -> Call | None:
    """The channel post (not a thread reply) that asks `question`, once it is there."""
    return next(
        (
            call
            for call in fake.called("chat.postMessage")
            if "thread_ts" not in call.args and question in call.args["text"]
        ),
        None,
    )


async def post_team_question(slack: SlackHttp, prompt_id: str, question: str) -> str:
    """An admin posts the named team question; returns its thread's ts."""
    assert await slack.command(f"now {prompt_id}", user=ADMIN) == 200
    await slack.fake.wait_until(lambda: question_post(slack.fake, question) is not None)
    post = question_post(slack.fake, question)
    assert post is not None
    ts: str = post.result["ts"]
    return ts


def grade_posts(fake: FakeSlack, thread_ts: str) -> dict[str, Call]:
    """The grade replies in a thread, by the member they address."""
    graded = {}
    for call in fake.called("chat.postMessage"):
        text = call.args["text"]
        addressee = ADDRESSEE.match(text)
        if addressee and call.args.get("thread_ts") == thread_ts and SCORE.search(text):
            graded[addressee.group(1)] = call
    return graded


def graded(fake: FakeSlack, thread_ts: str, user: str) -> Callable[[], bool]:
    return lambda: user in grade_posts(fake, thread_ts)


async def answer_all(
    slack: SlackHttp, thread_ts: str, answers: dict[str, str], *, first: int = 1
) -> dict[str, str]:
    """Each member replies in the thread; returns each member's grade text once all are in.
    The replies' event ids and timestamps are numbered from `first`: a later round in the same
    thread starts past the earlier ones (a repeated id is a retry, which the bot drops)."""
    for number, (user, text) in enumerate(answers.items(), start=first):
        event = thread_reply(
            text=text,
            user=user,
            thread_ts=thread_ts,
            event_id=f"EvTeam{thread_ts}{number}",
            ts=f"{thread_ts}{number}",
        )
        assert await slack.event(event) == 200
        await slack.fake.wait_until(graded(slack.fake, thread_ts, user))
    return {user: call.args["text"] for user, call in grade_posts(slack.fake, thread_ts).items()}


def score(grade_text: str) -> int:
    match = SCORE.search(grade_text)
    assert match, grade_text
    assert match.group(2).strip() != "thanks for sharing", "a team prompt is graded"
    return int(match.group(1))
