"""`/quiz due` (issue 84, the storage-backed command recipe followed): the questions a member
should practise today, from their practice cards, each with its mastery, said to them alone in
the channel's language; on SQLite and PostgreSQL (the `repo` fixture runs each)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Reply
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from tests.bot.clock import FakeClock
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader

MINA = Actor("u1", "Mina", is_admin=True)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def say(service: Wired, text: str) -> list[Reply]:
    transport = RecordingTransport()
    await service.intake.handle(Incoming("test", "c1", MINA, text), transport)
    return transport.sent


async def test_due_lists_todays_questions_with_their_mastery_in_each_language(
    repo: Repository, bank: Bank
) -> None:
    clock = FakeClock(START)
    service = wire(
        repo=repo,
        bank=bank,
        grader=FixedGrader(),
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
        clock=clock,
    )
    [nothing] = await say(service, "/quiz due")
    assert nothing.ephemeral and nothing.text.startswith("Nothing to practise today.")

    await say(service, "/quiz practice")
    prompt_id = await repo.practice.practice_pending(platform="test", user_id=MINA.user_id)
    assert prompt_id is not None
    await say(service, "/quiz practice answer an answer worth 80")
    [later] = await say(service, "/quiz due")
    assert later.text.startswith("Nothing to practise today."), "just practised: not due today"

    clock.advance(timedelta(days=60))
    [due] = await say(service, "/quiz due")
    question = bank.get(prompt_id).text.get("en")
    assert due.ephemeral
    title, line = due.text.splitlines()
    assert title == "**To practise today**: 1 question · `/quiz practice` starts"
    assert line.startswith(f"`{prompt_id}` {question[:40]}")
    mastery = line.rsplit(" · mastery ", 1)[1]
    assert mastery.endswith("%") and 0 < int(mastery[:-1]) < 80, mastery

    await say(service, "/quiz lang ko")
    [korean] = await say(service, "/quiz due")
    assert korean.text.splitlines()[0] == "**오늘 연습할 질문** 1개 · `/quiz practice`로 시작하세요"
    assert f"`{prompt_id}` {bank.get(prompt_id).text.get('ko')[:20]}" in korean.text
    assert f"숙련도 {mastery}" in korean.text
