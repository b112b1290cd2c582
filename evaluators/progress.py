"""Progress of a long step (the bank's texts encoded when no file holds them, a calibration fit:
minutes on a small CPU): rich's bar on a terminal, and elsewhere (a pipe, `docker compose logs`, a
service manager) a plain log line at once and then every few seconds, so a slow step never sits
silent and container logs get no carriage returns.

The lines go to the `quizmaster.progress` logger: the log, and the screen wherever no bar is
drawn (`bot.logs` routes them)."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress

logger = logging.getLogger("quizmaster.progress")

LINE_EVERY_S = 3.0
"""Seconds between two plain lines: often enough that a reader sees it move, rarely enough that
a log of a one-minute step stays short."""


class Progress:
    """Counts finished items out of `total` and shows it where someone can see it; `unit` names
    the items in the lines ("answers"). `finish` (or leaving the `with` block) ends the bar's
    line, so what is printed next starts on its own, and logs how long the step took. Called
    from one thread, so no lock."""

    def __init__(
        self,
        label: str,
        total: int,
        *,
        unit: str = "",
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        every_s: float = LINE_EVERY_S,
    ) -> None:
        self.label = label
        self.total = max(total, 1)
        self.unit = unit
        self.done = 0
        self._clock = clock
        self._every_s = every_s
        self._started = clock()
        self._next_line = self._started + every_s
        self._finished = False
        # rich is read here, not at import: every bot start imports this module, and most
        # never draw a bar (references already on disk, or no terminal).
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        console = Console(file=stream if stream is not None else sys.stderr)
        self._bar: RichProgress | None = None
        if console.is_terminal:
            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                auto_refresh=False,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._task = self._bar.add_task(label, total=self.total)
            self._bar.start()
        else:
            self._line()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.finish()

    def advance(self, count: int = 1) -> None:
        self.done = min(self.total, self.done + count)
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, refresh=True)
        elif not self._finished and self.done < self.total and self._clock() >= self._next_line:
            self._line()

    def _line(self) -> None:
        unit = f" {self.unit}" if self.unit else ""
        elapsed = self._clock() - self._started
        logger.info(
            "%s: %d%% (%d/%d%s, %.0f s)",
            self.label,
            100 * self.done // self.total,
            self.done,
            self.total,
            unit,
            elapsed,
        )
        self._next_line = self._clock() + self._every_s

    def finish(self) -> None:
        """End the bar, or write the last line; only the first call does anything."""
        if self._finished:
            return
        self._finished = True
        if self._bar is not None:
            self._bar.stop()
        else:
            self._line()
