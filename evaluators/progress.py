"""Progress of a long encode (the bank's references on a first start, about half a minute on a
laptop CPU): a bar on a terminal, a log line per 10% elsewhere, so a slow start never sits
silent."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

logger = logging.getLogger("quizmaster.evaluators")

BAR_WIDTH = 30


class Progress:
    """Counts finished items out of `total` and shows it where someone can see it."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self._stream = stream or sys.stderr
        self._bar = self._stream.isatty()
        self._next_tenth = 1

    def advance(self, count: int) -> None:
        self.done = min(self.total, self.done + count)
        if self._bar:
            self._draw()
            return
        while self._next_tenth <= 10 and self.done * 10 >= self._next_tenth * self.total:
            logger.info(
                "%s: %d%% (%d/%d)", self.label, self._next_tenth * 10, self.done, self.total
            )
            self._next_tenth += 1

    def _draw(self) -> None:
        filled = BAR_WIDTH * self.done // self.total
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        percent = 100 * self.done // self.total
        end = "\n" if self.done >= self.total else ""
        self._stream.write(f"\r{self.label} [{bar}] {percent:3d}% ({self.done}/{self.total}){end}")
        self._stream.flush()
