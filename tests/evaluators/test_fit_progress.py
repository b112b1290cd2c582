"""Fit progress: a redrawn bar on a terminal, one log line per tenth elsewhere."""

from __future__ import annotations

import io
import logging

import pytest

from evaluators.fit_progress import FitProgress


class Terminal(io.StringIO):
    """A text stream that says it is a terminal, as sys.stderr does in an interactive shell."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_one_bar_redrawn_in_place(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="quizmaster.evaluators")
    stream = Terminal()
    progress = FitProgress(4, label="fitting", stream=stream)
    for _ in range(4):
        progress.advance()
    progress.finish()
    frames = stream.getvalue().split("\r")[1:]
    assert len(frames) == 4
    assert frames[1] == f"fitting [{'#' * 15}{'.' * 15}]  50% 2/4"
    assert frames[-1] == f"fitting [{'#' * 30}] 100% 4/4\n"
    assert not caplog.records


def test_a_log_gets_a_line_per_tenth_crossed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="quizmaster.evaluators")
    stream = io.StringIO()
    progress = FitProgress(25, label="fitting", stream=stream)
    for _ in range(25):
        progress.advance()
    progress.finish()
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0] == "fitting: 10% (3/25 answers)"
    assert lines[-1] == "fitting: 100% (25/25 answers)"
    assert len(lines) == 10
    assert stream.getvalue() == ""
