"""A team's study notes through Discord: both layouts imported by the real
`quizmaster content import notes`, loaded from `bank_dir`, posted with
`/quiz-admin now prompt:<id>`, answered with `/quiz answer` in the question's thread and graded
by the real discord.py client against the loopback fake; the follow-up comes after the grade."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from tests import team_notes as notes
from tests.bot.platforms.discord.conftest import Running
from tests.bot.platforms.discord.test_discord_bot import sent_for

GRADE = re.compile(r"^<@(\d+)> \*\*(\d{1,3})/100\*\* · (.+)$", re.MULTILINE)
WAIT_S = 120.0
"""Generous, not a target: the first grade of a prompt embeds its reference on a busy CPU."""


@pytest.fixture
def settings(settings: Settings, notes_bank: Path) -> Settings:
    """The Discord suite's settings with the notes bank loaded beside the seed bank."""
    return settings.model_copy(update={"bank_dir": notes_bank})


async def post_prompt(bot: Running, prompt_id: str, question: str) -> str:
    """An admin posts the named notes question; returns its thread's id."""
    fake = bot.fake
    threads = len(fake.find("POST", r"/channels/\d+/messages/\d+/threads"))
    interaction = fake.slash(
        "quiz-admin", "now", {"prompt": prompt_id}, user=fake.admin, admin=True
    )
    interaction_id = await bot.push(interaction)
    await fake.wait_for(
        lambda: len(fake.find("POST", r"/channels/\d+/messages/\d+/threads")) > threads,
        within=WAIT_S,
    )
    [callback] = fake.find("POST", rf"/interactions/{interaction_id}/[^/]+/callback")
    [embed] = callback.body["data"]["embeds"]
    assert question in embed["description"]
    thread: str = fake.find("POST", r"/channels/\d+/messages/\d+/threads")[-1].path.split("/")[4]
    return thread


async def answered(bot: Running, thread_id: str, user: dict[str, Any], text: str) -> list[str]:
    """`user` answers in the thread; returns what the bot sent for it: the grade, then the
    follow-up."""
    fake = bot.fake
    answer = fake.slash("quiz", "answer", {"text": text}, user=user, channel_id=thread_id)
    await bot.push(answer)
    await fake.wait_for(lambda: len(sent_for(fake, answer["id"])) >= 2, within=WAIT_S)
    return [body["content"] for body in sent_for(fake, answer["id"])]


def grade_of(content: str, user: dict[str, Any]) -> tuple[int, str]:
    [(addressee, score, verdict)] = GRADE.findall(content)
    assert addressee == user["id"], content
    return int(score), verdict


async def test_notes_questions_are_graded_and_followed_up_in_discord_threads(
    bot: Running,
) -> None:
    fake = bot.fake
    other = fake.user("cho")
    thread = await post_prompt(bot, notes.MIXED_PRECISION, notes.MIXED_PRECISION_TEXT)
    full_grade, full_next = await answered(bot, thread, fake.member, notes.EN_FULL)
    partial_grade, partial_next = await answered(bot, thread, other, notes.EN_PARTIAL)

    full, partial = grade_of(full_grade, fake.member), grade_of(partial_grade, other)
    assert full[1] in notes.GOOD and partial[1] not in notes.GOOD, (full_grade, partial_grade)
    assert full[0] >= partial[0] + 25, (full_grade, partial_grade)
    assert notes.FULL_COVERED in full_grade
    assert notes.PARTIAL_COVERED in partial_grade
    for asked in (full_next, partial_next):
        assert f"Follow-up 1/1: {notes.MIXED_PRECISION_FOLLOWUP}" in asked

    thread = await post_prompt(bot, notes.DISTILLATION, notes.DISTILLATION_TEXT)
    ko_full_grade, ko_next = await answered(bot, thread, fake.member, notes.KO_FULL)
    ko_partial_grade, _ = await answered(bot, thread, other, notes.KO_PARTIAL)

    ko_full, ko_partial = grade_of(ko_full_grade, fake.member), grade_of(ko_partial_grade, other)
    both = (ko_full_grade, ko_partial_grade)
    assert ko_full[1] in notes.GOOD and ko_partial[1] != "correct", both
    assert ko_full[0] >= ko_partial[0] + 10, both
    assert f"Follow-up 1/1: {notes.DISTILLATION_FOLLOWUP}" in ko_next
