"""An open question through Discord, in an English channel: a question of the notes bank
imported without a model answer is posted with `/quiz-admin now prompt:<id>`, a member's
`/quiz answer` in its thread is kept and they are told it will be graded once the team has a
model answer; an admin signs in with their `/quiz web` link to the web page served beside the
bot (as `quizmaster web`, on the bot's SQLite file) and makes that answer the model answer; the
kept answer is graded there, and the bot's scheduler tick tells the member their score in the
question's thread and takes the question as ready (the next answer is graded at once). The real
discord.py client against the loopback fake."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.core.flow.notices import send_notices
from bot.core.texts import text
from content.schema import Prompt
from evaluators.grade import Grade, Grader
from tests import team_notes as notes
from tests.bot.platforms.discord.conftest import Running, StartBot
from tests.bot.platforms.discord.test_discord_bot import sent_for
from tests.bot.platforms.discord.test_discord_team_notes import GRADE, WAIT_S, post_prompt
from tests.bot.platforms.open_question_page import (
    LINK,
    web_page_beside,
    web_socket,
    with_web_page,
    write_model_answer,
)

ANSWER = "Label smoothing softens the one-hot targets so the model is less overconfident."
TICK_S = 0.1
"""The scheduler's tick here: the notice goes out on the next one."""


class BusyPageGrader:
    """The bot's own grader, for the page, on a busy CPU: each answer waits five of the bot's
    ticks before it is graded. A page that saved the question before grading its kept answers
    lost them to the bot's retry round in that time (the member got the bot's reply instead of
    the page's notice, and the page said it graded none)."""

    def __init__(self, grader: Grader) -> None:
        self.grader = grader

    async def grade(self, prompt: Prompt, answer: str, **options: Any) -> Grade:
        await asyncio.sleep(5 * TICK_S)
        return await self.grader.grade(prompt, answer, **options)


@pytest.fixture
def web_sock() -> Iterator[socket.socket]:
    sock = web_socket()
    yield sock
    sock.close()


@pytest.fixture
def settings(settings: Settings, notes_bank: Path, web_sock: socket.socket) -> Settings:
    """The Discord suite's settings (English) with the notes bank beside the seed bank and the
    web page set up."""
    return with_web_page(settings.model_copy(update={"bank_dir": notes_bank}), web_sock)


@pytest.fixture
async def ticking_bot(start_bot: StartBot) -> AsyncIterator[Running]:
    async with start_bot(scheduler_interval_s=TICK_S) as running:
        yield running


async def sent(bot: Running, interaction: dict[str, Any]) -> str:
    """Deliver the interaction; the first message the bot sent through it."""
    await bot.push(interaction)
    await bot.fake.wait_for(lambda: sent_for(bot.fake, interaction["id"]), within=WAIT_S)
    content: str = sent_for(bot.fake, interaction["id"])[0]["content"]
    return content


def in_thread(bot: Running, thread_id: str) -> list[str]:
    """What the bot posted in the thread as messages of its own (not interaction replies)."""
    return [
        call.body["content"]
        for call in bot.fake.find("POST", rf"/channels/{thread_id}/messages")
        if call.body and call.body.get("content")
    ]


async def test_an_open_question_is_answered_in_discord_and_graded_once_the_web_page_answers_it(
    ticking_bot: Running, settings: Settings, web_sock: socket.socket
) -> None:
    bot, fake = ticking_bot, ticking_bot.fake
    thread = await post_prompt(bot, notes.WAITING, notes.WAITING_TEXT)
    [callback] = fake.find("POST", r"/interactions/\d+/[^/]+/callback")
    assert text("en", "open_question_body") in callback.body["data"]["embeds"][0]["description"]

    answer = fake.slash("quiz", "answer", {"text": ANSWER}, user=fake.member, channel_id=thread)
    kept = await sent(bot, answer)
    assert text("en", "open_answer_kept") in kept, kept
    assert GRADE.search(kept) is None, kept
    channel = fake.channel_id
    answers = bot.service.repo.answers
    assert await answers.channel_answers(platform="discord", channel_id=channel) == []

    link_asked = fake.slash("quiz", "web", user=fake.admin, admin=True)
    found = LINK.search(await sent(bot, link_asked))
    assert found is not None
    before = len(in_thread(bot, thread))
    async with web_page_beside(settings, web_sock, BusyPageGrader(bot.service.grader)):
        graded = await write_model_answer(found.group(0), notes.WAITING, ANSWER, "en")
    assert graded == 1
    [stored] = await answers.channel_answers(platform="discord", channel_id=channel)
    assert (stored.user_id, stored.prompt_id) == (fake.member["id"], notes.WAITING)
    assert stored.score >= 80, stored  # the model answer is this very answer

    # within 200 ticks: a bot that ignored QUIZMASTER_SCHEDULER_INTERVAL_S ticked every 30 s
    await fake.wait_for(lambda: len(in_thread(bot, thread)) > before, within=200 * TICK_S)
    [told] = in_thread(bot, thread)[before:]
    question = notes.WAITING_TEXT
    graded_text = text("en", "open_answer_graded", question=question, score=stored.score)
    assert told == f"<@{fake.member['id']}> {graded_text}", told
    now = datetime.now(UTC)
    notices = bot.service.notices
    assert await send_notices(notices, "discord", bot.client.channels, by="later", now=now) == 0

    # That tick took the question into the bot's bank as ready: an answer now is graded.
    later = fake.slash("quiz", "answer", {"text": ANSWER}, user=fake.user("cho"), channel_id=thread)
    graded_later = await sent(bot, later)
    assert GRADE.search(graded_later) is not None, graded_later
