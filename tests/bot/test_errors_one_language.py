"""Every error a member or admin can meet in the chat is said in the channel's language (issue 84):
a bad schedule (time, zone, days), a bad digest time or day, and each way the demo service
refuses or fails a demo (an unknown demo, each kind of bad parameter, a demo that raises, one
that outlasts the wait). Each is driven in a Korean channel and in an English one, through the
real quiz service and a real compute service on loopback running the test-only demos; every
reply and edit is then read by the one-language checker (`tests.one_language`): in Korean no
English word the bot wrote (code, commands and what the member typed aside), in English no
Hangul. Before the errors carried catalogue keys, the schedule's and the demo parameters'
problems were English sentences inside the Korean replies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import channel_defaults
from bot.compute_demos import ComputeDemos
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Reply, ReplyKind
from bot.core.quiz.demos import DemoHandoff
from bot.storage.repository import Repository
from bot.wiring import wire
from compute.client import ComputeClient
from content.bank import Bank
from content.schema import Lang
from tests.bot.recording import RecordingTransport
from tests.compute.fake_service import fake_service
from tests.fixed_grader import FixedGrader
from tests.one_language import Quoted, foreign_lines

ADMIN = Actor("1001", "lead", is_admin=True)
WAIT_S = 8.0
"""How long the bot waits for a demo here: `polite-sleep` runs past it and is cancelled."""
ERRORS = (
    "/quiz schedule 25:00",
    "/quiz schedule 09:00 Mars/Olympus",
    "/quiz schedule 09:00 Asia/Seoul someday",
    "/quiz digest fri 25:00",
    "/quiz digest someday 10:00",
    "/demo nosuch",
    "/demo quick lr=abc steps=500 flag=maybe bogus=1",
    "/demo quick lr=0 steps=0",
    "/demo raises",
    "/demo polite-sleep seconds=60",
)
"""Each error path once: every command is refused or fails."""
TYPED = ("25:00", "Mars/Olympus", "someday", "nosuch", "abc", "maybe", "bogus", "polite-sleep")
"""What the commands typed, which a reply may quote in any language."""


@pytest.fixture
async def demo_client() -> AsyncIterator[ComputeClient]:
    async with fake_service() as url, ComputeClient(url) as client:
        yield client


async def replies_to_errors(
    tmp_path: Path, lang: Lang, bank: Bank, client: ComputeClient
) -> list[list[Reply]]:
    """Each command of `ERRORS` in a channel speaking `lang`: what the bot sent and edited."""
    repo = await Repository.open(tmp_path / f"{lang}.db")
    demos = DemoHandoff(
        ComputeDemos(client),
        rate_per_hour=100,
        clock=lambda: datetime.now(UTC),
        poll=0.1,
        wait_timeout=WAIT_S,
    )
    service = wire(
        repo=repo,
        bank=bank,
        grader=FixedGrader(),
        defaults=channel_defaults(Settings(_env_file=None, lang=lang)),
        demos=demos,
    )
    said: list[list[Reply]] = []
    try:
        for number, line in enumerate(ERRORS):
            transport = RecordingTransport()
            incoming = Incoming("test", "c1", ADMIN, line, message_id=f"error-{number}")
            await service.intake.handle(incoming, transport)
            await service.in_flight.drain(60)
            said.append(transport.sent + [reply for _, reply in transport.edits])
    finally:
        await repo.close()
    return said


@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_every_error_is_said_in_the_channels_language(
    tmp_path: Path, lang: Lang, bank: Bank, demo_client: ComputeClient
) -> None:
    said = await replies_to_errors(tmp_path, lang, bank, demo_client)
    for line, replies in zip(ERRORS, said, strict=True):
        assert any(reply.kind == ReplyKind.ERROR for reply in replies), (line, replies)
    titles = [text for demo in await demo_client.demos() for text in (demo.title.ko, demo.title.en)]
    quoted = Quoted(tuple(sorted({*TYPED, *titles}, key=len, reverse=True)))
    found = [
        f"{line}: {problem}"
        for line, replies in zip(ERRORS, said, strict=True)
        for problem in foreign_lines(
            [row for reply in replies for row in reply.text.splitlines()], lang, quoted=quoted
        )
    ]
    assert found == [], "\n".join(found)
