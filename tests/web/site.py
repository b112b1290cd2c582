"""A real web page on loopback over a real SQLite file, with a channel's history made through the
real quiz service (a fixed grader by default: the score is chosen, not measured).

The server runs on an event loop of its own in a thread, and so do the repository and the
service (an aiosqlite connection and its lock belong to one loop); tests reach it over HTTP,
and ask for `/quiz web` links through the service like a chat member.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable, Coroutine, Iterator, Sequence
from concurrent.futures import Future
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from bot.app import channel_defaults, prepare_references, web_app, web_tokens
from bot.config import Settings
from bot.core.messages import Actor, Incoming
from bot.core.team_grading import AnswerVectors
from bot.storage.repository import Repository
from bot.web.server import bind, port_of, serving_beside
from bot.web.signing import LinkIssuer, Tokens
from bot.wiring import Wired, wire
from compute.header_timeout import HEADER_TIMEOUT_S
from content.bank import Bank
from content.loader import DEFAULT_BANK_DIR, load_bank
from evaluators import EmbeddingGrader
from evaluators.grade import Grader
from tests.bot.clock import FakeClock
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader
from tests.postgres_server import PostgresForTests
from tests.web.client import browser, form_fields, page_text, sign_in

T = TypeVar("T")
SECRET = "web-test-secret-0123456789"
PLATFORM = "slack"
HOME = "C-home"
OTHER = "C-other"
MINA = Actor("U-mina", "Mina", is_admin=True)
JOON = Actor("U-joon", "Joon")
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # a Monday, 10:00 in Seoul
_URL = re.compile(r"https?://\S+")


@dataclass
class Site:
    """The running page and the service behind it."""

    url: str
    loop: asyncio.AbstractEventLoop
    service: Wired
    tokens: Tokens
    clock: FakeClock
    transport: RecordingTransport = field(default_factory=RecordingTransport)
    db: Path | str = ""
    """The page's database (`Settings.db`)."""
    notices_left: list[str] = field(default_factory=list)
    """One entry each time the page left a chat notice and woke the bot (`notice_left`)."""

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout=30)

    def say(self, actor: Actor, text: str, channel: str = HOME) -> None:
        incoming = Incoming(platform=PLATFORM, channel_id=channel, actor=actor, text=text)
        self.run(self.service.intake.handle(incoming, self.transport))

    @contextmanager
    def signed_in(self, actor: Actor, channel: str = HOME) -> Iterator[httpx.Client]:
        """A browser of its own signed in as `actor` in `channel`, closed after the block."""
        with browser() as client:
            assert sign_in(client, self.link(actor, channel)).status_code == 303
            yield client

    def import_notes(self, channel: str, *, name: str, notes: str) -> None:
        """Notes saved on the channel's Import notes page by its admin, as a browser posts
        them (a question with an answer has key concepts drafted: Kiwi loads on the first)."""
        url = f"{self.url}/c/{PLATFORM}/{channel}/import-notes"
        with self.signed_in(MINA, channel) as admin:
            form = {"csrf": form_fields(admin.get(url).text)["csrf"], "name": name}
            saved = admin.post(url, data=form | {"notes": notes, "action": "save"}, timeout=120)
        assert saved.status_code == 200, page_text(saved.text)

    def link(self, actor: Actor, channel: str = HOME) -> str:
        """The sign-in link `/quiz web` gives `actor` in `channel`, as the member reads it."""
        before = len(self.transport.sent)
        self.say(actor, "/quiz web", channel)
        [reply] = self.transport.sent[before:]
        assert reply.ephemeral and reply.user_id == actor.user_id
        found = _URL.search(reply.text)
        assert found is not None, reply.text
        return found.group(0)


