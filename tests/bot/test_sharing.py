"""`/quiz share on|off` and the best shared answer: through the real service and a real SQLite
file or PostgreSQL; a member who did not agree never has their answer shown."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Reply, ReplyKind
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader

ADMIN = Actor("boss", "Boss", is_admin=True)
MINA = Actor("u1", "Mina")
JOON = Actor("u2", "Joon")
MINA_ANSWER = "ReLU keeps gradients alive where sigmoid saturates, says Mina 60"
JOON_ANSWER = "Joon's secret wording that nobody agreed to show <@here> 90"


@pytest.fixture
async def service(database: Path | str, bank: Bank) -> AsyncIterator[Wired]:
    repo = await Repository.open(database)
    yield wire(
        repo=repo,
        bank=bank,
        grader=FixedGrader(),
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
    )
    await repo.close()


async def say(service: Wired, actor: Actor, line: str, thread: str | None = None) -> list[Reply]:
    transport = RecordingTransport()
    await service.intake.handle(Incoming("test", "c1", actor, line, thread_id=thread), transport)
    return transport.sent


async def answered_day(service: Wired) -> str | None:
    post = await service.posting.post_today("test", "c1", RecordingTransport())
    await say(service, MINA, MINA_ANSWER, thread=post.thread_id)
    await say(service, JOON, JOON_ANSWER, thread=post.thread_id)
    return post.thread_id


async def test_nobody_shares_by_default_so_the_reveal_quotes_no_answer(
    service: Wired,
) -> None:
    thread = await answered_day(service)
    [reveal] = await say(service, ADMIN, "/quiz reveal", thread=thread)
    assert reveal.kind == ReplyKind.REVEAL
    assert "best 90 (Joon)" in reveal.text  # the summary's figures, as before
    assert "Shared answer" not in reveal.text
    assert "secret wording" not in reveal.text and "says Mina" not in reveal.text


async def test_the_reveal_shows_the_best_answer_of_a_sharing_member_only(
    service: Wired,
) -> None:
    thread = await answered_day(service)
    [agreed] = await say(service, MINA, "/quiz share on")
    assert agreed.ephemeral and "/quiz share off" in agreed.text
    [reveal] = await say(service, ADMIN, "/quiz reveal", thread=thread)
    assert f"Shared answer · Mina (60 points): {MINA_ANSWER}" in reveal.text
    assert "secret wording" not in reveal.text


async def test_switching_off_hides_past_answers_too(service: Wired) -> None:
    thread = await answered_day(service)
    await say(service, MINA, "/quiz share on")
    await say(service, JOON, "/quiz share on")
    [both] = await say(service, ADMIN, "/quiz reveal", thread=thread)
    assert "Shared answer · Joon (90 points)" in both.text
    [off] = await say(service, JOON, "/quiz share off")
    assert "past ones included" in off.text
    [after] = await say(service, ADMIN, "/quiz reveal", thread=thread)
    assert "secret wording" not in after.text
    assert "Shared answer · Mina (60 points)" in after.text


async def test_consent_is_per_channel(service: Wired) -> None:
    thread = await answered_day(service)
    transport = RecordingTransport()
    await service.intake.handle(Incoming("test", "other", MINA, "/quiz share on"), transport)
    [reveal] = await say(service, ADMIN, "/quiz reveal", thread=thread)
    assert "Shared answer" not in reveal.text


async def test_a_long_answer_is_cut_to_a_readable_line(service: Wired) -> None:
    post = await service.posting.post_today("test", "c1", RecordingTransport())
    await say(service, MINA, "/quiz share on")
    await say(service, MINA, "word\n" * 200 + "70", thread=post.thread_id)
    [reveal] = await say(service, ADMIN, "/quiz reveal", thread=post.thread_id)
    line = next(x for x in reveal.text.splitlines() if x.startswith("Shared answer"))
    assert line.endswith("…") and "\n" not in line and len(line) < 340


async def test_share_takes_on_or_off(service: Wired) -> None:
    [wrong] = await say(service, MINA, "/quiz share maybe")
    assert wrong.kind == ReplyKind.ERROR and "/quiz share on" in wrong.text
