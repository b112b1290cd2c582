"""A question one channel's admin wrote or imported on its web page is that channel's on chat
too: another channel's `/quiz now <its id>` does not know it (nor its follow-ups), and the
daily selection never posts it there, through the real service on a SQLite file. Questions from
bank files stay every channel's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Reply, ReplyKind
from bot.core.models import QuestionEdit
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from content.loader import load_bank
from content.schema import Localized, Prompt, Reference
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader

PLATFORM, OWNER, OTHER = "test", "C-owner", "C-other"
ADMIN = Actor("boss", "Boss", is_admin=True)
READY = Prompt(
    id="team-owner-001",
    text=Localized(ko="배치 정규화는 왜 학습을 빠르게 하나요?", en="Why does batch norm help?"),
    topics=("notes",),
    references=(
        Reference(
            lang="en", text="It keeps each layer's inputs at a steady scale during training."
        ),
    ),
)
FOLLOW_UP = READY.model_copy(update={"id": "team-owner-001.1", "parent": READY.id, "order": 1})
OPEN = Prompt(
    id="team-owner-002",
    status="waiting",
    text=Localized(ko="드롭아웃은 왜 과적합을 줄이나요?", en="Why does dropout work?"),
    topics=("notes",),
)


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Wired]:
    """The seed bank plus the owner channel's saved questions, as a process loads them."""
    repo = await Repository.open(tmp_path / "q.db")
    bank: Bank = load_bank()
    await repo.team_questions.create(
        [READY, FOLLOW_UP, OPEN],
        QuestionEdit(platform=PLATFORM, channel_id=OWNER, edited_by="boss", at=datetime.now(UTC)),
    )
    await repo.team_questions.load_into(bank)
    owned = bank.seen_from(PLATFORM, OWNER)
    assert READY.id in owned and owned.open_question(OPEN.id) is not None
    yield wire(
        repo=repo,
        bank=bank,
        grader=FixedGrader(),
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
    )
    await repo.close()


async def say(service: Wired, channel: str, line: str) -> list[Reply]:
    transport = RecordingTransport()
    await service.intake.handle(Incoming(PLATFORM, channel, ADMIN, line), transport)
    return transport.sent


@pytest.mark.parametrize("prompt_id", [READY.id, FOLLOW_UP.id, OPEN.id])
async def test_another_channels_question_is_unknown_to_quiz_now(
    service: Wired, prompt_id: str
) -> None:
    [reply] = await say(service, OTHER, f"/quiz now {prompt_id}")
    assert reply.kind == ReplyKind.ERROR, reply.text
    assert f"There is no prompt '{prompt_id}'." in reply.text
    assert "team-owner" not in reply.text.split(".", 1)[1], "no other id of that channel named"
    assert await service.repo.posts.posts(platform=PLATFORM, channel_id=OTHER) == []


@pytest.mark.parametrize("prompt_id", [READY.id, OPEN.id])
async def test_the_owner_channel_posts_its_question(service: Wired, prompt_id: str) -> None:
    [question] = await say(service, OWNER, f"/quiz now {prompt_id}")
    assert question.kind == ReplyKind.QUESTION, question.text
    assert question.card is not None and question.card.prompt_id == prompt_id


async def test_the_daily_selection_posts_it_only_in_its_channel(service: Wired) -> None:
    """A whole cycle of the bank in each channel: every main question once, least posted first;
    the owner's question is in the owner's cycle and never in the other's."""
    cycle = len(service.bank.every_channel().mains())
    posted: dict[str, list[str]] = {}
    for channel in (OWNER, OTHER):
        for _ in range(cycle):
            await service.posting.post_today(PLATFORM, channel, RecordingTransport())
        rows = await service.repo.posts.posts(platform=PLATFORM, channel_id=channel)
        posted[channel] = [row.prompt_id for row in rows]
    assert READY.id in posted[OWNER]
    assert READY.id not in posted[OTHER]
    assert "q01" in posted[OTHER] and "q01" in posted[OWNER], "bank files are every channel's"
    assert len(set(posted[OTHER])) == cycle - 1, "the other channel's cycle is the rest, once each"
