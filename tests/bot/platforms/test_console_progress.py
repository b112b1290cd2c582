"""`/demo`'s progress on the console (issue 70, case 14): its one message edited a dozen times was
a dozen lines. The console adapter's transport now redraws it in place on a terminal, and on a
pipe prints it at most every few seconds and its last state before what follows, as the
start-up progress bar does: the demo hand-off's replies, in its order, through the transport."""

from __future__ import annotations

import io
from pathlib import Path

from bot.core.messages import Reply, ReplyKind
from bot.core.texts import text
from bot.platforms.console import EDIT_LINE_EVERY_S, ConsoleTransport
from evaluators.progress import LINE_EVERY_S

STEPS = 12
DONE = text("en", "demo_done", name="optimizers")


class Ticks:
    """A clock half a second further on at each reading: a demo of a dozen steps, polled about
    once a second, as the hand-off polls a short one."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.5
        return self.now


async def a_demo(transport: ConsoleTransport) -> None:
    """What `DemoHandoff.run_demo` sends: the started line, each progress edit, done, figures."""
    started = text("en", "demo_started", name="optimizers", queue="1st in line")
    posted = await transport.send(Reply("console", started, kind=ReplyKind.DEMO))
    for step in range(1, STEPS + 1):
        body = text(
            "en", "demo_progress", name="optimizers", percent=100 * step // STEPS, message="x"
        )
        await transport.edit(posted, Reply("console", body, kind=ReplyKind.DEMO))
    await transport.edit(posted, Reply("console", DONE, kind=ReplyKind.DEMO))
    await transport.send(Reply("console", "**/demo optimizers**", kind=ReplyKind.DEMO))


async def test_on_a_pipe_the_progress_is_a_few_lines_ending_with_done(tmp_path: Path) -> None:
    out = io.StringIO()
    await a_demo(ConsoleTransport(out=out, image_dir=tmp_path, rich=False, clock=Ticks()))
    lines = out.getvalue().splitlines()
    assert len(lines) <= 6, lines
    assert lines[0].startswith("`optimizers`: starting") and "100%" not in lines[0]
    assert lines[-2:] == [DONE, "/demo optimizers"], lines
    assert EDIT_LINE_EVERY_S == LINE_EVERY_S  # the start-up progress lines' cadence


async def test_on_a_terminal_the_progress_is_one_line_redrawn_in_place(tmp_path: Path) -> None:
    out = io.StringIO()
    await a_demo(ConsoleTransport(out=out, image_dir=tmp_path, rich=True, clock=Ticks()))
    printed = out.getvalue()
    redraw = "\x1b[1A\x1b[J"
    assert printed.count(redraw) == STEPS + 1
    # What the terminal shows at the end: each redraw took back the line before it.
    shown = printed.split(redraw)[-1].splitlines()
    assert shown == [DONE, "/demo optimizers"], shown
