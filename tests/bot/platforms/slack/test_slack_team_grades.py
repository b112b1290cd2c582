"""The team teaches the grader, through Slack in a Korean channel: once an admin grades a group of
a question's answers and applies it, a member's reply near that group is graded near the team's
grade, and the grade in the thread says so in Korean; a reply far from the group is told of no
team grade. The real Bolt app against the loopback Slack fake."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.wiring import Wired
from tests.bot.platforms.slack.harness import SlackHttp
from tests.bot.platforms.slack.slack_payloads import CHANNEL
from tests.bot.platforms.slack.team_threads import answer_all, post_team_question, score
from tests.bot.test_team_grades_live import grade_answers, group_grading
from tests.evaluators.test_team_evidence import FAR, NEW, RELU_QUESTION, SPEED_ONLY

pytestmark = pytest.mark.asyncio(loop_scope="session")

TEAM_GRADE = 95
TOLD = f"팀이 {TEAM_GRADE}점으로 채점한 답과 가까운 답이에요."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"lang": "ko"})


async def test_a_reply_near_a_group_the_team_graded_is_told_so_in_korean(
    slack_http: SlackHttp, service: Wired
) -> None:
    prompt = service.bank.every_channel().find_by_text(RELU_QUESTION)
    assert prompt is not None
    thread = await post_team_question(slack_http, prompt.id, RELU_QUESTION)
    group = {f"UGROUP{n}": answer for n, answer in enumerate(SPEED_ONLY)}
    alone = score((await answer_all(slack_http, thread, {**group, "UBEFORE": NEW}))["UBEFORE"])

    await grade_answers(
        group_grading(service), ("slack", CHANNEL), prompt, SPEED_ONLY, score=TEAM_GRADE
    )
    later = {"UNEAR": NEW, "UFAR": FAR}
    graded = await answer_all(slack_http, thread, later, first=len(group) + 2)
    assert TOLD in graded["UNEAR"], graded["UNEAR"]
    assert alone < 80 <= score(graded["UNEAR"]), (alone, graded["UNEAR"])
    assert "채점한 답과 가까운" not in graded["UFAR"], graded["UFAR"]
