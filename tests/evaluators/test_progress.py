"""The one progress display (a start encoding the bank's texts, a calibration fit): rich's bar on
a terminal; elsewhere a plain line at once, then every few seconds, and one at the end; and
encoding in steps gives the same vectors as one call."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np
import pytest

from evaluators.embedding.sentence_model import load_embedder
from evaluators.progress import Progress
from evaluators.references import ReferenceStore


class Terminal(io.StringIO):
    """A text stream that says it is a terminal, as sys.stderr does in an interactive shell."""

    def isatty(self) -> bool:
        return True


class Clock:
    """Seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_terminal_gets_rich_s_bar_and_no_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="quizmaster.progress")
    screen = Terminal()
    with Progress("embedding", 40, stream=screen) as progress:
        for _ in range(4):
            progress.advance(10)
    drawn = screen.getvalue()
    shown = [percent for percent in ("25%", "50%", "75%", "100%") if percent in drawn]
    assert shown == ["25%", "50%", "75%", "100%"]
    assert drawn.index("25%") < drawn.index("50%") < drawn.index("75%") < drawn.index("100%")
    assert "embedding" in drawn and "40/40" in drawn and "━" in drawn
    last = drawn[drawn.rindex("40/40") :]
    assert "\n" in last, "the bar's line is ended, so what follows starts on its own"
    assert not caplog.records


def test_elsewhere_a_line_at_once_then_every_few_seconds_and_at_the_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="quizmaster.progress")
    clock = Clock()
    stream = io.StringIO()
    progress = Progress("embedding", 100, stream=stream, clock=clock, every_s=3.0)
    for _ in range(10):  # 10 items a second: a line each 3 s
        clock.now += 1.0
        progress.advance(10)
    progress.finish()
    progress.finish()
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "embedding: 0% (0/100, 0 s)",
        "embedding: 30% (30/100, 3 s)",
        "embedding: 60% (60/100, 6 s)",
        "embedding: 90% (90/100, 9 s)",
        "embedding: 100% (100/100, 10 s)",
    ]
    assert stream.getvalue() == ""


def test_a_line_names_the_unit_counted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="quizmaster.progress")
    clock = Clock()
    with Progress("fitting", 25, unit="answers", stream=io.StringIO(), clock=clock) as progress:
        for _ in range(25):
            progress.advance()
    lines = [record.getMessage() for record in caplog.records]
    assert lines == ["fitting: 0% (0/25 answers, 0 s)", "fitting: 100% (25/25 answers, 0 s)"]


def test_encoding_in_steps_matches_one_call(
    model_path: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="quizmaster.progress")
    embedder = load_embedder(model_path, "cpu")
    texts = [f"answer {i}: " + "the gradient vanishes " * (i % 7) for i in range(40)]
    stepped = ReferenceStore(embedder, tmp_path).encode_with_progress(texts)
    np.testing.assert_allclose(stepped, embedder.encode(texts), atol=1e-5)
    lines = [
        r.getMessage() for r in caplog.records if "embedding the question bank" in r.getMessage()
    ]
    assert lines[0].startswith("embedding the question bank: 0% (0/40")
    assert lines[-1].startswith("embedding the question bank: 100% (40/40")
