"""An open question through Slack, in a Korean channel: a question of the notes bank imported
without a model answer is posted with `/quiz now <id>`, a member's reply in its thread is kept
and they are told it will be graded once the team has a model answer; an admin signs in with
their `/quiz web` link to the web page served beside the bot (as `quizmaster web`, on the bot's
SQLite file) and makes that answer the model answer; the kept answer is graded there, and the
bot's scheduler tick tells the member their score in the question's thread, takes the question
as ready (an answer kept before it is graded by its retry round, one after it at once). The
real Bolt app against the loopback Slack fake."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.flow.notices import send_notices
from bot.core.flow.scheduler import run_scheduler
from bot.core.texts import text
from bot.wiring import Wired
from evaluators import EmbeddingGrader
from tests import team_notes as notes
from tests.bot.platforms.open_question_page import (
    LINK,
    web_page_beside,
    web_socket,
    with_web_page,
    write_model_answer,
)
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.bot.platforms.slack.harness import ADMIN, MEMBER, SlackHttp
from tests.bot.platforms.slack.slack_payloads import CHANNEL, thread_reply
from tests.bot.platforms.slack.team_threads import SCORE, post_team_question

pytestmark = pytest.mark.asyncio(loop_scope="session")

LATER = "UJOON"
LAST = "UCHO"
LATER_ANSWER = "레이블 스무딩은 정답 레이블을 평평하게 만들어 모델이 지나치게 확신하지 않게 해요."


@pytest.fixture
def web_sock() -> Iterator[socket.socket]:
    sock = web_socket()
    yield sock
    sock.close()


@pytest.fixture
def settings(settings: Settings, notes_bank: Path, web_sock: socket.socket) -> Settings:
    """The Slack suite's settings in Korean, with the notes bank beside the seed bank and the
    web page set up."""
    korean = settings.model_copy(update={"bank_dir": notes_bank, "lang": "ko"})
    return with_web_page(korean, web_sock)


def in_thread(fake: FakeSlack, thread_ts: str, user: str) -> list[str]:
    """What the bot posted in the thread to `user`, in order."""
    return [
        call.args["text"]
        for call in fake.called("chat.postMessage")
        if call.args.get("thread_ts") == thread_ts and f"<@{user}>" in call.args["text"]
    ]


async def reply(slack: SlackHttp, thread_ts: str, user: str, answer: str, n: int) -> str:
    """`user` replies in the thread; returns the bot's first message to them after it."""
    before = len(in_thread(slack.fake, thread_ts, user))
    event = thread_reply(
        text=answer, user=user, thread_ts=thread_ts, event_id=f"EvOpen{n}", ts=f"{thread_ts}{n}"
    )
    assert await slack.event(event) == 200
    await slack.fake.wait_until(lambda: len(in_thread(slack.fake, thread_ts, user)) > before)
    return in_thread(slack.fake, thread_ts, user)[before]


async def web_link(slack: SlackHttp, user: str) -> str:
    """The sign-in link `/quiz web` gives `user` (an ephemeral response)."""
    before = len(slack.fake.responses)
    assert await slack.command("web", user=user) == 200
    await slack.fake.wait_until(lambda: len(slack.fake.responses) > before)
    found = LINK.search(slack.fake.responses[before]["text"])
    assert found is not None, slack.fake.responses[before]
    return found.group(0)


@asynccontextmanager
async def scheduler_running(slack: SlackHttp, service: Wired) -> AsyncIterator[None]:
    """The bot's scheduler, as `quizmaster run` starts it beside Bolt, ticking until the block
    exits (each tick sends the notices the web page left)."""
    stop = asyncio.Event()
    ticking = asyncio.create_task(
        run_scheduler(
            service,
            "slack",
            slack.bot.scheduled_transport(),
            stop=stop,
            interval=0.1,
            resumed=slack.bot.resumed_transport(),
        )
    )
    try:
        yield
    finally:
        stop.set()
        await ticking


async def test_an_open_question_is_answered_in_slack_and_graded_once_the_web_page_answers_it(
    slack_http: SlackHttp,
    service: Wired,
    settings: Settings,
    grader: EmbeddingGrader,
    web_sock: socket.socket,
) -> None:
    fake = slack_http.fake
    thread = await post_team_question(slack_http, notes.WAITING, notes.WAITING_TEXT)
    [posted] = [c for c in fake.called("chat.postMessage") if c.result.get("ts") == thread]
    assert text("ko", "open_question_body") in posted.args["text"]

    kept = await reply(slack_http, thread, MEMBER, notes.OPEN_ANSWER, 1)
    assert text("ko", "open_answer_kept") in kept, kept
    assert SCORE.search(kept) is None, kept
    assert await service.repo.answers.channel_answers(platform="slack", channel_id=CHANNEL) == []

    async with web_page_beside(settings, web_sock, grader):
        link = await web_link(slack_http, ADMIN)
        graded = await write_model_answer(link, notes.WAITING, notes.OPEN_ANSWER, "ko")
    assert graded == 1
    [answer] = await service.repo.answers.channel_answers(platform="slack", channel_id=CHANNEL)
    assert (answer.user_id, answer.prompt_id) == (MEMBER, notes.WAITING)
    assert answer.score >= 80, answer  # the model answer is this very answer

    # The bot's bank still has the question open until its scheduler's next tick: an answer now
    # is kept, and that tick's retry round grades it.
    kept_later = await reply(slack_http, thread, LATER, LATER_ANSWER, 2)
    assert text("ko", "open_answer_kept") in kept_later, kept_later

    before = {user: len(in_thread(fake, thread, user)) for user in (MEMBER, LATER)}
    async with scheduler_running(slack_http, service):
        await fake.wait_until(
            lambda: all(len(in_thread(fake, thread, u)) > n for u, n in before.items())
        )
    [told] = in_thread(fake, thread, MEMBER)[before[MEMBER] :]
    graded_text = text("ko", "open_answer_graded", question=notes.WAITING_TEXT, score=answer.score)
    assert told == f"<@{MEMBER}> {graded_text}", told
    graded_later = in_thread(fake, thread, LATER)[before[LATER] :]
    assert SCORE.search(graded_later[0]) is not None, graded_later
    transport = slack_http.bot.scheduled_transport()
    now = datetime.now(UTC)
    assert await send_notices(service.notices, "slack", transport, by="later", now=now) == 0

    # From that tick on, the question is ready in the bot too: an answer is graded at once.
    last = await reply(slack_http, thread, LAST, LATER_ANSWER, 3)
    assert SCORE.search(last) is not None, last
