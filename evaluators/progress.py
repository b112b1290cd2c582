"""Progress of a long step (the bank's references encoded on a first start, about half a minute
on a laptop CPU; a calibration fit, minutes on a small one): rich's bar on a terminal, a log
line per tenth elsewhere, so container logs show it without carriage returns and a slow start
never sits silent."""

from __future__ import annotations

import logging
import sys
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress

logger = logging.getLogger("quizmaster.evaluators")


class Progress:
    """Counts finished items out of `total` and shows it where someone can see it; `unit` names
    the items in the log lines ("answers"). `finish` (or leaving the `with` block) ends the bar's
    line, so what is printed next starts on its own. Called from one thread, so no lock."""

    def __init__(
        self, label: str, total: int, *, unit: str = "", stream: TextIO | None = None
    ) -> None:
        self.label = label
        self.total = max(total, 1)
        self.unit = unit
        self.done = 0
        self._next_tenth = 1
        # rich is read here, not at import: every bot start imports this module, and most
        # never draw a bar (references already encoded, or no terminal).
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
            return
        unit = f" {self.unit}" if self.unit else ""
        while self._next_tenth <= 10 and self.done * 10 >= self._next_tenth * self.total:
            logger.info(
                "%s: %d%% (%d/%d%s)",
                self.label,
                self._next_tenth * 10,
                self.done,
                self.total,
                unit,
            )
            self._next_tenth += 1

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
