"""Progress of a calibration fit, which takes minutes on a small CPU: a redrawn bar on a terminal,
else one log line per tenth, so container logs show it without carriage returns."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

logger = logging.getLogger("quizmaster.evaluators")

BAR_WIDTH = 30


class FitProgress:
    """Counts answers measured out of `total`; called from one event loop, so no lock."""

    def __init__(self, total: int, *, label: str, stream: TextIO | None = None) -> None:
        self.total = max(1, total)
        self.label = label
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._tty = self._stream.isatty()
        self._tenths_logged = 0

    def advance(self) -> None:
        self.done += 1
        if self._tty:
            filled = BAR_WIDTH * self.done // self.total
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            percent = 100 * self.done // self.total
            self._stream.write(f"\r{self.label} [{bar}] {percent:3d}% {self.done}/{self.total}")
            self._stream.flush()
            return
        tenths = 10 * self.done // self.total
        if tenths > self._tenths_logged:
            self._tenths_logged = tenths
            logger.info("%s: %d%% (%d/%d answers)", self.label, 10 * tenths, self.done, self.total)

    def finish(self) -> None:
        """Ends the bar's line, so what is printed next starts on its own."""
        if self._tty:
            self._stream.write("\n")
            self._stream.flush()