def database_of(request: pytest.FixtureRequest, folder: Path) -> Path | str:
    """The page's database for a fixture parametrized over "sqlite" and "postgresql": a file in
    `folder`, or a new database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return folder / "web.db"
    server: PostgresForTests = request.getfixturevalue("postgres")
    return server.fresh_database()


async def _seed(site: Site) -> None:
    """Two days in the home channel (the first revealed), one answer in the other channel."""
    for day in range(2):
        await site.service.posting.post_today(PLATFORM, HOME, site.transport)
        for actor, score in ((MINA, 90 - day * 10), (JOON, 55 + day * 20)):
            incoming = Incoming(
                platform=PLATFORM,
                channel_id=HOME,
                actor=actor,
                text=f"my answer on day {day} is {score}",
            )
            await site.service.intake.handle(incoming, site.transport)
        if day == 0:
            await site.service.intake.handle(
                Incoming(platform=PLATFORM, channel_id=HOME, actor=MINA, text="/quiz reveal"),
                site.transport,
            )
        site.clock.advance(timedelta(days=1))
    await site.service.posting.post_today(PLATFORM, OTHER, site.transport)
    await site.service.intake.handle(
        Incoming(platform=PLATFORM, channel_id=OTHER, actor=JOON, text="other channel 42"),
        site.transport,
    )


async def _ready(grader: Grader, bank: Bank, stack: AsyncExitStack) -> Grader:
    """`grader` as the bot and `quizmaster web` ready theirs: a model's references prepared,
    and the grader closed with the page."""
    if isinstance(grader, EmbeddingGrader):
        stack.push_async_callback(grader.aclose)
        await prepare_references(grader, bank)
    return grader


@contextmanager
def running_site(
    folder: Path,
    *,
    db: Path | str | None = None,
    header_timeout_s: float = HEADER_TIMEOUT_S,
    chat_grader: Callable[[], Grader] = FixedGrader,
    try_grader: Callable[[], Grader] | None = None,
    vectors: Callable[[], AnswerVectors] | None = None,
    bank_dirs: Sequence[Path] = (DEFAULT_BANK_DIR,),
) -> Iterator[Site]:
    """The page on a free loopback port until the block exits, on `db` (a SQLite file in
    `folder` by default), on the banks in `bank_dirs`, the chat's answers graded by the grader
    `chat_grader` makes on the page's own event loop (one with an `aclose` is closed with the
    page). The page is served over the chat's own wiring, as the console serves it, unless
    `try_grader` is given: then it runs as `quizmaster web` beside the bot, wired on its own
    with the grader `try_grader` makes, on the same database and bank. Answer groups are on the
    `vectors` made (else the page's grader's own model, if it has one)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="web-test-loop", daemon=True)
    thread.start()
    stack = AsyncExitStack()
    clock = FakeClock(START)
    settings = Settings(_env_file=None, lang="en", days="daily", db=db or folder / "web.db")

    async def start() -> Site:
        repo = await Repository.open(settings.db)
        stack.push_async_callback(repo.close)
        bank = load_bank(bank_dirs)
        tokens = web_tokens(SECRET, clock)
        sock = bind("127.0.0.1", 0, any_port_if_busy=False)
        url = f"http://127.0.0.1:{port_of(sock)}"
        made = None if vectors is None else vectors()
        service = wire(
            repo=repo,
            bank=bank,
            grader=await _ready(chat_grader(), bank, stack),
            defaults=channel_defaults(settings),
            clock=clock,
            sign_in=LinkIssuer(tokens, url),
            vectors=made if try_grader is None else None,
        )
        left: list[str] = []
        page = service
        if try_grader is not None:
            page = wire(
                repo=repo,
                bank=bank,
                grader=await _ready(try_grader(), bank, stack),
                defaults=channel_defaults(settings),
                clock=clock,
                vectors=made,
            )
        app = web_app(settings, page, tokens=tokens, notice_left=lambda: left.append("notice"))
        await stack.enter_async_context(
            serving_beside(app, sock, header_timeout_s=header_timeout_s)
        )
        site = Site(
            url=url,
            loop=loop,
            service=service,
            tokens=tokens,
            clock=clock,
            db=settings.db,
            notices_left=left,
        )
        await _seed(site)
        return site

    try:
        yield asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=300)
    finally:
        asyncio.run_coroutine_threadsafe(stack.aclose(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
