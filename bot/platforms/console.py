"""The terminal as a channel: one line in, replies printed. `/as NAME` switches the simulated
member, so one terminal can play a multi-user channel: the first member to speak is the
channel's admin, every other a plain member unless switched to with `/as NAME admin`, so a
member's own appeal waits for an admin as it would in a channel. Piped stdin is handled line by
line and the process exits at EOF, so sessions can be scripted."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import itertools
import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from bot.core.flow.notices import send_notices
from bot.core.flow.scheduler import run_scheduler
from bot.core.inflight import STOP_GRACE_S
from bot.core.member_text import member_text, shown
from bot.core.messages import Actor, Incoming, Posted, Reply, ReplyKind, UnsharedChannel
from bot.core.service import QuizService
from bot.core.texts import text
from bot.log_escaping import escape_for_terminal
from content.schema import Lang

log = logging.getLogger("quizmaster.console")
PLATFORM = "console"
CHANNEL = "console"
EDIT_LINE_EVERY_S = 3.0
"""On a pipe, a message edited again and again (`/demo`'s progress) is printed at most this
often, its latest state before whatever comes next: the cadence of the start-up progress lines
(`evaluators.progress.LINE_EVERY_S`), so a script's output stays a few lines long."""
_REDRAW = "\x1b[{rows}A\x1b[J"
"""Cursor up over the rows of the message printed last, and clear from there down."""
ADMIN_WORD = "admin"
"""`/as NAME admin` switches to NAME as an admin of the console's channel."""
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_STYLE = {
    ReplyKind.QUESTION: "bold cyan",
    ReplyKind.GRADE: "green",
    ReplyKind.FOLLOWUP: "yellow",
    ReplyKind.ERROR: "red",
    ReplyKind.HINT: "magenta",
}


def addressed(reply: Reply) -> str:
    """The reply's text, after `@name` of the member it speaks to."""
    return f"@{reply.addressee} {reply.text}" if reply.addressee else reply.text


@dataclass
class ConsoleTransport(UnsharedChannel):
    """Prints replies; images are saved in `image_dir` and their paths printed. When whoever
    reads the output goes away (`quizmaster run --platform console | head`), `on_reader_gone`
    is called once and nothing more is written: the answer being handled is still stored.

    An edit (`/demo`'s progress) is redrawn in place on a terminal when its message is the last
    thing printed; on a pipe it is printed at most every `EDIT_LINE_EVERY_S`, the latest state
    held until then and printed (`flush`) before anything else, so the final one always shows,
    as the start-up progress bar does (`evaluators.progress`)."""

    threads = False

    out: TextIO
    image_dir: Path
    rich: bool
    on_reader_gone: Callable[[], None] = lambda: None
    reader_gone: bool = False
    # The channel's language, as the latest reply carried it: the console's own notices
    # ("(only you)", "(now speaking as ...)") follow it.
    lang: Lang = "ko"
    clock: Callable[[], float] = time.monotonic
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _last: tuple[str, int] | None = None
    """The message printed last and the terminal rows it took, while nothing came after it."""
    _printed_at: dict[str, float] = field(default_factory=dict)
    """On a pipe: when each message was last printed."""
    _held: dict[str, Reply] = field(default_factory=dict)
    """On a pipe: each message's latest edit not printed yet."""

    def __post_init__(self) -> None:
        self._console = Console(file=self.out, highlight=False, soft_wrap=True)

    def _write(self, write: Callable[[], None]) -> None:
        if self.reader_gone:
            return
        try:
            write()
        except BrokenPipeError:
            self.reader_gone = True
            log.info("the console's output was closed: stopping")
            # What is left in the stream's buffer would fail again at exit, with a traceback:
            # its file now writes to nowhere.
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), self.out.fileno())
            self.on_reader_gone()

    async def send(self, reply: Reply) -> Posted:
        message_id = f"m{next(self._ids)}"
        self.flush()
        self._shown(message_id, reply)
        for image in reply.images:
            self.image_dir.mkdir(parents=True, exist_ok=True)
            path = self.image_dir / f"{message_id}-{image.filename}"
            path.write_bytes(image.data)
            self._print_line(text(self.lang, "console_image", path=path))
        return Posted(message_id=message_id, thread_id=message_id if reply.open_thread else None)

    async def edit(self, posted: Posted, reply: Reply) -> None:
        message_id = posted.message_id
        if self.rich:
            if self._last is not None and self._last[0] == message_id:
                redraw = _REDRAW.format(rows=self._last[1])
                self._write(lambda: print(redraw, end="", file=self.out))
            self._shown(message_id, reply)
            return
        if self.clock() - self._printed_at.get(message_id, -math.inf) < EDIT_LINE_EVERY_S:
            self._held[message_id] = reply
            return
        self._held.pop(message_id, None)
        self._shown(message_id, reply)

    def flush(self) -> None:
        """Print the edits held back on a pipe (each message's latest), before what comes next."""
        held, self._held = self._held, {}
        for message_id, reply in held.items():
            self._shown(message_id, reply)

    def _shown(self, message_id: str, reply: Reply) -> None:
        """Print `reply` as message `message_id`, remembering it as the last thing printed."""
        rows = self._print(reply)
        self._printed_at[message_id] = self.clock()
        self._last = (message_id, rows)

    def _print(self, reply: Reply) -> int:
        """Print `reply`; the terminal rows it takes (a long line wraps)."""
        if reply.lang is not None:
            self.lang = reply.lang
        prefix = text(self.lang, "console_only_you") + " " if reply.ephemeral else ""
        lines = [addressed(reply), *(f"{name}: {value}" for name, value in reply.fields)]
        body = escape_for_terminal("\n".join(lines))
        plain = prefix + _BOLD.sub(r"\1", body)  # bold dropped, as a pipe wants
        if not self.rich:
            self._print_line(plain)
        else:
            rendered = Text(prefix, style="dim")
            style = _STYLE.get(reply.kind, "")
            for index, part in enumerate(_BOLD.split(body)):
                rendered.append(part, style=f"bold {style}".strip() if index % 2 else style)
            self._write(lambda: self._console.print(rendered))
        width = max(1, self._console.width)
        return sum(max(1, math.ceil(cell_len(line) / width)) for line in plain.split("\n"))

    def notice(self, line: str) -> None:
        """A line of the console's own, not a reply (who speaks now)."""
        self._print_line(line)

    def _print_line(self, line: str) -> None:
        self._last = None
        self._write(lambda: print(escape_for_terminal(line), file=self.out, flush=True))

    def _print_prompt(self, user: str) -> None:
        self._last = None
        self.out.write(f"{escape_for_terminal(shown(user))}> ")
        self.out.flush()

    async def prompt(self, user: str, lines: asyncio.Queue[str | None]) -> str | None:
        """The next line typed; on a terminal, after a prompt naming who speaks (see `/as`)."""
        if self.rich:
            self._write(lambda: self._print_prompt(user))
        return await lines.get()


