"""A team's study notes through Slack: both layouts imported by the real
`quizmaster content import notes`, loaded from `bank_dir`, posted with `/quiz now <prompt-id>`,
graded in the question's thread by the real Bolt app, and the follow-up asked in the thread once
a member has answered the main question."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from tests import team_notes as notes
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.bot.platforms.slack.harness import SlackHttp
from tests.bot.platforms.slack.team_threads import SCORE, answer_all, post_team_question, score

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
def settings(settings: Settings, notes_bank: Path) -> Settings:
    """The Slack suite's settings with the notes bank loaded beside the seed bank."""
    return settings.model_copy(update={"bank_dir": notes_bank})


def verdict(grade_text: str) -> str:
    match = SCORE.search(grade_text)
    assert match, grade_text
    return match.group(2).splitlines()[0].strip()


def thread_texts(fake: FakeSlack, thread_ts: str) -> list[str]:
    """What the bot posted in a thread, in order."""
    return [
        call.args["text"]
        for call in fake.called("chat.postMessage")
        if call.args.get("thread_ts") == thread_ts
    ]


async def asked_after_grade(fake: FakeSlack, thread_ts: str, user: str, followup: str) -> None:
    """The follow-up is posted to `user` in the thread after their grade."""
    asked = f"<@{user}> Follow-up 1/1: {followup}"
    await fake.wait_until(lambda: any(asked in text for text in thread_texts(fake, thread_ts)))
    texts = thread_texts(fake, thread_ts)
    graded = next(
        i for i, text in enumerate(texts) if text.startswith(f"<@{user}>") and SCORE.search(text)
    )
    assert any(asked in text for text in texts[graded + 1 :]), texts


@pytest.mark.slow
async def test_notes_questions_are_graded_and_followed_up_in_slack_threads(
    slack_http: SlackHttp,
) -> None:
    fake = slack_http.fake
    thread = await post_team_question(slack_http, notes.MIXED_PRECISION, notes.MIXED_PRECISION_TEXT)
    en = await answer_all(slack_http, thread, {"UMINA": notes.EN_FULL, "UJOON": notes.EN_PARTIAL})

    full, partial = score(en["UMINA"]), score(en["UJOON"])
    assert verdict(en["UMINA"]) in notes.GOOD and verdict(en["UJOON"]) not in notes.GOOD, en
    assert full >= partial + 25, en
    assert notes.FULL_COVERED in en["UMINA"]
    assert notes.PARTIAL_COVERED in en["UJOON"]
    await asked_after_grade(fake, thread, "UMINA", notes.MIXED_PRECISION_FOLLOWUP)
    await asked_after_grade(fake, thread, "UJOON", notes.MIXED_PRECISION_FOLLOWUP)

    thread = await post_team_question(slack_http, notes.DISTILLATION, notes.DISTILLATION_TEXT)
    ko = await answer_all(slack_http, thread, {"UDANA": notes.KO_FULL, "UELI": notes.KO_PARTIAL})

    assert verdict(ko["UDANA"]) in notes.GOOD and verdict(ko["UELI"]) != "correct", ko
    assert score(ko["UDANA"]) >= score(ko["UELI"]) + 10, ko
    await asked_after_grade(fake, thread, "UDANA", notes.DISTILLATION_FOLLOWUP)
