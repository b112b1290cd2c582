"""The scheduler sends the notices the web page left: on its own tick, or at once when the
page in the same process wakes it; each notice once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.flow.scheduler import run_scheduler
from bot.core.messages import Reply
from bot.storage.repository import Repository
from bot.wiring import wire
from content.bank import Bank
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader

PLATFORM = "slack"


async def _sent(transport: RecordingTransport, text: str, within_s: float) -> bool:
    deadline = asyncio.get_running_loop().time() + within_s
    while asyncio.get_running_loop().time() < deadline:
        if any(text in reply.text for reply in transport.sent):
            return True
        await asyncio.sleep(0.02)
    return False


async def test_a_woken_scheduler_sends_a_left_notice_at_once_and_only_once(
    tmp_path: Path, bank: Bank, fixed_grader: FixedGrader
) -> None:
    repo = await Repository.open(tmp_path / "notices.db")
    service = wire(
        repo=repo,
        bank=bank,
        grader=fixed_grader,
        defaults=channel_defaults(Settings(_env_file=None)),
    )
    transport = RecordingTransport()
    stop, wake = asyncio.Event(), asyncio.Event()
    ticker = asyncio.create_task(
        run_scheduler(service, PLATFORM, transport, stop=stop, interval=3600, wake=wake)
    )
    try:
        await asyncio.sleep(0.2)  # the first tick, with nothing to send
        notice = Reply(channel_id="C1", text="your appeal #1", thread_id="t", user_id="U1")
        await repo.notices.queue_notice(
            platform=PLATFORM, reply=notice, queued_at=datetime.now(UTC)
        )
        assert not await _sent(transport, notice.text, within_s=0.5)  # the next tick is an hour off
        wake.set()
        assert await _sent(transport, notice.text, within_s=10)
        wake.set()
        await asyncio.sleep(0.3)
        assert [notice.text in r.text for r in transport.sent].count(True) == 1
        assert transport.sent[-1].thread_id == "t" and transport.sent[-1].user_id == "U1"
    finally:
        stop.set()
        await asyncio.wait_for(ticker, timeout=10)
        await repo.close()
