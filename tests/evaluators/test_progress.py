"""A first start embeds the whole bank: it shows a bar on a terminal and a log line per 10%
elsewhere, and encoding in steps gives the same vectors as one call."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np
import pytest

from evaluators.embedder import load_embedder
from evaluators.progress import Progress
from evaluators.references import ReferenceStore


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_one_bar_redrawn_in_place() -> None:
    screen = Terminal()
    progress = Progress("embedding", 40, stream=screen)
    for _ in range(4):
        progress.advance(10)
    frames = screen.getvalue().split("\r")[1:]
    assert [frame.split("] ")[1].split(" (")[0] for frame in frames] == [
        " 25%",
        " 50%",
        " 75%",
        "100%",
    ]
    assert frames[-1].endswith("(40/40)\n") and "\n" not in "".join(frames[:-1])


def test_elsewhere_a_log_line_per_tenth(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="quizmaster.evaluators")
    progress = Progress("embedding", 95, stream=io.StringIO())
    for _ in range(6):
        progress.advance(16)
    percents = [r.getMessage().split(": ")[1].split("%")[0] for r in caplog.records]
    assert percents == [str(p) for p in range(10, 101, 10)]


def test_encoding_in_steps_matches_one_call(
    model_path: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="quizmaster.evaluators")
    embedder = load_embedder(model_path, "cpu")
    texts = [f"answer {i}: " + "the gradient vanishes " * (i % 7) for i in range(40)]
    stepped = ReferenceStore(embedder, tmp_path).encode_with_progress(texts)
    np.testing.assert_allclose(stepped, embedder.encode(texts), atol=1e-5)
    assert sum("embedding the question bank" in r.getMessage() for r in caplog.records) == 10
