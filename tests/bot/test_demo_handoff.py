"""`/demo` from the core to a real compute service on loopback, and with the service down."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import channel_defaults
from bot.compute_demos import ComputeDemos
from bot.config import Settings
from bot.core.demo_records import DemoServiceDownError
from bot.core.messages import Actor, Incoming, ReplyKind
from bot.core.quiz.demos import DemoHandoff
from bot.platforms.discord.runner import DemoNames
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from compute.client import ComputeClient
from compute.embedded import embedded_service
from content.bank import Bank
from evaluators import EmbeddingGrader
from tests.bot.recording import RecordingTransport
from tests.loopback import unused_port

MEMBER = Actor("u1", "Mina")


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """SQLite only: these tests are about the compute service, and storage behaves the same on
    PostgreSQL (the storage suites run there), so a second run would only cost time."""
    return tmp_path / "q.db"


def service_with(
    repo: Repository, bank: Bank, grader: EmbeddingGrader, client: ComputeClient, rate: int = 6
) -> Wired:
    demos = DemoHandoff(
        ComputeDemos(client), rate_per_hour=rate, clock=lambda: datetime.now(UTC), poll=0.1
    )
    return wire(
        repo=repo,
        bank=bank,
        grader=grader,
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
        demos=demos,
    )


async def say(service: Wired, line: str) -> RecordingTransport:
    transport = RecordingTransport()
    await service.intake.handle(Incoming("test", "c1", MEMBER, line), transport)
    return transport


@pytest.mark.slow
async def test_demo_runs_with_progress_then_posts_figures(
    tmp_path: Path, repo: Repository, bank: Bank, grader: EmbeddingGrader
) -> None:
    settings = Settings(cache_dir=tmp_path / "cache")
    async with (
        embedded_service(settings.compute_service()) as endpoint,
        ComputeClient(endpoint.url, token=endpoint.token) as client,
    ):
        service = service_with(repo, bank, grader, client, rate=2)
        listing = await say(service, "/demo list")
        assert "`gradient-descent`" in listing.sent[0].text
        assert re.search(r"`gradient-descent` · .* \(~\d+ s expected\)", listing.sent[0].text)

        run = await say(service, "/demo gradient-descent")
        started, *rest = run.sent
        assert started.kind == ReplyKind.DEMO and "starting" in started.text
        assert run.edits, "progress is shown by editing the first message"
        assert run.edits[-1][1].text == "`gradient-descent` done."
        final = rest[-1]
        assert final.images and final.images[0].data.startswith(b"\x89PNG")
        # Once a demo ran here, the list shows how long it took, not the catalog's estimate.
        listed = (await say(service, "/demo list")).sent[0].text
        assert re.search(r"`gradient-descent` · .* \(last run \d+\.\d s\)", listed), listed
        assert re.search(r"`optimizers` · .* \(~\d+ s expected\)", listed), listed

        wrong = await say(service, "/demo gradient-descent nonsense_knob=3")
        assert wrong.sent[0].kind == ReplyKind.ERROR
        assert "nonsense_knob" in wrong.sent[0].text

        unknown = await say(service, "/demo teleport")
        assert "Known demos:" in unknown.sent[0].text and "`optimizers`" in unknown.sent[0].text

        await say(service, "/demo gradient-descent seed=1")
        limited = await say(service, "/demo gradient-descent seed=2")
        assert "limited to 2 per hour" in limited.sent[0].text


async def test_service_down_is_a_clear_reply_and_quizzes_go_on(
    repo: Repository, bank: Bank, grader: EmbeddingGrader
) -> None:
    async with ComputeClient(f"http://127.0.0.1:{unused_port()}", timeout=2.0) as client:
        service = service_with(repo, bank, grader, client)
        for line in ("/demo list", "/demo optimizers"):
            reply = (await say(service, line)).sent[-1]
            assert reply.kind == ReplyKind.ERROR
            assert "can't be reached right now" in reply.text
        await service.posting.post_today("test", "c1", RecordingTransport())
        answer = await say(service, "ReLU does not saturate for positive inputs.")
        assert answer.of_kind(ReplyKind.GRADE)


async def test_discord_autocomplete_keeps_its_last_names_while_the_service_is_down() -> None:
    """The core's port raises its own error for a service that is down (`ComputeDemos`
    translates the client's), and Discord's autocomplete, which must answer within 3 s, keeps
    the names it had instead of failing."""
    async with ComputeClient(f"http://127.0.0.1:{unused_port()}/") as client:
        demos = DemoHandoff(ComputeDemos(client), rate_per_hour=6, clock=lambda: datetime.now(UTC))
        with pytest.raises(DemoServiceDownError):
            await demos.demo_names()
        assert await DemoNames(demos)() == []
