"""Slack's App Home tab: `app_home_opened` publishes the member's own figures (`views.publish`)
with "practice now" and "open the web page", in English and Korean; the real Bolt app and core
against the loopback Slack fake."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.wiring import Wired
from tests.bot.platforms.slack.fake_slack import TEAM_ID
from tests.bot.platforms.slack.harness import MEMBER, SlackHttp
from tests.bot.platforms.slack.slack_payloads import CHANNEL, app_event, thread_reply
from tests.bot.platforms.slack.test_slack_http import ANSWER, grades, post_question

pytestmark = pytest.mark.asyncio(loop_scope="session")

_events = itertools.count(1)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's Slack settings with the web page set up, so the home links to it."""
    return settings.model_copy(
        update={
            "web_url": "https://quiz.example.com",
            "web_secret": SecretStr("a-web-secret-of-enough-length"),
        }
    )


async def open_home(slack: SlackHttp, user: str) -> tuple[str, dict[str, Any]]:
    """Open the member's Home tab; returns whom the view was published for, and the view."""
    before = len(slack.fake.called("views.publish"))
    event = app_event(
        "app_home_opened",
        team=TEAM_ID,
        event_id=f"EvHome{next(_events)}",
        user=user,
        channel=f"D{user}",
        tab="home",
    )
    assert await slack.event(event) == 200
    await slack.fake.wait_until(lambda: len(slack.fake.called("views.publish")) > before)
    call = slack.fake.called("views.publish")[-1]
    view = call.args["view"]  # a form-encoded call carries it as JSON text
    return call.args["user_id"], json.loads(view) if isinstance(view, str) else view


async def answer_today(slack: SlackHttp, service: Wired) -> int:
    question = await post_question(slack)
    thread_ts = question.result["ts"]
    event = thread_reply(
        text=ANSWER, user=MEMBER, thread_ts=thread_ts, event_id="EvHomeAnswer", ts="1800000050.1"
    )
    assert await slack.event(event) == 200
    await slack.fake.wait_until(lambda: len(grades(slack.fake, thread_ts)) >= 1)
    [answer] = await service.repo.answers.user_answers(
        platform="slack", channel_id=CHANNEL, user_id=MEMBER
    )
    return answer.score


def fields_of(view: dict[str, Any]) -> list[str]:
    return [f["text"] for block in view["blocks"] for f in block.get("fields", [])]


def buttons(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        e["action_id"]: e
        for block in view["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
    }


async def test_the_home_tab_shows_the_members_own_figures(
    slack_http: SlackHttp, service: Wired
) -> None:
    score = await answer_today(slack_http, service)
    user, view = await open_home(slack_http, MEMBER)
    assert user == MEMBER
    assert view["type"] == "home"
    assert view["blocks"][0]["text"]["text"] == "member-UALICE: where you stand"
    fields = fields_of(view)
    assert "*Streak*\n1 day" in fields
    assert f"*Points this week*\n{score} points" in fields
    found = buttons(view)
    assert found["quiz_home_practice"]["value"] == CHANNEL
    assert found["quiz_home_web"]["url"].startswith("https://quiz.example.com/")
    assert found["quiz_home_practice"]["text"]["text"] == "Practice now"


async def test_practice_now_answers_privately_in_the_members_channel(
    slack_http: SlackHttp, service: Wired
) -> None:
    await answer_today(slack_http, service)
    await open_home(slack_http, MEMBER)
    click = {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": MEMBER, "username": MEMBER.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0QUIZ",
        "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": "V1"},
        "trigger_id": "trigger-home",
        "view": {"id": "V1", "type": "home"},
        "actions": [{"action_id": "quiz_home_practice", "block_id": "quiz_home", "value": CHANNEL}],
    }
    status, _ = await slack_http.interact(click)
    assert status == 200
    await slack_http.fake.wait_until(lambda: bool(slack_http.fake.called("chat.postEphemeral")))
    [shown] = slack_http.fake.called("chat.postEphemeral")
    assert shown.args["user"] == MEMBER and shown.args["channel"] == CHANNEL


async def test_before_any_answer_the_home_says_how_to_start(slack_http: SlackHttp) -> None:
    _, view = await open_home(slack_http, "UNEWBIE")
    assert "Answer the question of the day" in view["blocks"][0]["text"]["text"]
    assert not buttons(view)


async def test_the_home_tab_in_korean(slack_http: SlackHttp, service: Wired) -> None:
    await service.posting.channel("slack", CHANNEL)
    await service.repo.channels.update_lang(platform="slack", channel_id=CHANNEL, lang="ko")
    score = await answer_today(slack_http, service)
    _, view = await open_home(slack_http, MEMBER)
    assert view["blocks"][0]["text"]["text"] == "member-UALICE님의 현황"
    assert f"*이번 주 점수*\n{score}점" in fields_of(view)
    assert buttons(view)["quiz_home_practice"]["text"]["text"] == "지금 연습하기"
