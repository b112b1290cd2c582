"""The HTTP Events API end to end: signed requests into Bolt's aiohttp server, the real core
and grader behind it, and the fake Slack Web API recording what we post."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import pytest

from bot.core.texts import text
from bot.wiring import Wired
from content.schema import Lang
from tests.bot.platforms.slack.fake_slack import Call, FakeSlack
from tests.bot.platforms.slack.harness import (
    ADMIN,
    MEMBER,
    PRIVATE_CHANNEL,
    PUBLIC_ELSEWHERE,
    SlackHttp,
)
from tests.bot.platforms.slack.slack_payloads import (
    CHANNEL,
    button_click,
    form_body,
    slash_command,
    thread_reply,
    view_submission,
)
from tests.one_language import foreign_lines

pytestmark = pytest.mark.asyncio(loop_scope="session")

ANSWER = (
    "Gradient descent updates the parameters against the gradient of the loss, scaled by "
    "the learning rate, until the loss stops improving."
)


async def post_question(slack: SlackHttp) -> Call:
    assert await slack.command("now", user=ADMIN) == 200
    posts = await slack.fake.wait_for_calls("chat.postMessage")
    return posts[0]


def thread_posts(fake: FakeSlack, thread_ts: str) -> list[Call]:
    return [c for c in fake.called("chat.postMessage") if c.args.get("thread_ts") == thread_ts]


def grades(fake: FakeSlack, thread_ts: str) -> list[Call]:
    return [c for c in thread_posts(fake, thread_ts) if "/100*" in c.args["text"]]


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [
        element["action_id"]
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def as_slack_message(post: Call) -> dict[str, Any]:
    """The question post as Slack hands it back inside an interaction payload."""
    return {
        "type": "message",
        "ts": post.result["ts"],
        "user": "UBOT",
        "text": post.args["text"],
        "blocks": post.args["blocks"],
    }


async def test_signed_quiz_now_posts_the_question_with_buttons(slack_http: SlackHttp) -> None:
    question = await post_question(slack_http)

    assert question.token == "xoxb-test-token"
    assert question.args["channel"] == CHANNEL
    assert [b["type"] for b in question.args["blocks"]][:2] == ["header", "section"]
    assert action_ids(question.args["blocks"]) == [
        "quiz_answer",
        "quiz_hint",
        "quiz_reveal",
        "quiz_lang",
    ]
    assert "link_names" not in question.args
    assert len(slack_http.fake.called("auth.test")) == 1


async def test_bad_signature_or_stale_request_is_refused_without_any_api_call(
    slack_http: SlackHttp,
) -> None:
    body = form_body(
        slash_command("/quiz", "now", user=ADMIN, response_url=slack_http.fake.response_url("x"))
    )
    forged = {"X-Slack-Signature": "v0=" + "0" * 64}
    stale_stamp = str(int(time.time()) - 6 * 60)
    stale = {"X-Slack-Request-Timestamp": stale_stamp}

    for headers in (forged, stale):
        status, _ = await slack_http.post(
            body, content_type="application/x-www-form-urlencoded", headers=headers
        )
        assert status == 401
    await asyncio.sleep(0.3)
    assert slack_http.fake.calls == []


async def test_thread_reply_is_graded_once_when_slack_delivers_it_four_times(
    slack_http: SlackHttp, service: Wired, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="quizmaster")
    question = await post_question(slack_http)
    thread_ts = question.result["ts"]
    event = thread_reply(
        text=ANSWER, user=MEMBER, thread_ts=thread_ts, event_id="Ev0001", ts="1800000000.000100"
    )

    statuses = [await slack_http.event(event)]
    statuses += [await slack_http.event(event, retry_num=n) for n in (1, 2, 3)]

    assert statuses == [200, 200, 200, 200]
    await slack_http.fake.wait_until(lambda: len(grades(slack_http.fake, thread_ts)) >= 1)
    await asyncio.sleep(0.5)
    [grade] = grades(slack_http.fake, thread_ts)
    assert grade.args["text"].startswith(f"<@{MEMBER}> ")
    answers = await service.repo.answers.user_answers(
        platform="slack", channel_id=CHANNEL, user_id=MEMBER
    )
    assert len(answers) == 1
    dropped = [r for r in caplog.records if r.getMessage().startswith("dropping redelivered")]
    assert len(dropped) == 3, "the adapter, not only the core, drops the retries"


async def test_same_message_under_a_new_event_id_is_still_graded_once(
    slack_http: SlackHttp,
) -> None:
    """Past the adapter's event-id cache (a restart, say) the core's message-id check holds."""
    question = await post_question(slack_http)
    thread_ts = question.result["ts"]
    for event_id in ("Ev0101", "Ev0102"):
        event = thread_reply(
            text=ANSWER, user=MEMBER, thread_ts=thread_ts, event_id=event_id, ts="1800000000.9"
        )
        assert await slack_http.event(event) == 200

    await slack_http.fake.wait_until(lambda: len(grades(slack_http.fake, thread_ts)) >= 1)
    await asyncio.sleep(0.5)
    assert len(grades(slack_http.fake, thread_ts)) == 1


async def test_a_thread_reply_starting_with_a_slash_is_an_answer_even_from_an_admin(
    slack_http: SlackHttp, service: Wired
) -> None:
    """Slack runs slash commands itself; a reply that reaches the thread is text to grade, as on
    Discord (see test_discord_bot)."""
    question = await post_question(slack_http)
    thread_ts = question.result["ts"]
    event = thread_reply(
        text="/quiz reveal", user=ADMIN, thread_ts=thread_ts, event_id="Ev0301", ts="1800000002.1"
    )

    assert await slack_http.event(event) == 200

    await slack_http.fake.wait_until(lambda: len(grades(slack_http.fake, thread_ts)) == 1)
    assert (
        len(
            await service.repo.answers.user_answers(
                platform="slack", channel_id=CHANNEL, user_id=ADMIN
            )
        )
        == 1
    )
    post = await service.repo.posts.latest_post(platform="slack", channel_id=CHANNEL)
    assert post is not None and not post.revealed
    shown = json.dumps([c.args for c in slack_http.fake.calls])
    assert "Reference answer" not in shown and "모범 답안" not in shown


async def test_answer_button_opens_a_modal_whose_submission_is_graded_in_the_thread(
    slack_http: SlackHttp,
) -> None:
    question = await post_question(slack_http)
    thread_ts = question.result["ts"]
    click = button_click(
        action_id="quiz_answer",
        user=MEMBER,
        message=as_slack_message(question),
        response_url=slack_http.fake.response_url(MEMBER),
    )

    status, _ = await slack_http.interact(click)
    assert status == 200
    [opened] = await slack_http.fake.wait_for_calls("views.open")
    view = (
        json.loads(opened.args["view"])
        if isinstance(opened.args["view"], str)
        else opened.args["view"]
    )
    assert opened.args["trigger_id"] == click["trigger_id"]
    assert json.loads(view["private_metadata"]) == {"channel": CHANNEL, "thread_ts": thread_ts}

    status, body = await slack_http.interact(view_submission(user=MEMBER, view=view, answer=ANSWER))
    assert (status, body) == (200, "")
    await slack_http.fake.wait_until(lambda: len(grades(slack_http.fake, thread_ts)) == 1)


@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_the_answer_dialog_speaks_the_channels_language_only(
    slack_http: SlackHttp, lang: Lang
) -> None:
    """The card's buttons and the dialog its Answer button opens, through Bolt's real handling
    of the click: in the channel's language, not in both at once."""
    assert await slack_http.command(f"lang {lang}", user=ADMIN) == 200
    assert await slack_http.command("now", user=ADMIN) == 200
    await slack_http.fake.wait_until(
        lambda: any(action_ids(c.args.get("blocks") or []) for c in posted(slack_http.fake))
    )
    [question] = [c for c in posted(slack_http.fake) if action_ids(c.args.get("blocks") or [])]
    click = button_click(
        action_id="quiz_answer",
        user=MEMBER,
        message=as_slack_message(question),
        response_url=slack_http.fake.response_url(MEMBER),
    )
    assert (await slack_http.interact(click))[0] == 200
    [opened] = await slack_http.fake.wait_for_calls("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    said = [view["title"]["text"], view["submit"]["text"], view["close"]["text"]]
    said.append(view["blocks"][-1]["label"]["text"])
    keys = ("answer_dialog_title", "answer_dialog_submit", "answer_dialog_close")
    assert said == [text(lang, key) for key in (*keys, "answer_dialog_label")]
    buttons = [
        element["text"]["text"]
        for block in question.args["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "button"
    ]
    assert foreign_lines(said + buttons, lang) == []


def posted(fake: FakeSlack) -> list[Call]:
    return fake.called("chat.postMessage")


async def test_member_text_never_pings_the_channel_or_other_members(
    slack_http: SlackHttp,
) -> None:
    question = await post_question(slack_http)
    thread_ts = question.result["ts"]
    hostile = "<!channel> <!here> <!everyone> <@U0BOSS> <!subteam^S0TEAM> " + ANSWER
    event = thread_reply(
        text=hostile, user=MEMBER, thread_ts=thread_ts, event_id="Ev0201", ts="1800000001.1"
    )
    assert await slack_http.event(event) == 200
    assert await slack_http.command("stats <!channel>", user=MEMBER) == 200

    await slack_http.fake.wait_until(lambda: len(grades(slack_http.fake, thread_ts)) == 1)
    await slack_http.fake.wait_until(lambda: len(slack_http.fake.responses) == 1)
    posted = [json.dumps(c.args) for c in slack_http.fake.calls]
    posted += [json.dumps(r) for r in slack_http.fake.responses]
    for raw in ("<!channel>", "<!here>", "<!everyone>", "<@U0BOSS>", "<!subteam^"):
        assert not any(raw in text for text in posted), raw
    assert "&lt;!channel&gt;" in json.dumps(slack_http.fake.responses[0])


async def test_command_errors_reach_only_the_caller(slack_http: SlackHttp) -> None:
    assert await slack_http.command("now", user=MEMBER) == 200

    await slack_http.fake.wait_until(lambda: len(slack_http.fake.responses) == 1)
    [response] = slack_http.fake.responses
    assert response["response_type"] == "ephemeral"
    assert slack_http.fake.called("chat.postMessage") == []


async def test_bot_joins_a_public_channel_it_is_asked_to_post_in(slack_http: SlackHttp) -> None:
    assert await slack_http.command("now", user=ADMIN, channel=PUBLIC_ELSEWHERE) == 200

    attempts = await slack_http.fake.wait_for_calls("chat.postMessage", count=2)
    assert [a.result.get("error") for a in attempts] == ["not_in_channel", None]
    [join] = slack_http.fake.called("conversations.join")
    assert join.args["channel"] == PUBLIC_ELSEWHERE


async def test_private_channel_without_the_bot_gets_one_clear_instruction(
    slack_http: SlackHttp,
) -> None:
    assert await slack_http.command("now", user=ADMIN, channel=PRIVATE_CHANNEL) == 200

    await slack_http.fake.wait_until(lambda: bool(slack_http.fake.responses))
    await asyncio.sleep(0.3)
    [response] = slack_http.fake.responses
    assert "/invite @quizmaster" in response["text"]
    assert response["response_type"] == "ephemeral"


async def test_hint_button_answers_in_the_question_thread(slack_http: SlackHttp) -> None:
    question = await post_question(slack_http)
    thread_ts = question.result["ts"]
    click = button_click(
        action_id="quiz_hint",
        user=MEMBER,
        message=as_slack_message(question),
        response_url=slack_http.fake.response_url(MEMBER),
    )

    status, _ = await slack_http.interact(click)

    assert status == 200
    await slack_http.fake.wait_until(
        lambda: bool(thread_posts(slack_http.fake, thread_ts)) or bool(slack_http.fake.responses)
    )
    [hint] = thread_posts(slack_http.fake, thread_ts)
    assert hint.args["text"].startswith(f"<@{MEMBER}> ")


async def test_rate_limited_post_is_retried_by_the_client(slack_http: SlackHttp) -> None:
    slack_http.fake.rate_limit("chat.postMessage", times=1)

    await slack_http.command("now", user=ADMIN)

    attempts = await slack_http.fake.wait_for_calls("chat.postMessage", count=2)
    assert [a.result["ok"] for a in attempts] == [False, True]
    assert attempts[0].args == attempts[1].args


async def test_share_with_a_mention_after_it_quotes_what_was_typed(slack_http: SlackHttp) -> None:
    assert await slack_http.command("share on <!channel>", user=MEMBER) == 200
    await slack_http.fake.wait_until(lambda: len(slack_http.fake.responses) == 1)
    [response] = slack_http.fake.responses
    shown = json.dumps(response, ensure_ascii=False)
    assert "'on &lt;!channel&gt;'? Type `/quiz share on` or `/quiz share off`." in shown
    assert "<!channel>" not in shown
