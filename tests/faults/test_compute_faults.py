"""`/demo` through the real core when the compute service dies mid-job, hangs, or answers garbage:
the member gets a clear reply (edited into the progress message once a job was started), quizzes
go on, and a restarted service works again."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from fsrs import Card, Rating

from bot.app import channel_defaults
from bot.compute_demos import ComputeDemos
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Reply, ReplyKind
from bot.core.quiz.demos import DemoHandoff
from bot.core.quiz.practice import card_row
from bot.storage.repository import Repository
from bot.wiring import Wired, practice_policy, wire
from compute.client import ComputeClient
from compute.errors import ComputeError
from content.bank import Bank
from evaluators import EmbeddingGrader
from evaluators.grade import Grader
from tests.bot.cards import plant_card
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader
from tests.loopback import unused_port

MEMBER = Actor("u1", "Mina")
TOKEN = "fault-test-token"
DOWN = "can't be reached right now"
START_TIMEOUT_S = 60.0
REPO_ROOT = Path(__file__).resolve().parents[2]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """SQLite only: these tests are about the compute service, and storage behaves the same on
    PostgreSQL (the storage suites run there), so a second run would only cost time."""
    return tmp_path / "q.db"


def with_demos(
    repo: Repository,
    bank: Bank,
    grader: Grader,
    client: ComputeClient,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Wired:
    """An English channel's service whose demos and figures come through `client`."""
    demos = DemoHandoff(
        ComputeDemos(client), rate_per_hour=10, clock=clock, poll=0.1, wait_timeout=60
    )
    return wire(
        repo=repo,
        bank=bank,
        grader=grader,
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
        demos=demos,
        clock=clock,
    )


async def quiz(
    repo: Repository, bank: Bank, grader: EmbeddingGrader, client: ComputeClient
) -> Wired:
    service = with_demos(repo, bank, grader, client)
    await service.posting.post_today("test", "c1", RecordingTransport())
    return service


async def say(service: Wired, line: str, transport: RecordingTransport) -> None:
    await asyncio.wait_for(
        service.intake.handle(Incoming("test", "c1", MEMBER, line), transport), 60
    )


def last_word(transport: RecordingTransport) -> Reply:
    """What the member sees last: the edited progress message if there is one."""
    if transport.edits:
        return transport.edits[-1][1]
    return transport.sent[-1]