def switched(typed: str, user: str) -> tuple[str, bool]:
    """The member `/as TYPED` switches to (`user` when it names nobody), and whether it makes
    them an admin: `/as NAME admin`."""
    name = member_text(typed).strip()
    head, _, last = name.rpartition(" ")
    admin = last == ADMIN_WORD and bool(head.strip())
    return (head.strip() if admin else name) or user, admin


async def _lines(stream: TextIO) -> asyncio.Queue[str | None]:
    """Read stdin in a thread so the scheduler keeps ticking while we wait for input. A daemon
    thread: a stop must not wait for a line that may never come (after `/quit` or a signal on
    a terminal it is still blocked reading, and must not hold the process open)."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def put(line: str | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed: the process is stopping
            loop.call_soon_threadsafe(queue.put_nowait, line)

    def pump() -> None:
        for line in stream:
            put(line.rstrip("\n"))
        put(None)

    threading.Thread(target=pump, name="console-stdin", daemon=True).start()
    return queue


async def run(
    service: QuizService,
    *,
    stdin: TextIO,
    stdout: TextIO,
    image_dir: Path,
    stop: asyncio.Event | None = None,
    wake: asyncio.Event | None = None,
) -> int:
    """Post today's question, then handle lines until EOF, /quit, `stop` or the output closed
    (the line being handled is finished; lines not yet read are left). `wake` runs a scheduler
    tick at once (the web page beside the console left a notice). Piped stdin runs no
    scheduler, so a script's output is what its lines made; the notices the web page leaves are
    still printed when it leaves them, as replies to what an admin did there."""
    interactive = stdin.isatty()
    stop = stop or asyncio.Event()
    transport = ConsoleTransport(
        out=stdout, image_dir=image_dir, rich=interactive, on_reader_gone=stop.set
    )
    user = getpass.getuser() or "you"
    admins: set[str] = set()
    spoken = False
    await service.posting.show_today(PLATFORM, CHANNEL, transport)
    if interactive:
        ticker = asyncio.create_task(
            run_scheduler(service, PLATFORM, transport, stop=stop, wake=wake)
        )
    elif wake is not None:
        ticker = asyncio.create_task(_notices_on(service, transport, stop, wake))
    else:
        ticker = None
    queue = await _lines(stdin)
    waker = asyncio.create_task(_wake_on(stop, queue))
    try:
        while not stop.is_set() and (line := await transport.prompt(user, queue)) is not None:
            if not line.strip():
                continue
            if line.strip() in {"/quit", "/exit"}:
                break
            if line.startswith("/as "):
                user, admin = switched(line[4:], user)
                if admin:
                    admins.add(user)
                key = "console_speaking_as_admin" if admin else "console_speaking_as"
                transport.notice(text(transport.lang, key, name=shown(user)))
                continue
            if not spoken:
                admins.add(user)  # the first member to speak is the console's admin
                spoken = True
            await service.intake.handle(
                Incoming(
                    platform=PLATFORM,
                    channel_id=CHANNEL,
                    actor=Actor(user_id=user, display_name=user, is_admin=user in admins),
                    text=line,
                    threadless=True,
                ),
                transport,
            )
            transport.flush()
    finally:
        transport.flush()
        stop.set()
        waker.cancel()
        if ticker is not None:
            await ticker
        await service.in_flight.drain(STOP_GRACE_S)
    return 0


async def _wake_on(stop: asyncio.Event, queue: asyncio.Queue[str | None]) -> None:
    """Unblock the read loop when `stop` is set while it waits for a line."""
    await stop.wait()
    queue.put_nowait(None)


async def _notices_on(
    service: QuizService, transport: ConsoleTransport, stop: asyncio.Event, wake: asyncio.Event
) -> None:
    """A scripted console's one scheduler duty: each time `wake` is set (the web page left a
    notice), print the notices waiting, until `stop`."""
    while True:
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
        if stop.is_set():
            return
        wake.clear()
        try:
            await send_notices(
                service.notices, PLATFORM, transport, by=service.replica_id, now=service.clock()
            )
        except Exception:
            log.exception("notices from the web page not printed")