class ComputeProcess:
    """`quizmaster compute` in its own process group, so kill -9 takes its job workers too."""

    def __init__(self, port: int, cache_dir: Path, log: Path) -> None:
        env = {
            **os.environ,
            "QUIZMASTER_CACHE_DIR": str(cache_dir),
            "PYTHONPATH": str(REPO_ROOT),
            "MPLBACKEND": "Agg",
            "QUIZMASTER_COMPUTE_TOKEN": TOKEN,
        }
        self._log = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "compute", "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
            env=env,
            start_new_session=True,
        )

    async def ready(self, client: ComputeClient) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT_S
        while True:
            assert self.proc.poll() is None, "the compute service exited at start"
            try:
                await client.health()
                return
            except ComputeError:
                if loop.time() > deadline:
                    raise
            await asyncio.sleep(0.2)

    def kill9(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._log.close()


@pytest.mark.slow
async def test_service_killed_mid_job_then_restarted(
    tmp_path: Path, repo: Repository, bank: Bank, grader: EmbeddingGrader
) -> None:
    port = unused_port()
    log = tmp_path / "compute.log"
    service_proc = ComputeProcess(port, tmp_path / "cache", log)
    try:
        # A restarted service's first demo forks its worker and imports torch: on a loaded
        # 2-core machine that outlasted a 5 s request timeout once. A killed service is refused
        # at once whatever the timeout.
        async with ComputeClient(f"http://127.0.0.1:{port}", token=TOKEN, timeout=30) as client:
            await service_proc.ready(client)
            service = await quiz(repo, bank, grader, client)

            run = RecordingTransport()
            job = asyncio.create_task(say(service, "/demo gan", run))
            for _ in range(600):  # until the job is under way (its progress message edited)
                if run.edits or job.done():
                    break
                await asyncio.sleep(0.05)
            assert run.edits and not job.done(), [r.text for r in run.sent]
            service_proc.kill9()
            await job

            told = last_word(run)
            assert told.kind == ReplyKind.ERROR and DOWN in told.text, told.text
            assert run.sent[0].kind == ReplyKind.DEMO, "the error replaced the progress message"
            assert run.edits[-1][0].message_id == "m1"

            answer = RecordingTransport()
            await say(service, "ReLU does not saturate for positive inputs.", answer)
            assert answer.of_kind(ReplyKind.GRADE)

            service_proc = ComputeProcess(port, tmp_path / "cache", log)
            await service_proc.ready(client)
            again = RecordingTransport()
            await say(service, "/demo relu-approx k=4", again)
            assert last_word(again).text == "`relu-approx` done.", last_word(again).text
            assert again.sent[-1].images and again.sent[-1].images[0].data.startswith(b"\x89PNG")
    finally:
        service_proc.kill9()


@asynccontextmanager
async def fake_compute(handler: Handler) -> AsyncIterator[str]:
    """An aiohttp server on a free loopback port answering every request with `handler`."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = int(runner.addresses[0][1])
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def ticket_then(job_answer: Handler) -> Handler:
    """Accepts the job like the real service, then answers its status polls with `job_answer`."""

    async def handle(request: web.Request) -> web.StreamResponse:
        if request.method == "POST" and request.path == "/jobs":
            return web.json_response(
                {"id": "j1", "status": "queued", "queue_position": 1, "cached": False}
            )
        return await job_answer(request)

    return handle


async def hang(request: web.Request) -> web.StreamResponse:
    await asyncio.sleep(3)
    return web.json_response([])


async def html(request: web.Request) -> web.StreamResponse:
    return web.Response(text="<html><body>502 Bad Gateway</body></html>", content_type="text/html")


async def broken_json(request: web.Request) -> web.StreamResponse:
    return web.Response(text='{"id": "j1", "status": ', content_type="application/json")


@pytest.mark.parametrize(
    "handler",
    [
        pytest.param(hang, id="slow"),
        pytest.param(html, id="html"),
        pytest.param(broken_json, id="invalid-json"),
    ],
)
async def test_a_slow_or_garbage_service_is_a_clear_reply(
    handler: Handler, repo: Repository, bank: Bank, grader: EmbeddingGrader
) -> None:
    for serve, edited in ((handler, False), (ticket_then(handler), True)):
        async with (
            fake_compute(serve) as url,
            ComputeClient(url, token=TOKEN, timeout=0.5) as client,
        ):
            service = await quiz(repo, bank, grader, client)
            for line in ("/demo list", "/demo optimizers"):
                if edited and line == "/demo list":
                    continue
                transport = RecordingTransport()
                await say(service, line, transport)
                told = last_word(transport)
                assert told.kind == ReplyKind.ERROR and DOWN in told.text, (line, told.text)
                assert bool(transport.edits) == edited, "a started job's message is edited"
        answer = RecordingTransport()
        await say(service, "ReLU does not saturate for positive inputs.", answer)
        assert answer.of_kind(ReplyKind.GRADE)


FIGURE_DELAY_S = 3.0
PNG = b"\x89PNG\r\n\x1a\nfigure"


async def slow_figure(request: web.Request) -> web.StreamResponse:
    """The compute service drawing a figure that takes FIGURE_DELAY_S: the job is accepted at
    once, its status arrives only after the delay, then its PNG."""
    if request.method == "POST" and request.path == "/jobs":
        return web.json_response(
            {"id": "j1", "status": "queued", "queue_position": 1, "cached": False}
        )
    if request.path == "/jobs/j1":
        await asyncio.sleep(FIGURE_DELAY_S)
        return web.json_response(
            {
                "id": "j1",
                "demo": "gradient-descent",
                "params": {},
                "status": "done",
                "queue_position": 0,
                "progress": 1.0,
                "message": "done",
                "images": ["/jobs/j1/images/0.png"],
            }
        )
    return web.Response(body=PNG, content_type="image/png")


async def test_a_followup_is_asked_at_once_and_its_figure_follows_when_drawn(
    repo: Repository, bank: Bank, grader: EmbeddingGrader
) -> None:
    async with (
        fake_compute(slow_figure) as url,
        ComputeClient(url, token=TOKEN, timeout=FIGURE_DELAY_S * 3) as client,
    ):
        service = with_demos(repo, bank, grader, client)
        main = bank.get("q02")
        talks_about_a_figure = bank.followups(main.id)[1]
        assert talks_about_a_figure.figure_demo is not None
        post = await service.posting.post_today("test", "c1", RecordingTransport(), prompt=main)
        thread = RecordingTransport()
        await say(service, "/quiz skip", thread)  # on to the first follow-up, without a figure

        loop = asyncio.get_running_loop()
        started = loop.time()
        await say(service, "/quiz skip", thread)  # on to the one that talks about a figure
        took = loop.time() - started

        asked = thread.sent[-1]
        assert asked.kind == ReplyKind.FOLLOWUP and not asked.images
        assert talks_about_a_figure.text.en in asked.text
        assert took < FIGURE_DELAY_S / 2, "the follow-up waited for the figure"
        assert await service.in_flight.drain(FIGURE_DELAY_S * 3) == 0, "a stop waits for it"
        figure = thread.sent[-1]
        assert figure is not asked and figure.images and figure.images[0].data == PNG
        assert figure.thread_id == asked.thread_id == post.thread_id


async def test_a_practice_prompt_is_shown_at_once_and_its_figure_follows_when_drawn(
    repo: Repository, bank: Bank, fixed_grader: FixedGrader
) -> None:
    async with (
        fake_compute(slow_figure) as url,
        ComputeClient(url, token=TOKEN, timeout=FIGURE_DELAY_S * 3) as client,
    ):
        now = datetime.now(UTC)
        later = now + timedelta(days=1)  # the card reviewed `now` is due by then
        service = with_demos(repo, bank, fixed_grader, client, clock=lambda: later)
        with_figure = next(p for p in bank.all() if p.figure_demo is not None)
        # its card is the only one due tomorrow, so practice shows it first
        scheduler = practice_policy(Settings(_env_file=None)).scheduler()
        card, _ = scheduler.review_card(Card(card_id=1, due=now), Rating.Again, now)
        await plant_card(
            repo.members,
            repo.practice,
            card_row("test", MEMBER.user_id, with_figure.id, card, score=20, now=now),
        )
        private = RecordingTransport()

        loop = asyncio.get_running_loop()
        started = loop.time()
        await say(service, "/quiz practice", private)
        took = loop.time() - started

        shown = private.sent[-1]
        assert shown.kind == ReplyKind.FOLLOWUP and shown.ephemeral and not shown.images
        assert with_figure.text.en in shown.text
        assert took < FIGURE_DELAY_S / 2, "the practice prompt waited for the figure"
        assert await service.in_flight.drain(FIGURE_DELAY_S * 3) == 0, "a stop waits for it"
        figure = private.sent[-1]
        assert figure is not shown and figure.ephemeral
        assert figure.images and figure.images[0].data == PNG
